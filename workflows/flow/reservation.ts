import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { agentOfferOutcomeSignal, agentWorkflowId } from '../../src/contracts/agent.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import { leaveQueueSignal, offerResultSignal, queueWorkflowId } from '../../src/contracts/queue.js';
import { AGENT_TALK_TIMES_PATCH } from '../patches.js';
import { callPatched } from '../call-patches.js';

/**
 * The call's side of a queue's reservation: who an offer goes to, how it ended, and telling the queue and the agents.
 * The queue verb, the callback and the call workflow (handing back a reservation it cannot take) all speak it.
 */

/**
 * How an offer ended for one agent: `missed` counts toward pausing them; `busy` (Graph found them on another call,
 * or would not ring them) and `cancelled` are not their doing, but a busy agent is rested for this call like a
 * missed one.
 */
export type AgentOfferOutcome = 'connected' | 'missed' | 'busy' | 'cancelled';

export interface OfferResult {
  /** The agent now talking to the caller, if any. */
  agentId?: string;
  /** Per agent offered (one, or an attendant group). */
  outcomes: Record<string, AgentOfferOutcome>;
  /** Graph refused a request (not an agent's doing). */
  error?: unknown;
  /** The agent was invited into the caller's call (connectBy 'conference'): Switchboard is still in it. */
  conference?: boolean;
}

/** Everyone an offer goes to: the assigned agent, or the whole attendant group. */
export function offerMembers(a: AgentAssignment): { agentId: string; reservationId: string }[] {
  return a.group?.length ? a.group : [{ agentId: a.agentId, reservationId: a.reservationId }];
}

/** Tell the queue this call has left it (a hang-up, a callback taken); a queue that is gone needs no telling. */
export async function leaveQueueNamed(queue: string, callWorkflowId: string): Promise<void> {
  await getExternalWorkflowHandle(queueWorkflowId(queue))
    .signal(leaveQueueSignal, { callWorkflowId })
    .catch((err: unknown) => log.warn('could not tell the queue we left', { queue, error: String(err) }));
}

/**
 * How an offer made under a reservation ended, per agent offered: told to each agent (fire and forget) and to the
 * queue that made it. An agent without an outcome was never rung: cancelled.
 */
export async function reportOffer(
  a: AgentAssignment,
  outcomes: Record<string, AgentOfferOutcome>,
  callWorkflowId: string,
  connected?: { at: string; endReported: boolean },
): Promise<void> {
  const at = connected !== undefined ? talkTimeForAgent(connected.at) : undefined;
  // Only with the patch: a call from before it never signals its end with a time.
  const endReported = at !== undefined && connected!.endReported;
  const queue = getExternalWorkflowHandle(queueWorkflowId(a.queue));
  await Promise.all(
    offerMembers(a).map(async ({ agentId, reservationId }) => {
      const outcome = outcomes[agentId] ?? 'cancelled';
      releaseAgent({ ...a, agentId, reservationId }, outcome === 'busy' ? 'cancelled' : outcome, at, endReported);
      await queue
        .signal(offerResultSignal, {
          callWorkflowId,
          agentId,
          reservationId,
          outcome: outcome === 'missed' ? 'failed' : outcome,
        })
        .catch((err: unknown) =>
          log.warn('could not report the offer to the queue', { queue: a.queue, error: String(err) }),
        );
    }),
  );
}

/**
 * A moment of the talk (ISO) for the agent's workflow to stamp its state change with (issue 24, point 2), or
 * undefined for a call that began before the agent-talk-times patch: its signals carried no time then.
 */
export function talkTimeForAgent(iso: string): string | undefined {
  return callPatched(AGENT_TALK_TIMES_PATCH) ? iso : undefined;
}

/**
 * Tell the agent's workflow how the offer made under its reservation ended (fire and forget: it's a signal); for
 * `connected`, when Graph put them through (`at`) and whether this workflow will signal the end (a conference).
 */
export function releaseAgent(
  a: AgentAssignment,
  outcome: Exclude<AgentOfferOutcome, 'busy'>,
  at?: string,
  endReported = false,
): void {
  void getExternalWorkflowHandle(agentWorkflowId(a.agentId))
    .signal(agentOfferOutcomeSignal, {
      reservationId: a.reservationId,
      outcome,
      wrapUpSeconds: a.wrapUpSeconds,
      missesBeforeAway: a.missesBeforeAway,
      ...(outcome === 'connected' && at !== undefined ? { at, ...(endReported ? { endReported } : {}) } : {}),
    })
    .catch((err: unknown) =>
      log.warn('could not report the offer to the agent', { agentId: a.agentId, error: String(err) }),
    );
}
