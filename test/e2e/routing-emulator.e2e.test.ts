import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callResult, eventually, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { ringRequests, testQueue } from '../helpers/routing.js';
import { agentStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';
import type { RecordedRequest } from '../../devkit/emulator/types.js';

// Offers over HTTP: the emulator's scripted agents are rung by real createCall requests, and the caller is put onto
// the winner's call with a consultative transfer. Media at real speed, so the emulator's own no-answer timeout (30 s)
// is longer than the queue's alert time (15 s): an unanswered ring is ended by Switchboard, on its alert time.
const [fast, slow, never] = ['ring-fast', 'ring-slow', 'ring-never'];
let stack: TestStack;

beforeAll(async () => {
  const support = testQueue('support', [fast, slow, never], {
    method: 'attendant',
    alertSeconds: 15,
    wrapUpSeconds: 0,
    reofferAfterSeconds: 3600,
    presenceBased: false,
    maxWaitSeconds: 2700,
  });
  stack = await startTestStack({ EMULATOR_MEDIA_SPEED: '1' }, { queues: { support } });
});

afterAll(async () => {
  await stack?.stop();
});

const emulator = () => stack.emulator!;
const agentState = (id: string) => stack.client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);

/** The rings placed for a caller: createCall requests whose callbackUri names the caller's workflow. */
function ringsFor(callId: string): (RecordedRequest & { agentId: string; ringCallId: string })[] {
  return ringRequests(emulator().requests, callId)
    .filter((r) => r.status === 201)
    .map((r) => ({
      ...r,
      agentId: (r.body as { targets: { identity: { user: { id: string } } }[] }).targets[0]!.identity.user.id,
      ringCallId: r.callId!,
    }));
}

describe('offers through the Graph emulator', () => {
  it('attendant: all three ring at once, the first to answer gets the caller, the other rings are stopped', async () => {
    emulator().setAgent(fast, { onTransfer: 'accept', answerAfterMs: 500, talkMs: 1500 });
    emulator().setAgent(slow, { onTransfer: 'accept', answerAfterMs: 8000, talkMs: 1500 });
    emulator().setAgent(never, { onTransfer: 'ignore' });
    const { callId } = await emulator().placeCall({ from: { phone: '+14255550171' } });
    const summary = await callResult(stack.client, callId);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: fast });

    const rings = ringsFor(callId);
    expect(rings.map((r) => r.agentId).sort()).toEqual([fast, never, slow].sort());
    const ringOf = (agentId: string) => rings.find((r) => r.agentId === agentId)!.ringCallId;
    // The caller went onto the fast agent's call; the other two rings were hung up by Switchboard (DELETE).
    const transfer = emulator().requests.find((r) => r.path.endsWith(`/calls/${callId}/transfer`))!;
    expect(transfer.body).toMatchObject({
      transferTarget: { identity: { user: { id: fast } }, replacesCallId: ringOf(fast) },
    });
    for (const loser of [slow, never]) {
      expect(emulator().requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/calls/${ringOf(loser)}`))).toBe(
        true,
      );
      expect(emulator().getCall(ringOf(loser))).toMatchObject({ state: 'terminated' });
      expect(
        emulator()
          .getCall(ringOf(loser))!
          .history.some((h) => h.kind === 'notification' && JSON.stringify(h).includes('"established"')),
      ).toBe(false);
    }
    expect(emulator().getCall(callId)!.transfer).toMatchObject({ outcome: 'accepted', target: { userId: fast } });
    // Stopped because another agent answered: nobody missed it.
    for (const id of [slow, never]) {
      await eventually(
        async () => ((await agentState(id)).state === 'available' ? true : undefined),
        `${id} free again`,
      );
      expect((await agentState(id)).misses).toBe(0);
    }
  });

  it('nobody answers: every ring ends on the alert time, each agent missed it, and the caller waits on', async () => {
    for (const id of [fast, slow, never]) emulator().setAgent(id, { onTransfer: 'ignore' });
    await eventually(
      async () => ((await agentState(fast)).state === 'available' ? true : undefined),
      'the last call over',
    );
    const { callId } = await emulator().placeCall({ from: { phone: '+14255550172' }, hangUpAfterMs: 30_000 });
    const summary = await callResult(stack.client, callId);
    expect(summary.outcome).toBe('abandoned');

    const rings = ringsFor(callId);
    expect(rings.map((r) => r.agentId).sort()).toEqual([fast, never, slow].sort());
    for (const ring of rings) {
      const hangUp = emulator().requests.find(
        (r) => r.method === 'DELETE' && r.path.endsWith(`/calls/${ring.ringCallId}`),
      );
      expect(hangUp, `Switchboard stopped the ring to ${ring.agentId}`).toBeDefined();
      // It rang for the queue's alert time (15 s), not Graph's own 30 s: hung up by us, no sooner than 15 s after it
      // started and well before Graph would have ended it.
      const rang = Date.parse(hangUp!.at) - Date.parse(ring.at);
      expect(rang).toBeGreaterThanOrEqual(15_000);
      expect(rang).toBeLessThan(25_000);
      expect(
        emulator()
          .getCall(ring.ringCallId)!
          .history.some((h) => h.kind === 'notification' && JSON.stringify(h).includes('"established"')),
      ).toBe(false);
    }
    for (const id of [fast, slow, never]) expect((await agentState(id)).misses).toBe(1);
    // The caller heard hold music the whole time and was never transferred.
    expect(emulator().requests.some((r) => r.path.endsWith(`/calls/${callId}/transfer`))).toBe(false);
  });
});

// Issue 28: runs last. The calls, the queue, the agents and the presence poller replay on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, {
    expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow', 'presencePollerWorkflow'],
  });
});
