import { describe, expect, it } from 'vitest';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import { expectReplayCheck } from '../helpers/replay-check.js';
import { eventually } from '../helpers/eventually.js';
import { untilCallbackConfirm } from '../helpers/support-line-callback.js';

// Issue 26, point 1: the shipped demo lines are national (US) lines and say so (`country: 'US'` in flows/, as
// docs/flows.md describes), so a callback number keyed without +1 on the support line is read as a US number even
// when the caller is abroad and PHONE_REGION names another country. On the time-skipping server, the shipped flows.
const flowTests = flowTestEachTest();

describe('the shipped support line reads a national callback number as a US number', () => {
  it('a UK caller, PHONE_REGION=FR: 4255550100 keyed after "enter another number" is +1 425 555 0100', async () => {
    const t = await flowTests.start({ agents: 'busy', phoneRegion: 'FR' });
    const caller = await t.call({ dial: 'ra-support', from: '+442079460001' });
    await untilCallbackConfirm(caller);
    await caller.press('2');
    await caller.hears('callback-enter-number.wav');
    await caller.press('4255550100#');
    await caller.hears('callback-accepted.wav');
    // The caller hangs up; the call keeps its place in the queue (every agent is busy), its callback row has the number.
    await eventually(() => caller.callback(), 'the callback row');
    expect(caller.callback()).toMatchObject({ status: 'requested', number: '+14255550100', queue: 'support' });
    expect(caller.timeline().some((e) => e.type === 'callbackInvalidNumber')).toBe(false);
  });

  it('every history replays', async () => expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow']));
});
