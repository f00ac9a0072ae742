import { condition, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { ParticipantActivities } from '../../src/contracts/activities/participants.js';
import { agentCallEndedSignal, agentWorkflowId } from '../../src/contracts/agent.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import type { RosterParticipant } from '../../src/contracts/graph-call.js';
import { callActivities, failureDetails, ESTABLISH_WAIT, type CallSession } from '../call-session.js';
import type { CallContext } from './context.js';
import { offerMembers, talkTimeForAgent } from './reservation.js';
import { supervisorsOf } from './supervise.js';

/**
 * Connect by conference (issue 24, point 1): the agent who answered our ring is moved into the caller's call by
 * participants/invite with `replacesCallId` (participant-invite.md, example 3). The caller's call becomes a group
 * call, our ring to the agent ends, and Switchboard stays in the call: from then on, who is in it comes from roster
 * notifications (`updated` on …/participants), so the talk's start and end are Graph's, not the agent's presence.
 */

const participants = callActivities<ParticipantActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '1m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** How long a conversation goes without a roster change before we ask Graph for the roster (a lost notification). */
const ROSTER_CHECK_EVERY = '10m';

const hasUser = (roster: RosterParticipant[] | undefined, userId: string) =>
  roster?.some((p) => p.kind === 'user' && p.userId === userId) ?? false;
/** Whether the caller is still in the call: anyone but the app and the agents Switchboard invited. */
const hasCaller = (roster: RosterParticipant[] | undefined, agents: string[]) =>
  roster?.some((p) => p.kind !== 'application' && !(p.kind === 'user' && agents.includes(p.userId ?? ''))) ?? true;

/**
 * Invite the agent into the caller's call in place of our ring to them. True once the roster shows them in it. A
 * request whose answer was lost (a worker died) and was made again is refused by Graph, as the ring call has gone:
 * then the roster, listed, says whether the first one was carried out.
 */
export async function conferenceIn(
  ctx: CallContext,
  target: CallSession,
  agentId: string,
  agentLeg: CallSession,
): Promise<boolean> {
  const { recorder } = ctx;
  const clientContext = `conference-${agentId}`;
  let operationId: string | undefined;
  try {
    ({ operationId } = await participants.inviteParticipant({
      callId: target.callId,
      userId: agentId,
      clientContext,
      replacesCallId: agentLeg.callId,
    }));
    recorder.event('conferenceInviting', { agentId, replacesCallId: agentLeg.callId, operationId });
  } catch (err) {
    recorder.event('conferenceInviteFailed', { agentId, ...failureDetails(err) });
  }
  const failed = () => operationId !== undefined && target.operations.get(operationId)?.status === 'failed';
  const joined = () => hasUser(target.roster, agentId);
  if (operationId !== undefined) await condition(() => joined() || failed() || target.terminated, ESTABLISH_WAIT);
  if (!joined() && !failed() && !target.terminated) await refreshRoster(target);
  if (joined()) {
    recorder.event('conferenced', { agentId });
    recorder.set({ connectedBy: 'conference' });
    return true;
  }
  recorder.event('conferenceNotJoined', {
    agentId,
    ...(failed() ? { resultInfo: target.operations.get(operationId!)?.payload } : {}),
  });
  return false;
}

/** How a conference ended for the agent: who left first, and when (ISO, the roster notification's arrival). */
export interface ConferenceEnd {
  endedBy: 'agent' | 'caller' | 'call';
  talkEndedAt: string;
}

/**
 * Stay in the call while the agent talks to the caller: until the roster shows either gone, or the call ends. A
 * roster without one of them is checked by listing the participants first (Graph's examples show rosters cut
 * short, "might be shortened for readability"), so a partial roster never ends a conversation. The agent's workflow
 * is told the call ended then: their wrap-up starts from the roster, not from their Teams presence (which lags).
 */
export async function stayInConference(
  ctx: CallContext,
  a: AgentAssignment,
  agentId: string,
  transferring: () => boolean = () => false,
): Promise<ConferenceEnd | undefined> {
  const end = await untilTalkEnds(ctx, agentId, transferring);
  // An agent's transfer (warm-transfer.ts) ends their part, not the talk: the agent is told when they leave.
  if (!end) return undefined;
  const reservationId = offerMembers(a).find((m) => m.agentId === agentId)?.reservationId;
  // The roster's moment, so the agent's wrap-up (and the dashboards' talk time) starts at the CDR's talk_ended_at.
  const at = talkTimeForAgent(end.talkEndedAt);
  await getExternalWorkflowHandle(agentWorkflowId(agentId))
    .signal(agentCallEndedSignal, { ...(reservationId ? { reservationId } : {}), ...(at !== undefined ? { at } : {}) })
    .catch((err: unknown) => log.warn('could not tell the agent the call ended', { agentId, error: String(err) }));
  return end;
}

async function untilTalkEnds(
  ctx: CallContext,
  agentId: string,
  transferring: () => boolean,
): Promise<ConferenceEnd | undefined> {
  const { session, recorder } = ctx;
  const agentIn = () => hasUser(session.roster, agentId);
  // Supervisors who joined (barge, monitor) are Teams users too: they are not the caller.
  const callerIn = () => hasCaller(session.roster, [agentId, ...supervisorsOf(session)]);
  // Who the roster showed gone first: the one who ended the talk (the other follows, as the agent does a caller).
  const goneNow = (): ConferenceEnd['endedBy'] | undefined =>
    session.terminated ? 'call' : !callerIn() ? 'caller' : !agentIn() ? 'agent' : undefined;
  let endedBy: ConferenceEnd['endedBy'] | undefined;
  let talkEndedAt = '';
  while (endedBy === undefined) {
    await condition(() => goneNow() !== undefined || transferring(), ROSTER_CHECK_EVERY);
    const seen = goneNow();
    if (seen === undefined && transferring()) return undefined;
    const at = new Date().toISOString();
    if (seen === 'call') [endedBy, talkEndedAt] = ['call', at];
    else {
      // Quiet for long, or someone gone: Graph's list says who is really there.
      await refreshRoster(session);
      if (goneNow() !== undefined) [endedBy, talkEndedAt] = [seen ?? goneNow()!, at];
    }
  }
  recorder.event('conferenceEnded', { agentId, endedBy });
  // The CDR's exact talk end (issue 24, point 2): when Graph's roster showed it, not the agent's presence.
  recorder.set({ talkEndedAt, talkEndedBy: endedBy });
  return { endedBy, talkEndedAt };
}

/** The roster as Graph lists it now (call-list-participants.md); on failure, the notifications' roster stands. */
async function refreshRoster(session: CallSession): Promise<void> {
  try {
    session.roster = await participants.listParticipants({ callId: session.callId });
  } catch (err) {
    session.recorder.event('rosterListFailed', failureDetails(err));
    if (session.state !== 'established') await session.refreshFromGraph();
  }
}
