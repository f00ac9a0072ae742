/**
 * Keys a caller types are personal data (a callback number, an account number, a survey answer), and the call's
 * timeline is stored in clear (call_event; the admin API's timeline view and Grafana's call path read it). Graph's
 * tone notification carries the key (toneInfo.tone, tone-info.md); the timeline keeps `tone` and its sequence id
 * only, a gather's result says how many keys, and an invalid callback number how many were typed. The flow test kit
 * keeps what recordCall was given, the rows Postgres would hold. Shipped lines: care (survey) and support (callback).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../src/contracts/activities/records.js';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import type { SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { queues } from '../../flows/index.js';
import { expectReplayCheck } from '../helpers/replay-check.js';
import { untilCallbackConfirm } from '../helpers/support-line-callback.js';

const [adele] = queues.support!.agents as [string];
const flowTests = flowTestEachTest();
/** A flow of its own that gathers an account number (call.gather). */
const accountLine = fileURLToPath(new URL('../fixtures/flows/account-line.ts', import.meta.url));

/** Wait (real time) until `check` holds, failing with `what` after 15 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Graph's tone names (tone-info.md): tone0…tone9, star, pound, A–D, flash. */
const TONE_NAME = /"(tone\d|star|pound|flash)"/i;

/** Every tone entry (the caller's own and a leg's) keeps no key, and no entry names one. */
function expectNoKeys(timeline: TimelineEntry[]): TimelineEntry[] {
  const tones = timeline.filter((e) => /(^|:)tone/.test(e.type));
  for (const e of tones) expect(e.type, 'a tone entry is on the timeline without its key').toMatch(/^(leg:)?tone$/);
  for (const e of timeline) expect(JSON.stringify(e.payload ?? null), `${e.type} names a key`).not.toMatch(TONE_NAME);
  return tones;
}

describe('typed keys stay off the stored timeline (FlowTest)', () => {
  it('a survey answered 4 and 1: the rows have the answers, the timeline has neither', async () => {
    const t = await flowTests.start();
    const caller = await t.call({ dial: 'ra-care', from: '+14255550193' });
    for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
    await t.graph.conference.agentLeaves(caller.callId, adele);
    await caller.answersSurvey([
      { prompt: 'survey-satisfaction.wav', key: '4' },
      { prompt: 'survey-resolved.wav', key: '1' },
    ]);
    expect(await caller.result()).toMatchObject({ outcome: 'connected' });
    expect(caller.survey().map((r) => r.answer)).toEqual(['4', '1']);

    const timeline = caller.timeline();
    const tones = expectNoKeys(timeline);
    // Both presses are on the timeline, as `tone` with Graph's sequence id: when, not what.
    const own = tones.filter((e) => e.type === 'tone');
    expect(own).toHaveLength(2);
    for (const e of own) expect(e.payload).toMatchObject({ toneInfo: { sequenceId: expect.any(Number) } });
    expect(timeline.find((e) => e.type === 'surveyEnded')?.payload).toEqual({ questions: 2, answered: 2 });
  });

  it('a callback number typed, first wrong (12#), then right: the timeline has neither the keys nor the wrong one', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    const caller: SimulatedCaller = await t.call({ dial: 'ra-support', from: '+14255550194' });
    await untilCallbackConfirm(caller);
    await caller.press('2'); // another number
    await caller.hears('callback-enter-number.wav');
    await caller.press('12#');
    await caller.hears('callback-invalid-number.wav');
    await caller.hears('callback-enter-number.wav');
    await caller.press('4255550178#');
    await caller.hears('callback-accepted.wav');
    await until(() => t.graph.stateOf(caller.callId) === 'terminated', 'the caller’s call to end');
    await until(() => caller.callback() !== undefined, 'the callback row');
    // The callback row has the number: it is what the call back dials.
    expect(caller.callback()).toMatchObject({ number: '+14255550178', status: 'requested' });
    // Adele frees up and the caller is called back: the call's timeline is written to its end.
    await t.freeAgent(adele);
    expect(await caller.result()).toMatchObject({ outcome: 'callback' });
    expect(caller.callbackCalls().map((c) => c.phone)).toEqual(['+14255550178']);

    const timeline = caller.timeline();
    const tones = expectNoKeys(timeline);
    // 1, 2, "12#" and "4255550178#": 16 presses, none with its key.
    expect(tones.filter((e) => e.type === 'tone')).toHaveLength(16);
    expect(timeline.find((e) => e.type === 'callbackInvalidNumber')?.payload).toEqual({ keys: 2 });
    // The number to call back is on the timeline only as the callback's `number`, read and checked (E.164), where a
    // privacy erasure finds and replaces it (docs/operations.md); never as the keys typed.
    const withDigits = timeline.filter((e) => JSON.stringify(e.payload ?? null).includes('4255550178'));
    expect(withDigits.length).toBeGreaterThan(0);
    for (const e of withDigits) {
      const { number, ...rest } = e.payload as { number?: string };
      expect(number, e.type).toBe('+14255550178');
      expect(JSON.stringify(rest), e.type).not.toContain('4255550178');
    }
  });

  it("a flow's own gather of an account number: the verb's result on the timeline says 8 keys, not which", async () => {
    const t = await flowTests.start({ flows: accountLine, agents: 'signedOut' });
    const caller = await t.call({ dial: 'ra-account', from: '+14255550195' });
    await caller.hears('account-number.wav');
    await caller.press('31415926');
    await caller.hears('account-found.wav');
    await caller.result();
    const timeline = caller.timeline();
    expect(expectNoKeys(timeline).filter((e) => e.type === 'tone')).toHaveLength(8);
    expect(timeline.find((e) => e.type === 'verb:gather:done')?.payload).toEqual({ status: 'digits', count: 8 });
    expect(JSON.stringify(timeline)).not.toContain('31415926');
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
