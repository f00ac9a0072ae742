import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { GraphActivities } from '../../src/contracts/activities/graph.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import {
  callActivities,
  failureDetails,
  graph,
  ESTABLISH_WAIT,
  TRANSFER_MAX,
  type CallSession,
} from '../call-session.js';
import type { CallContext } from './context.js';
import { holdMusicWhile } from './hold-music.js';
import { offerMembers, type AgentOfferOutcome, type OfferResult } from './reservation.js';
import { transferTakenBefore } from './transfer-taken.js';
import { ringEndOutcome } from './ring-end.js';
import { callPatched } from '../call-patches.js';
import {
  ADOPT_STRAY_RING_PATCH,
  CONFERENCE_CONNECT_PATCH,
  OFFER_CONFIRMS_HUMAN_PATCH,
  OFFER_TRANSFER_ALREADY_TAKEN_PATCH,
} from '../patches.js';
import { conferenceIn } from './conference.js';
import { HumanCheck } from './confirm-human.js';

// A retried ring could ring the agent twice: a few quick tries only (429/5xx are refused before a call exists).
const ringer = callActivities<GraphActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
});

/**
 * Offer `target` (the caller, or a person called back) to the reserved agent(s), the way the queue says: by ringing
 * them for the alert time, or by a blind transfer. Hold music goes on while agents ring. The caller's own session
 * says how it ended (connected: transferAccepted).
 */
export async function offerToAgents(
  ctx: CallContext,
  target: CallSession,
  a: AgentAssignment,
  hold: { music: string[]; playing?: string },
): Promise<OfferResult> {
  // Assignments without a mode come from queues older than offer modes, which made blind transfers.
  if (a.offerBy === undefined || a.offerBy === 'transfer') return transferTo(ctx, target, a);
  return ring(ctx, target, a, hold);
}

/**
 * Ring every member with a call of our own, for exactly the alert time. The first to answer wins: the other rings
 * stop at once and the caller is transferred onto the winner's call (consultative transfer, `replacesCallId`).
 */
async function ring(
  ctx: CallContext,
  target: CallSession,
  a: AgentAssignment,
  hold: { music: string[]; playing?: string },
): Promise<OfferResult> {
  const { session, recorder } = ctx;
  const members = offerMembers(a);
  const outcomes: Record<string, AgentOfferOutcome> = {};
  const legs = new Map<string, CallSession>();
  const webhook = ctx.callbackUri;
  // Our webhook, naming this workflow: Graph sends the rings' notifications there, and the webhook signals us.
  const callbackUri = `${webhook}${webhook.includes('?') ? '&' : '?'}workflowId=${encodeURIComponent(workflowInfo().workflowId)}`;
  recorder.event('ringing', { agents: members.map((m) => m.agentId), alertSeconds: a.alertSeconds });
  // An answered ring must prove that the agent took it (a voicemail or a forward answers too): see confirm-human.ts.
  const check = callPatched(OFFER_CONFIRMS_HUMAN_PATCH) ? new HumanCheck(ctx, target, a) : undefined;

  let ringing = true;
  const music = holdMusicWhile(target, hold, () => ringing);
  await Promise.all(
    members.map(async ({ agentId }) => {
      try {
        const { callId } = await ringer.ringAgent({
          agentId,
          callbackUri,
          ...(ctx.incoming.tenantId ? { tenantId: ctx.incoming.tenantId } : {}),
          ...(ctx.incoming.to.applicationInstanceId
            ? { applicationInstanceId: ctx.incoming.to.applicationInstanceId }
            : {}),
        });
        legs.set(agentId, session.attachLeg(callId));
      } catch (err) {
        // Graph would not ring them (unknown user, throttled): not the agent's miss, but rest them for this call as
        // for a busy agent, so a refusal that lasts doesn't become a loop of rings.
        outcomes[agentId] = 'busy';
        recorder.event('ringFailed', { agentId, ...failureDetails(err) });
      }
    }),
  );
  const leg = (agentId: string) => legs.get(agentId);
  for (const [agentId, l] of legs) check?.watch(agentId, l, () => !ringing || target.terminated);
  // A ring placed twice to one agent (its request made again after Graph's answer was lost) may be the one they take:
  // then it is their call, and ours to them is ended. Of a group, which member a stray call rang is not known.
  const adoptStrays = members.length === 1 && callPatched(ADOPT_STRAY_RING_PATCH);
  const strayAnswered = () => (adoptStrays ? session.answeredStray() : undefined);
  const answered = () =>
    members.find((m) => (check ? check.confirmed(m.agentId) : leg(m.agentId)?.state === 'established'));
  const refused = (agentId: string) => (check?.result(agentId) ?? 'confirmed') !== 'confirmed';
  const allDown = () => members.every((m) => (leg(m.agentId)?.terminated ?? true) || refused(m.agentId));
  if (legs.size > 0) {
    await condition(
      () => Boolean(answered()) || Boolean(strayAnswered()) || allDown() || target.terminated,
      a.alertSeconds * 1000,
    );
    // A ring answered near the end of the alert time still gets its confirm time.
    if (check?.busy && !answered() && !strayAnswered() && !target.terminated)
      await condition(() => Boolean(answered()) || !check.busy || target.terminated, check.maxMs);
  }
  const stray = answered() || target.terminated ? undefined : strayAnswered();
  if (stray !== undefined) {
    const agentId = members[0]!.agentId;
    const placed = leg(agentId);
    recorder.event('strayRingAnswered', {
      agentId,
      legCallId: stray,
      ...(placed ? { replacedLegCallId: placed.callId } : {}),
    });
    if (placed && !placed.terminated) await placed.hangUpQuietly();
    const adopted = session.attachLeg(stray);
    legs.set(agentId, adopted);
    await check?.check(agentId, adopted);
  }
  // The caller's call ended because our transfer to the confirmed agent was carried out (before a worker died; its
  // notifications were applied first): that is a connected call, not a caller who left.
  const alreadyTaken =
    target.terminated &&
    target.transferAccepted &&
    Boolean(answered()) &&
    callPatched(OFFER_TRANSFER_ALREADY_TAKEN_PATCH);
  const winner = target.terminated && !alreadyTaken ? undefined : answered();
  ringing = false;

  // Everyone else stops ringing now. A ring that ended by itself says why: busy is Graph's doing (presence lags),
  // declined or unanswered is the agent's.
  const stops: Promise<void>[] = [];
  for (const { agentId } of members) {
    const l = leg(agentId);
    if (!l || agentId === winner?.agentId) continue;
    const checked = check?.result(agentId);
    if (checked !== undefined && checked !== 'confirmed') {
      // Hung up by the check already. A voicemail, a forward or no key is the agent's miss, unless the caller left.
      outcomes[agentId] = target.terminated || checked === 'failed' ? 'cancelled' : 'missed';
    } else if (l.terminated) outcomes[agentId] = ringEndOutcome(agentId, l);
    else {
      outcomes[agentId] = winner || target.terminated ? 'cancelled' : 'missed';
      stops.push(l.hangUpQuietly());
    }
  }
  // A ring placed twice (its request retried after a worker died) rings on untracked: end it with the others.
  for (const stray of session.takeStrayCalls()) {
    recorder.event('strayRingStopped', { legCallId: stray });
    stops.push(
      graph
        .hangUp({ callId: stray })
        .catch((err: unknown) => recorder.event('hangUpFailed', { legCallId: stray, ...failureDetails(err) })),
    );
  }
  await Promise.all(stops);
  const unanswered = members.filter((m) => outcomes[m.agentId] === 'missed').map((m) => m.agentId);
  if (!winner) {
    recorder.event(target.terminated ? 'ringStopped' : 'ringNotAnswered', {
      agents: members.map((m) => m.agentId),
      unanswered,
    });
    await music;
    return { outcomes };
  }

  const agentLeg = leg(winner.agentId)!;
  recorder.event('agentAnswered', { agentId: winner.agentId, ringCallId: agentLeg.callId });
  await music; // no hold-music request may cross the transfer
  if (alreadyTaken) {
    recorder.event('transferTakenBefore', { agentId: winner.agentId, state: 'transferAccepted' });
    outcomes[winner.agentId] = 'connected';
    return { agentId: winner.agentId, outcomes };
  }
  if (a.connectBy === 'conference' && patched(CONFERENCE_CONNECT_PATCH)) {
    const joined = await conferenceIn(ctx, target, winner.agentId, agentLeg);
    outcomes[winner.agentId] = joined ? 'connected' : 'cancelled';
    if (joined) return { agentId: winner.agentId, outcomes, conference: true };
    await agentLeg.hangUpQuietly();
    return { outcomes };
  }
  // Only the failure of an earlier offer is forgotten. A transfer that was accepted is never forgotten: when a worker
  // died before this request's task completed, the request is made again after the transfer's notifications have
  // already been applied, and Graph refuses the repeat; the call is connected all the same.
  target.transferFailed = false;
  let error: unknown;
  try {
    await graph.transferCall({
      callId: target.callId,
      agentId: winner.agentId,
      clientContext: `offer-${winner.agentId}`,
      replacesCallId: agentLeg.callId,
    });
    recorder.event('transferRequested', { agentId: winner.agentId, replacesCallId: agentLeg.callId });
    const settled = () => target.transferAccepted || target.transferFailed || target.terminated;
    // The agent is already on the line: the transfer completes within moments, or Graph says why not.
    if (!(await condition(settled, ESTABLISH_WAIT))) await target.refreshFromGraph();
  } catch (err) {
    recorder.event('transferFailed', { agentId: winner.agentId, ...failureDetails(err) });
    if (!(await transferTakenBefore(target))) error = err;
  }
  if (target.transferAccepted) {
    outcomes[winner.agentId] = 'connected';
    return { agentId: winner.agentId, outcomes };
  }
  // The caller left, or Graph refused the transfer: the agent did answer, so it isn't their miss. End our call to them.
  outcomes[winner.agentId] = 'cancelled';
  await agentLeg.hangUpQuietly();
  return { outcomes, ...(error !== undefined ? { error } : {}) };
}

/** Blind transfer: Graph rings the agent until it gives up; the alert time is only what we expect and record. */
async function transferTo(ctx: CallContext, target: CallSession, a: AgentAssignment): Promise<OfferResult> {
  const { recorder } = ctx;
  const { agentId } = a;
  target.transferFailed = false;
  let error: unknown;
  try {
    await graph.transferCall({ callId: target.callId, agentId, clientContext: `offer-${agentId}` });
    recorder.event('transferRequested', { agentId });
    const settledNow = () => target.transferAccepted || target.transferFailed || target.terminated;
    let settled = await condition(settledNow, a.alertSeconds * 1000 + 5000);
    if (!settled) {
      recorder.event('alertTimeExceeded', { agentId, alertSeconds: a.alertSeconds });
      settled = await condition(settledNow, TRANSFER_MAX);
    }
    if (!settled) await target.refreshFromGraph();
  } catch (err) {
    recorder.event('transferFailed', failureDetails(err));
    if (!(await transferTakenBefore(target))) error = err;
  }
  if (target.transferAccepted) return { agentId, outcomes: { [agentId]: 'connected' } };
  // A refused request (the agent is busy elsewhere, Graph said no) is not the agent's miss; a ring that went
  // unanswered or was declined is, and counts toward pausing the agent.
  return {
    outcomes: { [agentId]: target.terminated || error !== undefined ? 'cancelled' : 'missed' },
    ...(error !== undefined ? { error } : {}),
  };
}
