/**
 * A two-hour wait survives (issue 21, point 2): Graph ends a call that gets no POST …/keepAlive within 45 minutes of
 * its start or of the previous one (microsoft-graph-docs-contrib api-reference/v1.0/api/call-keepalive.md, which
 * recommends one every 15 minutes). On the time-skipping server, a caller waits two hours in a queue whose agents are
 * all on other calls; the call workflow's keepAlive timer fires every 15 minutes of workflow time and each tick sends
 * one keepAlive for the caller's call.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/flow-versions/${name}.ts`, import.meta.url));
// Greeting, then the support queue, which holds the caller for up to three hours.
const queues = { ...configuredQueues, support: { ...configuredQueues.support!, maxWaitSeconds: 3 * 3600 } };
const [adele] = configuredQueues.support!.agents as [string];
const KEEPALIVE_WINDOW_MS = 45 * 60_000;

let t: FlowTest | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('a long wait keeps its Graph call alive', () => {
  it('two hours in the queue: a keepAlive every 15 minutes, never 45 without one; then an agent takes the call', async () => {
    t = await FlowTest.start({ agents: 'busy', flows: fixture('v1'), queues });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550140' });
    await caller.hears('hold-music.wav');
    await caller.waits('2h');
    expect(t.graph.stateOf(caller.callId)).toBe('established');

    await t.freeAgent(adele);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });

    const keepAlives = t.graph.requests.filter((r) => r.op === 'keepAlive' && r.callId === caller.callId);
    // 120 minutes / 15: eight ticks (the eighth may land just after the agent took the call, which ends the timer).
    expect(keepAlives.length).toBeGreaterThanOrEqual(7);
    expect(keepAlives.length).toBeLessThanOrEqual(8);

    // The keepAlive ticks as the workflow's history has them: 15-minute timers, back to back from the answer on.
    const events = (await caller.history()).events ?? [];
    const at = (e: (typeof events)[number]) => Number(e.eventTime!.seconds) * 1000 + e.eventTime!.nanos! / 1e6;
    const started = at(events[0]!);
    const keepAliveTimers = new Set(
      events
        .filter((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) === 15 * 60)
        .map((e) => e.timerStartedEventAttributes!.timerId),
    );
    const fired = events
      .filter((e) => e.timerFiredEventAttributes && keepAliveTimers.has(e.timerFiredEventAttributes.timerId))
      .map(at);
    expect(fired.length).toBe(keepAlives.length);
    const gaps = [fired[0]! - started, ...fired.slice(1).map((f, i) => f - fired[i]!)];
    for (const gap of gaps) expect(gap).toBeLessThan(KEEPALIVE_WINDOW_MS);
    expect(fired.at(-1)! - started).toBeGreaterThanOrEqual(105 * 60_000);

    await expectReplayCheck(() => t!.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
