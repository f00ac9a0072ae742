/**
 * Issue 24, point 7: the flow test kit covers connectBy. A flow's `call.queue('support', { connectBy: 'conference' })`
 * (test/fixtures/flows/conference-line.ts) puts the agent through by participants/invite instead of a transfer; the
 * test makes the agent, or the caller, leave the group call (FlowTest's graph.conference) and the call ends as the
 * roster says. On the time-skipping server with the simulated Graph.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import { queues } from '../../flows/index.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { superviseUpdate } from '../../src/contracts/supervise.js';

const flows = fileURLToPath(new URL('../fixtures/flows/conference-line.ts', import.meta.url));
const [adele] = queues.support!.agents as [string];

let t: FlowTest | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const payloads = (t: FlowTest, callId: string, type: string) =>
  t.graph
    .events(callId)
    .filter((e) => e.type === type)
    .map((e) => e.payload as Record<string, unknown>);

/** Let workflow time pass (the agent's ring, the whisper and its key) until the caller is put through. */
async function conferenced(t: FlowTest, caller: { callId: string; waits(d: string): Promise<void> }): Promise<void> {
  for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
  expect(t.graph.eventTypes(caller.callId)).toContain('conferenced');
}

describe('connectBy in flows (FlowTest)', () => {
  it('call.queue(…, { connectBy: conference }): invite, not transfer; the agent leaving ends the talk', async () => {
    t = await FlowTest.start({ flows });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550170' });
    await conferenced(t, caller);
    const invites = t.graph.requests.filter((r) => r.op === 'invite');
    expect(invites).toEqual([
      {
        op: 'invite',
        callId: caller.callId,
        detail: { userId: adele, replacesCallId: expect.stringMatching(/^ring-/) },
      },
    ]);
    expect(t.graph.requests.some((r) => r.op === 'transfer')).toBe(false);
    expect(t.graph.conference.roster(caller.callId).map((p) => p.kind)).toEqual(['phone', 'application', 'user']);

    await t.graph.conference.agentLeaves(caller.callId, adele);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(payloads(t, caller.callId, 'conferenceEnded')).toEqual([{ agentId: adele, endedBy: 'agent' }]);
    // Switchboard confirmed the roster with Graph's list once, then hung up the call it stayed in.
    expect(t.graph.requests.filter((r) => r.op === 'listParticipants')).toHaveLength(1);
    expect(t.graph.requests.some((r) => r.op === 'delete' && r.callId === caller.callId)).toBe(true);
  });

  it('the caller leaving the group call ends the talk too (endedBy caller)', async () => {
    t = await FlowTest.start({ flows });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550171' });
    await conferenced(t, caller);
    await t.graph.conference.callerLeaves(caller.callId);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(payloads(t, caller.callId, 'conferenceEnded')).toEqual([{ agentId: adele, endedBy: 'caller' }]);
  });

  it('FlowTest acts as a supervisor: monitor joins muted through the call’s supervise Update; a no-answer is said', async () => {
    t = await FlowTest.start({ flows });
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550172' });
    await conferenced(t, caller);
    const call = t.env.client.workflow.getHandle(callWorkflowId(caller.callId));
    const monitor = await call.executeUpdate(superviseUpdate, {
      args: [{ supervisorId: 'flow-supervisor', mode: 'monitor' }],
    });
    expect(monitor).toEqual({ supervisorId: 'flow-supervisor', mode: 'monitor', outcome: 'joined', muted: true });
    expect(t.graph.requests.filter((r) => r.op === 'muteParticipant')).toHaveLength(1);
    expect(t.graph.conference.roster(caller.callId).find((p) => p.userId === 'flow-supervisor')).toMatchObject({
      muted: true,
    });
    t.graph.conference.unanswered.add('away-supervisor');
    const barge = await call.executeUpdate(superviseUpdate, {
      args: [{ supervisorId: 'away-supervisor', mode: 'barge' }],
    });
    expect(barge).toMatchObject({ outcome: 'notJoined', muted: false });
    // The supervisor is not the caller: the agent leaving still ends the talk.
    await t.graph.conference.agentLeaves(caller.callId, adele);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(payloads(t, caller.callId, 'conferenceEnded')).toEqual([{ agentId: adele, endedBy: 'agent' }]);
  });
});
