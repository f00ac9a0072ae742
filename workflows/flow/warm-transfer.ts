import { ApplicationFailure, condition, getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import type { ParticipantActivities } from '../../src/contracts/activities/participants.js';
import { agentCallEndedSignal, agentWorkflowId } from '../../src/contracts/agent.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import type { CallSegment, TransferRequest, TransferResult } from '../../src/contracts/transfer.js';
import { callActivities, failureDetails, type CallSession } from '../call-session.js';
import { CALL_TRANSFER_PATCH } from '../patches.js';
import { releaseColleague, reserveColleague, type ColleagueReservation } from './colleague.js';
import type { CallContext } from './context.js';
import { stayInConference } from './conference.js';
import { offerMembers, talkTimeForAgent } from './reservation.js';
import { supervisorsOf } from './supervise.js';

/**
 * Warm and blind transfer (issue 24, point 4), as the call workflow's `transfer` Update. The agent talking to the
 * caller (or a supervisor) sends the caller to another queue or to a colleague; the same call workflow carries on,
 * so the priority, tags, data, flow path and time already waited stay with the call. Switchboard is still in the
 * call (conference mode), so the caller hears the queue's hold music while the next agent is offered. Warm: the first
 * agent stays in the call until the next one is in, then is removed (participant-delete.md). Blind: removed at once.
 * The CDR gets one segment per agent (`call.segments`).
 */

const participants = callActivities<ParticipantActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '1m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** An agent talking to the caller, with what put them through. */
interface Talk {
  agentId: string;
  assignment: AgentAssignment;
  queue: string;
  connectedAt: string;
}

interface TransferState {
  /** The agent the caller talks to now (a transfer is taken only then). */
  talking?: Talk;
  /** A transfer asked for and not yet carried out. */
  pending?: TransferRequest;
  /** The colleague being reserved for a transfer asked for (the Update waits for their workflow's answer). */
  reserving?: boolean;
  /** The colleague reserved for the pending transfer, until their ring ends. */
  colleague?: ColleagueReservation;
  /** Colleague reservations asked for so far: each gets its own id. */
  reservations?: number;
  /** Warm: the agent who transferred, still in the call until the next one is in. */
  leaving?: Talk & { blind: boolean };
  /** Per agent, once the call has been transferred (none for a call that never was). */
  segments: CallSegment[];
  /** An agent has sent the caller on. */
  transferred?: boolean;
  /** From a transfer taken until the next agent talks: no agent to transfer from. */
  moving?: boolean;
  /** The talk is over (a survey may follow): nothing to transfer. */
  over?: boolean;
}

const states = new WeakMap<CallSession, TransferState>();
function stateOf(session: CallSession): TransferState {
  let s = states.get(session);
  if (!s) states.set(session, (s = { segments: [] }));
  return s;
}

/** Whether an agent has sent this caller on: the next agent then joins the group call, whatever the queue says. */
export function transferredBefore(session: CallSession): boolean {
  return states.get(session)?.transferred === true;
}

/** Why the Update is refused (the admin API's 409 or 400), or undefined. */
export function transferRefusal(session: CallSession, req: TransferRequest): string | undefined {
  const toQueue = typeof req.queue === 'string' && req.queue.length > 0;
  const toAgent = typeof req.agentId === 'string' && req.agentId.length > 0;
  if (toQueue === toAgent) return 'give either a queue or an agent to transfer to';
  if (typeof req.requestedBy !== 'string' || req.requestedBy.length === 0) return 'requestedBy is required';
  if (session.terminated) return 'the call has ended';
  const s = states.get(session);
  const talking = talkingNow(session);
  if (!talking) {
    return session.roster
      ? 'no agent is talking to the caller now'
      : 'the call is not a conference: Switchboard left it when it transferred the caller to the agent (connectBy transfer), so it cannot transfer it again';
  }
  if (s?.pending || s?.reserving) return 'a transfer of this call is already under way';
  if (toAgent && req.agentId === talking) return 'the caller is already talking to that agent';
  return undefined;
}

/**
 * The agent the caller talks to: the one talkWithTransfers watches, or one Graph's roster shows just put through by
 * conference (the CDR names them at once; the queue verb reports the offer before it starts watching the talk).
 */
function talkingNow(session: CallSession): string | undefined {
  const s = states.get(session);
  if (s?.talking) return s.talking.agentId;
  if (s?.moving || s?.over) return undefined;
  const { agentId, connectedBy } = session.recorder.record;
  const inCall = session.roster?.some((p) => p.kind === 'user' && p.userId === agentId) ?? false;
  return connectedBy === 'conference' && agentId !== undefined && inCall ? agentId : undefined;
}

/**
 * The Update: the talk in progress gives way to the transfer (talkWithTransfers carries it out). A colleague is
 * reserved first, through their agent workflow (colleague.ts): one who is not available fails the Update with their
 * state, and the talk goes on with the agent the caller has.
 */
export async function requestTransfer(session: CallSession, req: TransferRequest): Promise<TransferResult> {
  patched(CALL_TRANSFER_PATCH);
  const fromAgentId = talkingNow(session)!;
  const s = stateOf(session);
  const blind = req.blind === true;
  const to = req.queue ? { queue: req.queue } : { agentId: req.agentId! };
  if (req.agentId) {
    const assignment = s.talking?.assignment ?? session.assignment;
    s.reserving = true;
    try {
      s.colleague = await reserveColleague(session, {
        agentId: req.agentId,
        queue: s.talking?.queue ?? assignment?.queue ?? session.recorder.record.queue ?? '',
        alertSeconds: assignment?.alertSeconds ?? 0,
        attempt: (s.reservations = (s.reservations ?? 0) + 1),
      });
    } catch (err) {
      const refused = err instanceof ApplicationFailure ? (err.details?.[0] as { state?: string } | undefined) : {};
      session.recorder.event('agentTransferRefused', { fromAgentId, agentId: req.agentId, state: refused?.state });
      throw err;
    } finally {
      s.reserving = false;
    }
    if (talkingNow(session) !== fromAgentId) {
      // The talk ended while the colleague's workflow answered: nothing to transfer, and the colleague is free again.
      dropColleague(s, assignment);
      throw ApplicationFailure.create({
        message: 'the talk ended while the colleague was being reserved',
        nonRetryable: true,
      });
    }
  }
  s.pending = req;
  session.recorder.event('agentTransferRequested', { fromAgentId, ...to, blind, by: req.requestedBy });
  return { fromAgentId, to, blind, outcome: 'transferring' };
}

/**
 * After an agent is put through by conference: the talk, and any transfers the agents make. The last agent once the
 * talk is over (as stayInConference says); `{ queue }` when the caller is to wait in a queue again (the queue verb
 * goes on with them there). A colleague is rung here, the same way a queue's ring is.
 */
export async function talkWithTransfers(
  ctx: CallContext,
  first: { assignment: AgentAssignment; agentId: string; queue: string; holdMusic: string[] },
): Promise<{ queue: string } | { agentId: string }> {
  const s = stateOf(ctx.session);
  let talk: Talk = { ...first, connectedAt: ctx.recorder.record.connectedAt ?? new Date().toISOString() };
  for (;;) {
    await letGo(ctx, s);
    [s.talking, s.moving] = [talk, false];
    const end = await stayInConference(ctx, talk.assignment, talk.agentId, () => s.pending !== undefined);
    s.talking = undefined;
    const req = s.pending;
    s.pending = undefined;
    if (end || !req) dropColleague(s, talk.assignment); // reserved for a transfer the end of the talk overtook
    if (end) {
      // The talk is over. A transferred call's last segment ends with it.
      if (s.segments.length > 0) closeSegment(ctx, s, talk, end.endedBy, end.talkEndedAt);
      s.over = true;
      return { agentId: talk.agentId };
    }
    if (!req) return { agentId: talk.agentId };
    const blind = req.blind === true;
    [s.transferred, s.moving] = [true, true];
    s.leaving = { ...talk, blind };
    if (blind) await letGo(ctx, s);
    void watchWhileTransferring(ctx, s);
    if (req.queue) {
      ctx.recorder.event('agentTransferQueued', { fromAgentId: talk.agentId, queue: req.queue, blind });
      return { queue: req.queue };
    }
    const next = await ringColleague(ctx, talk, s.colleague!, first.holdMusic);
    s.colleague = undefined;
    if (next) {
      talk = next;
      continue;
    }
    if (s.leaving && !ctx.session.terminated) {
      // Warm, and the colleague did not take it: the first agent is still with the caller, and the talk goes on.
      ctx.recorder.event('agentTransferNotAnswered', { agentId: req.agentId, backTo: talk.agentId });
      s.leaving = undefined;
      continue;
    }
    // Blind, and nobody took it: back in the queue the caller came from, with the time already waited.
    ctx.recorder.event('agentTransferNotAnswered', { agentId: req.agentId, backToQueue: talk.queue });
    // A warm transfer whose call ended meanwhile: the first agent's part ends with it (see watchWhileTransferring).
    if (ctx.session.terminated) await letGo(ctx, s);
    return ctx.session.terminated ? { agentId: talk.agentId } : { queue: talk.queue };
  }
}

/**
 * Ring the reserved colleague directly and bring them in by conference, as a queue's offer does (offer.ts); their
 * workflow hears how it ended (connected: on call until this call reports the end; otherwise released).
 */
async function ringColleague(
  ctx: CallContext,
  from: Talk,
  colleague: ColleagueReservation,
  music: string[],
): Promise<Talk | undefined> {
  const a = from.assignment;
  const { agentId, reservationId } = colleague;
  const assignment: AgentAssignment = {
    queue: from.queue,
    agentId,
    reservationId,
    alertSeconds: a.alertSeconds,
    wrapUpSeconds: a.wrapUpSeconds,
    missesBeforeAway: a.missesBeforeAway,
    offerBy: 'ring',
    connectBy: 'conference',
    ...(a.confirm !== undefined ? { confirm: a.confirm } : {}),
    ...(a.confirmSeconds !== undefined ? { confirmSeconds: a.confirmSeconds } : {}),
  };
  ctx.recorder.event('agentTransferRinging', { fromAgentId: from.agentId, agentId });
  const offer = await ctx.steps.offerToAgents(ctx.session, assignment, { music });
  if (offer.agentId !== agentId || !offer.conference) {
    releaseColleague(assignment, offer.outcomes[agentId] === 'missed' ? 'missed' : 'cancelled');
    return undefined;
  }
  const connectedAt = new Date().toISOString();
  releaseColleague(assignment, 'connected', connectedAt);
  ctx.recorder.set({ agentId, connectedAt });
  ctx.recorder.event('connected', { agentId, transferredFrom: from.agentId });
  return { agentId, assignment, queue: from.queue, connectedAt };
}

/** The agent who transferred leaves: removed from the call if still in it, their part closed, their workflow told. */
async function letGo(ctx: CallContext, s: TransferState): Promise<void> {
  const leaving = s.leaving;
  if (!leaving) return;
  s.leaving = undefined;
  const inCall = ctx.session.roster?.find((p) => p.kind === 'user' && p.userId === leaving.agentId);
  if (inCall?.id !== undefined && !ctx.session.terminated) {
    try {
      await participants.removeParticipant({ callId: ctx.session.callId, participantId: inCall.id });
    } catch (err) {
      ctx.recorder.event('agentTransferRemoveFailed', { agentId: leaving.agentId, ...failureDetails(err) });
    }
  }
  const endedAt = new Date().toISOString();
  closeSegment(ctx, s, leaving, leaving.blind ? 'blindTransfer' : 'warmTransfer', endedAt);
  ctx.recorder.event('agentTransferLeft', { agentId: leaving.agentId, blind: leaving.blind });
  await tellCallEnded(leaving, endedAt);
}

/**
 * While the caller waits for the next agent: a warm transfer's first agent may hang up by themselves (their part
 * ends then), and the caller may hang up. The bot's group call goes on without the caller, so it is ended here: the
 * queue then sees a caller who left. Over once the next agent talks, or the call ends.
 */
async function watchWhileTransferring(ctx: CallContext, s: TransferState): Promise<void> {
  const { session } = ctx;
  const userIn = (userId: string) => session.roster?.some((p) => p.kind === 'user' && p.userId === userId) ?? false;
  const notCaller = () => [...(s.leaving ? [s.leaving.agentId] : []), ...supervisorsOf(session)];
  const callerGone = () =>
    session.roster !== undefined &&
    !session.roster.some(
      (p) => p.kind !== 'application' && !(p.kind === 'user' && notCaller().includes(p.userId ?? '')),
    );
  const leavingGone = () => s.leaving !== undefined && !userIn(s.leaving.agentId);
  const over = () => s.talking !== undefined || session.terminated;
  for (;;) {
    await condition(() => over() || callerGone() || leavingGone());
    // The call ended before a next agent talked (the queue gave the caller up, a hang-up): the first agent's part ends
    // with it. Their workflow hears the end from no one else (a conference's end is reported, not read from presence).
    if (session.terminated) await letGo(ctx, s);
    if (over()) return;
    if (callerGone()) {
      ctx.recorder.event('callerLeftDuringTransfer', {});
      await letGo(ctx, s);
      await session.hangUpQuietly();
      return;
    }
    // The first agent hung up before the next one came: their part ends now.
    await letGo(ctx, s);
  }
}

/** A colleague reserved for a transfer that will not ring them: free again. */
function dropColleague(s: TransferState, from: AgentAssignment | undefined): void {
  const colleague = s.colleague;
  s.colleague = undefined;
  if (!colleague || !from) return;
  releaseColleague({ ...from, ...colleague, group: undefined }, 'cancelled');
}

function closeSegment(
  ctx: CallContext,
  s: TransferState,
  talk: Talk,
  endedBy: NonNullable<CallSegment['endedBy']>,
  endedAt: string,
): void {
  s.segments.push({ agentId: talk.agentId, queue: talk.queue, connectedAt: talk.connectedAt, endedAt, endedBy });
  ctx.recorder.set({ segments: [...s.segments] });
}

async function tellCallEnded(talk: Talk, endedAt: string): Promise<void> {
  const reservationId = offerMembers(talk.assignment).find((m) => m.agentId === talk.agentId)?.reservationId;
  // When they left the call, so their wrap-up starts then (as conference.ts does for a talk that ends).
  const at = talkTimeForAgent(endedAt);
  await getExternalWorkflowHandle(agentWorkflowId(talk.agentId))
    .signal(agentCallEndedSignal, { ...(reservationId ? { reservationId } : {}), ...(at !== undefined ? { at } : {}) })
    .catch((err: unknown) =>
      log.warn('could not tell the agent the call ended', { agentId: talk.agentId, error: String(err) }),
    );
}
