import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import type { FlowTestHistories } from '../../devkit/flow-testing/options.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

// Issue 26, point 1: a callback number keyed on the phone is read by libphonenumber-js in the country of the line
// dialled (FlowDefinition.country, test/fixtures/phone-lines.ts), else PHONE_REGION (the workflow's input; FR here),
// else the caller's own (flows/tests/support-line.test.ts); 00 and 011 prefixes work from any line; invalid and premium-rate numbers are refused and asked again. On the time-skipping server.
const lines = fileURLToPath(new URL('../fixtures/phone-lines.ts', import.meta.url));
let t: FlowTest;
const kept: FlowTestHistories[] = [];

beforeAll(async () => {
  t = await FlowTest.start({ agents: 'signedOut', flows: lines, phoneRegion: 'FR' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

/** Call `line`, take the callback, key `entries` (each then #) until the flow stops asking; what it read. */
async function keyNumber(line: string, entries: string[], from: string | { user: string } = { user: 'u1' }) {
  const caller = await t.call({ dial: line, from });
  await caller.hears('callback-offer.wav');
  await caller.press('1');
  for (const [i, keys] of entries.entries()) {
    await caller.hears('callback-enter-number.wav');
    await caller.press(`${keys}#`);
    if (i < entries.length - 1) await caller.hears('callback-invalid-number.wav');
  }
  await caller.result();
  return { read: caller.record()?.data?.callback, caller };
}

describe('a callback number keyed nationally is read in the country of the line dialled', () => {
  it.each([
    ['ra-us', '4255550100', '+14255550100'],
    ['ra-uk', '02079460958', '+442079460958'],
    ['ra-fr', '0142685300', '+33142685300'],
    ['ra-de', '03012345678', '+493012345678'],
  ])('%s: %s is %s', async (line, keys, e164) => {
    const { read, caller } = await keyNumber(line, [keys]);
    expect(read).toBe(e164);
    expect(caller.timeline().some((e) => e.type === 'callbackInvalidNumber')).toBe(false);
  });

  it('a line without a country reads it in PHONE_REGION (FR here), even from a UK caller', async () => {
    const { read } = await keyNumber('ra-anywhere', ['0142685300'], '+442079460001');
    expect(read).toBe('+33142685300');
  });

  it('the line’s own country wins over PHONE_REGION', async () => {
    expect((await keyNumber('ra-uk', ['0142685300', '02079460958'])).read).toBe('+442079460958');
  });
});

describe('a callback number keyed with its country code: 00 or 011, from any line', () => {
  it.each([
    ['ra-us', '011442079460958', '+442079460958'],
    ['ra-us', '0033142685300', '+33142685300'],
    ['ra-uk', '0014255550100', '+14255550100'],
    ['ra-fr', '00493012345678', '+493012345678'],
    ['ra-de', '011442079460958', '+442079460958'],
    ['ra-de', '14255550100', '+14255550100'],
  ])('%s: %s is %s', async (line, keys, e164) => {
    expect((await keyNumber(line, [keys])).read).toBe(e164);
  });
});

describe('invalid numbers are refused and asked again', () => {
  it('the UK line refuses a number one digit short, then takes the corrected one', async () => {
    const { read, caller } = await keyNumber('ra-uk', ['020794609', '02079460958']);
    expect(read).toBe('+442079460958');
    expect(caller.timeline().filter((e) => e.type === 'callbackInvalidNumber')).toHaveLength(1);
  });

  it('three invalid numbers on the US line (too short, a French national number, area code 123): no callback', async () => {
    const { read } = await keyNumber('ra-us', ['5550100', '0142685300', '1234567890']);
    expect(read).toBe('invalidNumber');
  });

  it('the German line refuses a premium-rate number (0900) and a national number too short', async () => {
    const { read } = await keyNumber('ra-de', ['09001234567', '03012', '0033142685300']);
    expect(read).toBe('+33142685300');
  });
});

// Every call, queue and agent history these tests wrote replays with the code that wrote it (issue 28).
it('every workflow history it produced replays on a fresh worker', async () => {
  kept.push(await t.histories());
  await expectReplayCheck(() => FlowTest.replay(kept), ['callWorkflow']);
}, 120_000);
