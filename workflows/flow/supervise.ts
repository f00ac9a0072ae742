import { condition, patched } from '@temporalio/workflow';
import type { ParticipantActivities } from '../../src/contracts/activities/participants.js';
import { SUPERVISE_MODES, type SuperviseRequest, type SuperviseResult } from '../../src/contracts/supervise.js';
import { callActivities, failureDetails, type CallSession } from '../call-session.js';
import { CALL_SUPERVISE_PATCH } from '../patches.js';

/**
 * Supervisor barge and monitor (issue 24, point 3), as the call workflow's `supervise` Update. The supervisor is
 * invited into the caller's group call (participants/invite without replacesCallId: Graph rings them); for
 * `monitor` they are server-muted once the roster shows them. Graph's documented limits hold: everyone in the call
 * sees the supervisor in the roster, and a muted supervisor still hears everyone (a server mute drops what they
 * send, participant-mute.md).
 */

const participants = callActivities<ParticipantActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '1m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** How long the supervisor's phone may ring (Graph's own ring timeout ends it anyway). */
const JOIN_WAIT = '60s';

const supervising = new WeakMap<CallSession, Set<string>>();

/** Supervisors who joined this call (a caller leaving is told apart from them). */
export function supervisorsOf(session: CallSession): string[] {
  return [...(supervising.get(session) ?? [])];
}

/** Why the Update is refused (the admin API's 409), or undefined. */
export function superviseRefusal(session: CallSession, req: SuperviseRequest): string | undefined {
  if (!SUPERVISE_MODES.includes(req.mode)) return `mode must be one of ${SUPERVISE_MODES.join(', ')}`;
  if (typeof req.supervisorId !== 'string' || req.supervisorId.length === 0) return 'supervisorId is required';
  if (session.terminated) return 'the call has ended';
  if (!session.roster)
    return 'the call is not a conference: only calls put through by conference (connectBy) can be joined';
  if (session.roster.some((p) => p.kind === 'user' && p.userId === req.supervisorId))
    return 'the supervisor is already in the call';
  return undefined;
}

export async function supervise(session: CallSession, req: SuperviseRequest): Promise<SuperviseResult> {
  patched(CALL_SUPERVISE_PATCH);
  const { recorder } = session;
  const { supervisorId, mode } = req;
  recorder.event('superviseRequested', { supervisorId, mode });
  const inCall = () => session.roster?.find((p) => p.kind === 'user' && p.userId === supervisorId);
  let operationId: string | undefined;
  try {
    ({ operationId } = await participants.inviteParticipant({
      callId: session.callId,
      userId: supervisorId,
      clientContext: `supervise-${mode}-${supervisorId}`,
    }));
  } catch (err) {
    recorder.event('superviseFailed', { supervisorId, mode, ...failureDetails(err) });
    return { supervisorId, mode, outcome: 'notJoined', muted: false };
  }
  const failed = () => session.operations.get(operationId!)?.status === 'failed';
  await condition(() => Boolean(inCall()) || failed() || session.terminated, JOIN_WAIT);
  const joined = inCall();
  if (!joined) {
    recorder.event('superviseNotJoined', { supervisorId, mode });
    return { supervisorId, mode, outcome: 'notJoined', muted: false };
  }
  const set = supervising.get(session) ?? new Set<string>();
  set.add(supervisorId);
  supervising.set(session, set);
  let muted = false;
  if (mode === 'monitor' && joined.id !== undefined) {
    try {
      await participants.muteParticipant({
        callId: session.callId,
        participantId: joined.id,
        clientContext: `monitor-${supervisorId}`,
      });
      muted = true;
    } catch (err) {
      recorder.event('superviseMuteFailed', { supervisorId, ...failureDetails(err) });
    }
  }
  recorder.event('superviseJoined', { supervisorId, mode, muted });
  return { supervisorId, mode, outcome: 'joined', muted };
}
