import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallNotification } from '../src/graph/notifications.js';
import type { AgentStateName } from '../src/db/entities/agent-state.js';
import type { OfferMode, QueueAction, Skills, TeamsPresence } from '../src/routing/types.js';
import type { AgentSnapshot } from './agent/state.js';

/** Graph → call workflow: every notification about the call after the incoming one. */
export const graphNotificationSignal = defineSignal<[CallNotification]>('graphNotification');

/** Queue → call workflow: this agent is reserved for you; offer the call to them. */
export interface AgentAssignment {
  queue: string;
  agentId: string;
  /** The agent workflow's reservation; the call reports the offer's outcome under it. */
  reservationId: string;
  alertSeconds: number;
  wrapUpSeconds: number;
  missesBeforeAway: number;
  /**
   * Epoch ms from which the offer could have been made: the later of the call entering the queue and the agent
   * becoming available. The offer latency metric counts from here.
   */
  readyAt?: number;
  /** `ring` unless the queue says otherwise (assignments from before offer modes existed were blind transfers). */
  offerBy?: OfferMode;
  /**
   * `attendant`: every agent reserved for this one offer, the first listed being `agentId`. They all ring at once;
   * the first to answer gets the call.
   */
  group?: { agentId: string; reservationId: string }[];
}
export const agentAssignedSignal = defineSignal<[AgentAssignment]>('agentAssigned');

/** Queue → call workflow: the queue won't keep this caller; the call carries out the action. */
export interface QueueExit {
  queue: string;
  reason: 'overflow' | 'timeout' | 'noAgents';
  action: QueueAction;
}
export const queueExitSignal = defineSignal<[QueueExit]>('queueExit');

/** Call → queue workflow. */
export interface WaitingCall {
  callWorkflowId: string;
  callId: string;
  /** Epoch ms when the caller first entered this queue; a re-queued call keeps its place. */
  enqueuedAt: number;
  /** 1 (most urgent) to 5. */
  priority?: number;
  /** Skills this call needs on top of the queue's rule (skills method). */
  skills?: Skills;
}
export const enqueueSignal = defineSignal<[WaitingCall]>('enqueue');
export const leaveQueueSignal = defineSignal<[{ callWorkflowId: string }]>('leaveQueue');
/**
 * `failed`/`missed`: the agent declined or didn't answer; `busy`: Graph said the agent is on another call (Teams
 * presence lags), which rests the agent for this call without counting against them; `cancelled`: nobody's doing
 * (the caller went, another agent answered first).
 */
export type OfferOutcome = 'connected' | 'failed' | 'missed' | 'busy' | 'cancelled';
export const offerResultSignal = defineSignal<
  [{ callWorkflowId: string; agentId: string; outcome: OfferOutcome; reservationId?: string }]
>('offerResult');

export interface QueuePosition {
  /** 1 = next to be offered; 0 when the call isn't waiting (being offered, or gone). */
  position: number;
  ewtSeconds: number;
  waiting: number;
}
export const queuePositionQuery = defineQuery<QueuePosition, [string]>('queuePosition');

/** Agent workflow → queue workflows: the agent's state, whenever it changes. */
export interface AgentStatus {
  agentId: string;
  state: AgentStateName;
  idleSince: number;
  /** Epoch ms the agent entered this state (for `available`: when the agent became free). */
  since?: number;
  presence?: TeamsPresence;
  /** Whether the agent takes calls from this queue (opted in). */
  member: boolean;
  /** Seconds of the call just finished (on call + wrap-up), for the queue's wait estimate. */
  handleSeconds?: number;
}
export const agentStatusSignal = defineSignal<[AgentStatus]>('agentStatus');

/** Queue (through an activity) → agent workflow: reserve this agent for one call; rejected unless available. */
export interface ReserveRequest {
  reservationId: string;
  queue: string;
  callWorkflowId: string;
  callId: string;
  /** The agent frees themself if the offer's outcome hasn't come this long after the reservation (absent: never). */
  leaseSeconds?: number;
}
export const reserveUpdate = defineUpdate<{ reservationId: string }, [ReserveRequest]>('reserve');

/**
 * Queue → agent workflow: reserve this agent for a call and, if they are free, hand them to the call yourself (the
 * agent signals `assignment` to the call). The same rule as the `reserve` Update, one hop shorter: no activity, and
 * the queue hears back only when the agent refuses (`reservationRefusedSignal`).
 */
export interface ReserveForCall {
  request: ReserveRequest;
  assignment: AgentAssignment;
}
export const reserveForCallSignal = defineSignal<[ReserveForCall]>('reserveForCall');

/** Agent → queue workflow: a `reserveForCall` refused, and the agent's state (absent when the request was stale). */
export interface ReservationRefused {
  reservationId: string;
  callWorkflowId: string;
  agentId: string;
  reason: string;
  state?: AgentStateName;
  /** The agent took the reservation but the call's workflow is gone: the queue drops the call, the agent is free. */
  callGone?: boolean;
}
export const reservationRefusedSignal = defineSignal<[ReservationRefused]>('reservationRefused');

/** Call → agent workflow: how the offer made under a reservation ended. */
export interface OfferOutcomeReport {
  reservationId: string;
  outcome: 'connected' | 'missed' | 'cancelled';
  wrapUpSeconds: number;
  missesBeforeAway: number;
}
export const agentOfferOutcomeSignal = defineSignal<[OfferOutcomeReport]>('offerOutcome');
/** Presence poller → agent workflow: the agent's Teams presence changed. */
export const presenceSignal = defineSignal<[TeamsPresence]>('presence');
/** CLI/API → agent workflow. */
export const optInSignal = defineSignal<[{ queue: string }]>('optIn');
export const optOutSignal = defineSignal<[{ queue: string }]>('optOut');
/** Start-up → agent workflow: the queues that list this agent in code (opt-outs still apply). */
export const configuredQueuesSignal = defineSignal<[{ queues: string[] }]>('configuredQueues');
/** The agent's call ended (when presence can't tell): wrap-up starts. */
export const agentCallEndedSignal = defineSignal<[{ reservationId?: string }]>('callEnded');
/** Back from away (a paused agent resumes), or away by hand. */
export const agentAvailabilitySignal = defineSignal<[{ state: 'available' | 'away' | 'signedOut'; reason?: string }]>('setAvailability');

export interface AgentSnapshotView {
  agentId: string;
  state: AgentStateName;
  since: number;
  queues: string[];
  optedOut: string[];
  misses: number;
  reservation?: ReserveRequest;
  presence?: TeamsPresence;
}
export const agentStateQuery = defineQuery<AgentSnapshotView>('agentState');

/**
 * Everything a new run of the agent's workflow needs to carry on where this one is: what `continueAsNew` passes on.
 * `switchboard agents restart` reads it to end a run and start the next one by hand (src/routing/agent-restart.ts).
 */
export interface AgentRunState {
  agentId: string;
  presenceLagSeconds?: number;
  state: AgentSnapshot;
}
export const agentRunStateQuery = defineQuery<AgentRunState>('agentRunState');

/**
 * Temporal header a call workflow's activities carry (added by workflows/interceptors.ts): which call they are for,
 * for log lines and metrics, and the instants the answer and offer latencies count from.
 */
export const CALL_CONTEXT_HEADER = 'switchboard-call';
export interface CallContext {
  callId: string;
  workflowId: string;
  /** answerCall only: epoch ms the webhook received the incoming-call notification. */
  receivedAt?: number;
  /** transferCall only: epoch ms the offer could have been made (AgentAssignment.readyAt). */
  offerReadyAt?: number;
}

export const queueWorkflowId = (queue: string): string => `queue-${queue}`;
export const callWorkflowId = (graphCallId: string): string => `call-${graphCallId}`;
export const agentWorkflowId = (agentId: string): string => `agent-${agentId}`;
export const PRESENCE_POLLER_WORKFLOW_ID = 'presence-poller';
/** Start-up → presence poller: the agents to poll. */
export const presenceAgentsSignal = defineSignal<[{ agentIds: string[] }]>('presenceAgents');
