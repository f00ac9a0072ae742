import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { workflowInterceptorsPath, workflowsPath } from '../../src/temporal/worker.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { FLOW_TEST_TENANT, type SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import { expectReplayCheck } from '../../test/helpers/replay-check.js';
import { queues } from '../index.js';

// The support line (flows/support-line.ts) with simulated callers, on the time-skipping server: every agent is on
// another call, so after 2 minutes on hold the caller is offered a callback.
const flowTests = flowTestEachTest();

const [adele, alex] = queues.support!.agents as [string, string];

/** Wait (real time) until `check` holds, failing with `what` after 15 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Greeting, hold, 2 minutes, the offer: press 1. */
async function acceptOffer(caller: SimulatedCaller): Promise<void> {
  await caller.hears('greeting.wav');
  await caller.hears('hold-music.wav');
  await caller.waits('2m');
  await caller.hears('callback-offer.wav');
  await caller.press('1');
}

function queueResult(caller: SimulatedCaller): unknown {
  return caller.timeline().find((e) => e.type === 'verb:queue:done')?.payload;
}

describe('support line: callback in queue', () => {
  it('press 1, confirm with 1, the call ends; when an agent frees up the caller is called back and put through', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    const caller = await t.call({ dial: 'ra-support', from: '+14255550123' });
    await acceptOffer(caller);
    await caller.hears('callback-confirm.wav');
    await caller.press('1');
    await caller.hears('callback-accepted.wav');
    // We hang up; the call keeps its place in the queue, and its callback row says so.
    await until(() => t.graph.stateOf(caller.callId) === 'terminated', 'the caller’s call to end');
    await until(() => caller.callback() !== undefined, 'the callback row');
    expect(caller.callback()).toMatchObject({
      status: 'requested',
      number: '+14255550123',
      queue: 'support',
      attempts: 0,
    });
    expect(caller.callbackCalls()).toEqual([]);

    // Adele's other call ends: she is reserved for the callback, which calls the caller back and transfers them.
    await t.freeAgent(adele);
    const result = await caller.result();
    expect(result.outcome).toBe('callback');
    expect(queueResult(caller)).toMatchObject({
      outcome: 'callback',
      number: '+14255550123',
      callback: { status: 'completed', attempts: 1, agentId: adele },
    });
    const [placed, ...more] = caller.callbackCalls();
    expect(more).toEqual([]);
    expect(placed).toMatchObject({
      phone: '+14255550123',
      applicationInstanceId: 'ra-support',
      tenantId: FLOW_TEST_TENANT,
    });
    expect(new URL(placed!.callbackUri).searchParams.get('workflowId')).toBe(`call-${caller.callId}`);
    // Hold music while Adele's phone rang, then she answered and the person was put through onto that call.
    expect(caller.heardOnCallback()).toEqual(['callback-intro.wav', 'hold-music.wav']);
    const rings = t.graph.requests.filter((r) => r.op === 'ring');
    expect(rings.map((r) => r.detail)).toEqual([{ agentId: adele }]);
    expect(
      t.graph.requests.filter((r) => r.op === 'transfer' && r.callId === placed!.callId).map((r) => r.detail),
    ).toEqual([{ agentId: adele, replacesCallId: rings[0]!.callId }]);
    expect(caller.callback()).toMatchObject({ status: 'completed', attempts: 1, agentId: adele, lastError: null });
    expect(caller.callback()!.completedAt).toBeDefined();
    // The caller's own call was a callback (not abandoned, not connected), whatever came after.
    expect(caller.record()).toMatchObject({ outcome: 'callback', queue: 'support' });
    expect(caller.record()!.connectedAt).toBeUndefined();
    const types = caller.timeline().map((e) => e.type);
    expect(types).toContain('callbackRequested');
    expect(types).toContain('callbackCompleted');
    expect(types.indexOf('callbackDialed')).toBeGreaterThan(types.indexOf('callbackWaiting'));
    expect(types).not.toContain('abandoned');

    // All of it is workflow state: a worker that restarts replays this history to where it was, without a
    // determinism error (the agent handler taken over, the second call's notifications, the background writes).
    const history = await t.env.client.workflow.getHandle(`call-${caller.callId}`).fetchHistory();
    // With the production worker's workflow interceptors, as it ran (devkit/flow-testing/flow-worker.ts).
    await Worker.runReplayHistory(
      {
        workflowsPath,
        interceptors: { workflowModules: [workflowInterceptorsPath] },
        replayName: 'callback-answered',
        dataConverter: ephemeralDataConverter(),
      },
      history,
    );
  });

  it('a callback nobody answers is tried 3 times, 2 minutes apart, then recorded as failed', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    t.callee('+14255550124', 'noAnswer');
    const caller = await t.call({ dial: 'ra-support', from: '+14255550124' });
    await acceptOffer(caller);
    await caller.hears('callback-confirm.wav');
    await caller.press('1');
    await caller.hears('callback-accepted.wav');
    await until(() => t.graph.stateOf(caller.callId) === 'terminated', 'the caller’s call to end');
    await t.freeAgent(adele);
    const result = await caller.result();
    expect(result.outcome).toBe('callback');
    expect(queueResult(caller)).toMatchObject({
      outcome: 'callback',
      callback: { status: 'failed', attempts: 3, reason: expect.stringMatching(/not answered after 3 calls/) },
    });
    expect(caller.callbackCalls().map((c) => c.phone)).toEqual(['+14255550124', '+14255550124', '+14255550124']);
    expect(caller.heardOnCallback()).toEqual([]);
    expect(caller.callback()).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: expect.stringMatching(/no answer/),
    });
    // The agent was released after each try: never rung, nothing transferred, and the tries were the retry delay apart.
    expect(t.graph.requests.filter((r) => r.op === 'ring' || r.op === 'transfer')).toEqual([]);
    const events = caller.timeline();
    const tries = events.filter((e) => e.type === 'callbackDialed').map((e) => Date.parse(e.at));
    expect(tries).toHaveLength(3);
    for (let i = 1; i < tries.length; i++) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(120_000);
    expect(events.filter((e) => e.type === 'callbackNotAnswered')).toHaveLength(3);
    expect(events.some((e) => e.type === 'callbackFailed')).toBe(true);
    expect(caller.record()).toMatchObject({ outcome: 'callback' });
  });

  it('an agent who declines the callback: the person called back holds, and the next agent takes them', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    t.graph.agentBehaviour.set(adele, 'decline');
    const caller = await t.call({ dial: 'ra-support', from: '+14255550126' });
    await acceptOffer(caller);
    await caller.hears('callback-confirm.wav');
    await caller.press('1');
    await caller.hears('callback-accepted.wav');
    await until(() => t.graph.stateOf(caller.callId) === 'terminated', 'the caller’s call to end');
    await t.freeAgent(adele);
    // Adele declines: the person called back stays on the line with hold music, back in the queue.
    await until(() => {
      const ring = t.graph.requests.find((r) => r.op === 'ring');
      return ring !== undefined && t.graph.stateOf(ring.callId) === 'terminated';
    }, 'Adele to decline');
    await until(
      () => caller.heardOnCallback().filter((f) => f === 'hold-music.wav').length >= 2,
      'hold music for the person called back',
    );
    expect(caller.heardOnCallback()[0]).toBe('callback-intro.wav');
    await t.freeAgent(alex);
    const result = await caller.result();
    expect(result.outcome).toBe('callback');
    expect(queueResult(caller)).toMatchObject({ callback: { status: 'completed', attempts: 1, agentId: alex } });
    // One call to the number: offered to Adele (rung, declined), then to Alex, who took it.
    const [placed, ...more] = caller.callbackCalls();
    expect(more).toEqual([]);
    const rings = t.graph.requests.filter((r) => r.op === 'ring');
    expect(rings.map((r) => r.detail)).toEqual([{ agentId: adele }, { agentId: alex }]);
    expect(
      t.graph.requests.filter((r) => r.op === 'transfer' && r.callId === placed!.callId).map((r) => r.detail),
    ).toEqual([{ agentId: alex, replacesCallId: rings[1]!.callId }]);
    expect(caller.timeline().find((e) => e.type === 'offerFailed')?.payload).toMatchObject({
      agentId: adele,
      callback: true,
    });
    expect(caller.callback()).toMatchObject({ status: 'completed', agentId: alex });
  });

  it('an invalid number entered is re-prompted, and the callback goes to the number entered next', async () => {
    const t = await flowTests.start({ agents: 'busy' });
    const caller = await t.call({ dial: 'ra-support', from: '+14255550125' });
    await acceptOffer(caller);
    await caller.hears('callback-confirm.wav');
    await caller.press('2'); // another number
    await caller.hears('callback-enter-number.wav');
    await caller.press('12#');
    await caller.hears('callback-invalid-number.wav');
    await caller.hears('callback-enter-number.wav');
    await caller.press('4255550177#'); // a national number: the caller's +1
    await caller.hears('callback-accepted.wav');
    await until(() => t.graph.stateOf(caller.callId) === 'terminated', 'the caller’s call to end');
    await t.freeAgent(adele);
    const result = await caller.result();
    expect(result.outcome).toBe('callback');
    expect(caller.timeline().find((e) => e.type === 'callbackInvalidNumber')?.payload).toEqual({ keys: 2 });
    expect(caller.callbackCalls().map((c) => c.phone)).toEqual(['+14255550177']);
    expect(caller.callback()).toMatchObject({ number: '+14255550177', status: 'completed' });
  });
});

// Issue 28: runs last. Every history the tests above wrote (calls, callbacks, queues, agents), kept as each test's
// server stopped, replays on a fresh worker with the workflow code that wrote it.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
});
