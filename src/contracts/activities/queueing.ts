/**
 * What the call and queue workflows ask of the routing engine that a workflow cannot do itself
 * (activities/queueing.ts): signal-with-start a queue, query it, send an Update to an agent, write the queue's
 * live row.
 */
import type { AgentStateName, ReserveRequest } from '../agent.js';
import type { QueueLiveRow, QueuePosition, WaitingCall } from '../queue.js';

/** The call workflow's side: entering a queue and asking for its place. */
export interface QueueActivities {
  /** Starts the queue's workflow if it isn't running and delivers the call to it, in one atomic request. */
  enqueueCall(input: { queue: string; waiting: WaitingCall }): Promise<{ announceEverySeconds: number }>;
  /** The caller's place and estimated wait, for the announcement; a query, so it costs the queue no history. */
  queuePosition(input: { queue: string; callWorkflowId: string }): Promise<QueuePosition>;
}

/** The queue workflow's side. */
export interface RoutingActivities {
  /**
   * The agent workflow's `reserve` Update, deduplicated by the reservation id. Refused unless the agent is
   * available; then the reason, and the agent's state when the refusal tells it.
   */
  reserveAgent(input: {
    agentId: string;
    request: ReserveRequest;
  }): Promise<{ accepted: boolean; reason?: string; state?: AgentStateName }>;
  publishQueueLive(row: QueueLiveRow): Promise<void>;
}
