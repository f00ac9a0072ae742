import { ApplicationFailure, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import type { RoutingActivities } from '../../src/contracts/activities/queueing.js';
import { agentOfferOutcomeSignal, agentWorkflowId, type AgentStateName } from '../../src/contracts/agent.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import { callActivities, type CallSession } from '../call-session.js';
import { COLLEAGUE_RELEASE_ON_FAILURE_PATCH } from '../patches.js';
import { releaseAgent, talkTimeForAgent, type AgentOfferOutcome } from './reservation.js';

/**
 * A colleague the caller is transferred to (issue 24, point 4) is held the way a queue holds its agents: through
 * their agent workflow's `reserve` Update, whose validator refuses unless they are available. So routing cannot offer
 * them another call while they ring, and a colleague who is signed out, away or on another call refuses the transfer
 * (the caller stays with the first agent). Released with the offer's outcome, as reservation.ts does for a queue.
 */

const routing = callActivities<RoutingActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/** Held past the ring (alert time and the confirm step), in case the outcome never comes: as a queue's lease. */
const LEASE_MARGIN_SECONDS = 300;

/** The colleague's reservation for this call. */
export interface ColleagueReservation {
  agentId: string;
  reservationId: string;
}

/**
 * Reserve the colleague for this call, or throw the refusal (the Update fails: the admin API's 409, with the
 * colleague's state). The reservation id is new per transfer: an agent refuses an id they already let go.
 */
export async function reserveColleague(
  session: CallSession,
  req: { agentId: string; queue: string; alertSeconds: number; attempt: number },
): Promise<ColleagueReservation> {
  const { workflowId } = workflowInfo();
  const reservationId = `transfer-${workflowId}-${req.agentId}-${req.attempt}`;
  const answer = await routing
    .reserveAgent({
      agentId: req.agentId,
      request: {
        reservationId,
        queue: req.queue,
        callWorkflowId: workflowId,
        callId: session.callId,
        leaseSeconds: req.alertSeconds + LEASE_MARGIN_SECONDS,
        direct: true,
      },
    })
    .catch((err: unknown) => {
      if (patched(COLLEAGUE_RELEASE_ON_FAILURE_PATCH)) letGoUnanswered(req.agentId, reservationId);
      throw err;
    });
  if (!answer.accepted) {
    const state: AgentStateName | undefined = answer.state;
    throw ApplicationFailure.create({
      type: 'ColleagueNotAvailable',
      message: `the colleague is not available (${answer.reason ?? `agent ${req.agentId} refused`}): the caller stays with the agent talking`,
      nonRetryable: true,
      details: [{ agentId: req.agentId, ...(state ? { state } : {}) }],
    });
  }
  return { agentId: req.agentId, reservationId };
}

/**
 * The reservation request failed without an answer (the activity timed out, its answer was lost, the agent's workflow
 * failed its tasks): the Update may have reserved the colleague all the same, and nothing else would free them before
 * the lease ran out (alert time + 300 s). Released now, as a cancelled offer; sent before a late request arrives, the
 * colleague remembers the id and refuses it (workflows/agent/state.ts offerOutcome).
 */
function letGoUnanswered(agentId: string, reservationId: string): void {
  void getExternalWorkflowHandle(agentWorkflowId(agentId))
    .signal(agentOfferOutcomeSignal, { reservationId, outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 1 })
    .catch((err: unknown) => log.warn('could not release the colleague', { agentId, error: String(err) }));
}

/** How the colleague's ring ended, told to their workflow; `connected` with when, and that this call reports the end. */
export function releaseColleague(a: AgentAssignment, outcome: AgentOfferOutcome, connectedAt?: string): void {
  const at = connectedAt !== undefined ? talkTimeForAgent(connectedAt) : undefined;
  // In a conference this call signals the end of the talk from the roster (conference.ts): endReported.
  releaseAgent(a, outcome === 'busy' ? 'cancelled' : outcome, at, at !== undefined);
}
