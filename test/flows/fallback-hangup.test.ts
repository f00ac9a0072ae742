/**
 * Issue 27, point 2: a hang-up during a flow's fallback is not an abandon of the queue. The support queue times out
 * after 60 s (agents all busy on other calls, time-skipping server); the flow (test/fixtures/analytics/fallback-line.ts)
 * then plays music before its voicemail. A caller who hangs up during that music had already left the queue: the call
 * ends `disconnected`, its timeline has the queue's exit (reason timeout), so the queue counts it as a flow-out,
 * not as abandoned. A caller who hangs up while still on hold is still an abandon.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

type QueueExitEntry = { queue: string; reason: string };
const flows = fileURLToPath(new URL('../fixtures/analytics/fallback-line.ts', import.meta.url));
const queues = { ...configuredQueues, support: { ...configuredQueues.support!, maxWaitSeconds: 60 } };

let t: FlowTest | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('a hang-up after the queue gave the caller up', () => {
  it('ends disconnected, with the queue exit on the timeline, not abandoned', async () => {
    t = await FlowTest.start({ agents: 'busy', flows, queues });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550177' });
    await caller.hears('hold-music.wav');
    await caller.waits('2m');
    // The queue's exit, then the flow's fallback music.
    await caller.hears('hold-music.wav');
    await caller.hangUp();
    const result = await caller.result();
    expect(result.outcome).toBe('disconnected');
    const exits = t.graph.events(caller.callId).filter((e) => e.type === 'queueExit');
    expect(exits.map((e) => [(e.payload as QueueExitEntry).queue, (e.payload as QueueExitEntry).reason])).toEqual([
      ['support', 'timeout'],
    ]);

    await expectReplayCheck(() => t!.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });

  it('a caller who hangs up on hold in the same flow is still an abandon', async () => {
    t = await FlowTest.start({ agents: 'busy', flows, queues });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550178' });
    await caller.hears('hold-music.wav');
    await caller.waits('10s');
    await caller.hangUp();
    expect((await caller.result()).outcome).toBe('abandoned');
    expect(t.graph.events(caller.callId).filter((e) => e.type === 'queueExit')).toEqual([]);
  });
});
