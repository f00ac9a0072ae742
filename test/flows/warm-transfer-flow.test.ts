/**
 * Issue 24, points 4 and 7: FlowTest acts as an agent transferring. The agent talking to the caller in a conference
 * (test/fixtures/flows/transfer-line.ts: priority 2, a tag and data, the support queue by conference) sends them on
 * through the call's `transfer` Update; the same call workflow carries on. Warm to a queue: the caller hears hold
 * music, the next agent joins the group call (participant-invite.md, replacesCallId) and only then is the first
 * removed (participant-delete.md). Blind to a colleague: the first is removed at once. The CDR has one segment per
 * agent. On the time-skipping server with the simulated Graph; the histories written replay.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import type { SimulatedCaller } from '../../devkit/flow-testing/simulated-caller.js';
import { queues } from '../../flows/index.js';
import { agentStateQuery, agentWorkflowId, type AgentStateName } from '../../src/contracts/agent.js';
import { callWorkflowId } from '../../src/contracts/call.js';

const flows = fileURLToPath(new URL('../fixtures/flows/transfer-line.ts', import.meta.url));
const [adele, alex] = queues.support!.agents as [string, string];
const [megan] = queues.sales!.agents as [string];

let t: FlowTest;
beforeAll(async () => {
  t = await FlowTest.start({ flows });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** Let workflow time pass (rings, the whisper and its key) until the timeline has `count` entries of `type`. */
async function until(caller: SimulatedCaller, type: string, count = 1): Promise<void> {
  const n = () => caller.timeline().filter((e) => e.type === type).length;
  for (let i = 0; i < 40 && n() < count; i++) await caller.waits('2s');
  expect(
    n(),
    caller
      .timeline()
      .map((e) => `${e.type}${e.type === 'queueExit' ? JSON.stringify(e.payload) : ''}`)
      .join(' '),
  ).toBeGreaterThanOrEqual(count);
}

/** The reason the call workflow's validator gave for refusing the Update. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as { cause?: { message?: string } },
  );
  return err?.cause?.message ?? 'not refused';
}

/** The agent's state as their workflow has it now. */
const agentState = (agentId: string) =>
  t.env.client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery);

/** Poll (real time, a few ms) until the agent's workflow has handled what the call told it. */
async function agentBecomes(agentId: string, state: AgentStateName): Promise<void> {
  for (let i = 0; i < 50 && (await agentState(agentId)).state !== state; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect((await agentState(agentId)).state).toBe(state);
}

/**
 * A caller talking to Adele whom she sends on to billing, whose only agent is Adele herself: nobody takes the call, and
 * the caller waits on hold there with her still in the call.
 */
async function waitingInBillingWithAdele(from: string): Promise<SimulatedCaller> {
  await t.wait('60s');
  const caller = await t.call({ dial: 'ra-anything', from });
  await until(caller, 'conferenced');
  await t.transfer(caller.callId, { queue: 'billing' }, { by: adele });
  for (
    let i = 0;
    i < 10 && !t.graph.prompts.some((p) => p.callId === caller.callId && p.clientContext === 'hold-2');
    i++
  )
    await caller.waits('1s');
  return caller;
}

const ops = (callId: string) => t.graph.requests.filter((r) => r.callId === callId).map((r) => r.op);

describe('warm transfer (FlowTest as the agent transferring)', () => {
  it('warm to the sales queue: hold music, Megan joins, then Adele leaves; context and both agents kept', async () => {
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550180' });
    await until(caller, 'conferenced');
    const before = t.graph.requests.length;

    const result = await t.transfer(caller.callId, { queue: 'sales' }, { by: adele });
    expect(result).toEqual({ fromAgentId: adele, to: { queue: 'sales' }, blind: false, outcome: 'transferring' });
    await until(caller, 'conferenced', 2);
    // The timeline is written at milestones: Adele's removal shows first in Graph's requests.
    for (let i = 0; i < 20 && !ops(caller.callId).includes('removeParticipant'); i++) await caller.waits('1s');

    const after = t.graph.requests.slice(before).filter((r) => r.callId === caller.callId);
    // While Megan was offered the caller heard the queue's hold music (Switchboard is still in the call).
    const holdAt = after.findIndex(
      (r) => r.op === 'playPrompt' && (r.detail as { clientContext: string }).clientContext.startsWith('hold-'),
    );
    const inviteAt = after.findIndex((r) => r.op === 'invite');
    const removeAt = after.findIndex((r) => r.op === 'removeParticipant');
    expect(holdAt).toBeGreaterThanOrEqual(0);
    expect(after[inviteAt]?.detail).toMatchObject({ userId: megan });
    // Warm: Adele stayed until Megan was in the call, and was removed then.
    expect(removeAt).toBeGreaterThan(inviteAt);
    expect(after[removeAt]?.detail).toEqual({ participantId: `${caller.callId}-${adele}` });
    expect(t.graph.conference.roster(caller.callId).map((p) => p.userId ?? p.kind)).toEqual([
      'phone',
      'application',
      megan,
    ]);
    // The same workflow waited in sales with its priority (queued again, not a new call).
    const queued = caller.timeline().filter((e) => e.type === 'queued');
    expect(queued.map((e) => e.payload)).toEqual([
      { queue: 'support', requeue: false, priority: 2 },
      { queue: 'sales', requeue: true, priority: 2 },
    ]);

    await t.graph.conference.agentLeaves(caller.callId, megan);
    const summary = await caller.result();
    expect(summary).toMatchObject({ outcome: 'connected', agentId: megan });
    const record = caller.record()!;
    expect(record).toMatchObject({ queue: 'sales', agentId: megan, tags: ['vip'], data: { account: 'A-17' } });
    expect(record.segments).toEqual([
      {
        agentId: adele,
        queue: 'support',
        connectedAt: expect.any(String),
        endedAt: expect.any(String),
        endedBy: 'warmTransfer',
      },
      {
        agentId: megan,
        queue: 'sales',
        connectedAt: expect.any(String),
        endedAt: expect.any(String),
        endedBy: 'agent',
      },
    ]);
    // The time already waited in support is kept: the total wait is at least the first wait.
    const firstWait = (caller.timeline().find((e) => e.type === 'connected')!.payload as { waitSeconds: number })
      .waitSeconds;
    expect(summary.waitSeconds!).toBeGreaterThan(firstWait);
    expect(caller.path()).toEqual(['answer', 'setPriority', 'tag', 'set', 'queue']);
  });

  it('blind to a colleague: Adele leaves at once, Alex is rung and joins; a second transfer request is refused', async () => {
    await t.wait('60s'); // wrap-ups of the first test end
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550181' });
    await until(caller, 'conferenced');
    const before = t.graph.requests.length;
    await t.transfer(caller.callId, { agentId: alex }, { by: adele, blind: true });
    expect(await refusal(t.transfer(caller.callId, { queue: 'sales' }, { by: adele }))).toMatch(
      /no agent is talking to the caller now|already under way/,
    );
    await until(caller, 'conferenced', 2);
    const after = t.graph.requests.slice(before);
    const removeAt = after.findIndex((r) => r.op === 'removeParticipant');
    const ringAt = after.findIndex((r) => r.op === 'ring');
    // Blind: removed before the colleague was even rung.
    expect(removeAt).toBeGreaterThanOrEqual(0);
    expect(removeAt).toBeLessThan(ringAt);
    expect(after[ringAt]?.detail).toEqual({ agentId: alex });
    // Alex was reserved through his agent workflow, so he is on this call like any call a queue gave him.
    expect(await agentState(alex)).toMatchObject({
      state: 'onCall',
      reservation: { callWorkflowId: callWorkflowId(caller.callId), direct: true },
    });

    await t.graph.conference.callerLeaves(caller.callId);
    // The conference's end is reported by the call workflow (endReported): wrap-up, not presence.
    await agentBecomes(alex, 'wrapUp');
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: alex });
    expect(caller.record()!.segments?.map((s) => [s.agentId, s.endedBy])).toEqual([
      [adele, 'blindTransfer'],
      [alex, 'caller'],
    ]);
    expect(ops(caller.callId)).toContain('delete');
  });

  it('a caller who hangs up while waiting in the next queue ends the call abandoned; the first agent’s part ends', async () => {
    const caller = await waitingInBillingWithAdele('+14255550183');
    await t.graph.conference.callerLeaves(caller.callId);
    const summary = await caller.result();
    expect(summary).toMatchObject({ outcome: 'abandoned' });
    expect(caller.record()!.segments?.map((s) => [s.agentId, s.queue, s.endedBy])).toEqual([
      [adele, 'support', 'warmTransfer'],
    ]);
    expect(caller.timeline().map((e) => e.type)).toContain('callerLeftDuringTransfer');
  });

  it('a call that ends while the caller waits for the next agent ends the first agent’s part too: she wraps up', async () => {
    const caller = await waitingInBillingWithAdele('+14255550185');
    // The call ends as a whole (Graph's terminated), not by the roster losing the caller: nobody else tells Adele's
    // workflow, whose conference end is reported, never read from presence.
    await caller.hangUp();
    await caller.result();
    await agentBecomes(adele, 'wrapUp');
    expect(caller.timeline().map((e) => e.type)).toContain('agentTransferLeft');
  });

  it('a colleague on another call refuses the transfer with their state; the caller stays with Adele', async () => {
    await t.wait('60s');
    const first = await t.call({ dial: 'ra-anything', from: '+14255550184' });
    await until(first, 'conferenced');
    const second = await t.call({ dial: 'ra-anything', from: '+14255550185' });
    await until(second, 'conferenced'); // Adele is on the first call: Alex takes this one
    const rings = t.graph.requests.filter((r) => r.op === 'ring').length;

    expect(await refusal(t.transfer(first.callId, { agentId: alex }, { by: adele }))).toMatch(
      new RegExp(`the colleague is not available \\(agent ${alex} is onCall\\)`),
    );
    expect(t.graph.requests.filter((r) => r.op === 'ring').length).toBe(rings);
    expect(t.graph.conference.roster(first.callId).map((p) => p.userId ?? p.kind)).toContain(adele);
    // The refusal left no transfer under way: Adele can still send the caller on.
    expect(await refusal(t.transfer(first.callId, { agentId: adele }, { by: adele }))).toBe(
      'the caller is already talking to that agent',
    );

    await t.graph.conference.agentLeaves(first.callId, adele);
    await t.graph.conference.agentLeaves(second.callId, alex);
    expect(await first.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(await second.result()).toMatchObject({ outcome: 'connected', agentId: alex });
    expect(first.record()!.segments ?? []).toEqual([]);
    expect(first.timeline().find((e) => e.type === 'agentTransferRefused')?.payload).toEqual({
      fromAgentId: adele,
      agentId: alex,
      state: 'onCall',
    });
  });

  it('a colleague is reserved while they ring: routing offers them no other call, and frees them when nobody answers', async () => {
    await t.wait('60s');
    const first = await t.call({ dial: 'ra-anything', from: '+14255550186' });
    await until(first, 'conferenced');
    t.graph.agentBehaviour.set(alex, 'ignore'); // rings for the whole alert time (30 s)
    const ringsTo = (agentId: string) =>
      t.graph.requests.filter((r) => r.op === 'ring' && (r.detail as { agentId: string }).agentId === agentId).length;
    const before = ringsTo(alex);
    const ringsBefore = t.graph.requests.filter((r) => r.op === 'ring').length;

    await t.transfer(first.callId, { agentId: alex }, { by: adele });
    // The Update returns once Alex's workflow has accepted the reservation.
    expect(await agentState(alex)).toMatchObject({
      state: 'reserved',
      reservation: { callWorkflowId: callWorkflowId(first.callId), direct: true },
    });
    // A caller for support while Alex rings: Adele is on the first call and Alex is held for it.
    const second = await t.call({ dial: 'ra-anything', from: '+14255550187' });
    await second.waits('10s');
    // The only ring since the transfer is Alex's for it: the second caller was offered to nobody.
    expect(ringsTo(alex)).toBe(before + 1);
    expect(t.graph.requests.filter((r) => r.op === 'ring').length).toBe(ringsBefore + 1);
    await second.hangUp();
    expect(await second.result()).toMatchObject({ outcome: 'abandoned' });

    // Nobody answered: Alex is released (a miss, as from a queue), and the caller is still with Adele (warm).
    await first.waits('30s'); // the rest of the alert time
    t.graph.agentBehaviour.delete(alex);
    await agentBecomes(alex, 'available');
    expect((await agentState(alex)).misses).toBe(1);
    expect(t.graph.conference.roster(first.callId).map((p) => p.userId ?? p.kind)).toContain(adele);
    await t.graph.conference.agentLeaves(first.callId, adele);
    expect(await first.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(first.timeline().find((e) => e.type === 'agentTransferNotAnswered')?.payload).toEqual({
      agentId: alex,
      backTo: adele,
    });
  });

  it('a call whose talk has ended refuses a transfer (the validator: no history written)', async () => {
    await t.wait('60s');
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550182' });
    expect(await refusal(t.transfer(caller.callId, { queue: 'sales' }, { by: adele }))).toMatch(
      /no agent is talking to the caller now|not a conference/,
    );
    await until(caller, 'conferenced');
    expect(await refusal(t.transfer(caller.callId, { agentId: adele }, { by: adele }))).toBe(
      'the caller is already talking to that agent',
    );
    await t.graph.conference.agentLeaves(caller.callId, adele);
    await caller.result();
    const check = await t.checkHistories();
    expect(check.replayFailures).toEqual([]);
    expect(check.failedTasks).toEqual([]);
    expect(check.replayed.callWorkflow).toBe(9);
  });
});
