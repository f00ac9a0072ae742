/**
 * The queue workflow's contract: its id, the signals it takes from calls and agents, the position query, what a run
 * is started with and carries over, and the live row it publishes. Calls, agents, the activities and the dashboards'
 * writer speak to a queue through this module.
 *
 * Signal and query names are recorded in every queue's history: they never change.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { QueueConfig, Skills } from './queue-config.js';
import type { AgentStateName, TeamsPresence } from './agent.js';

export const queueWorkflowId = (queue: string): string => `queue-${queue}`;

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
  /**
   * A callback keeping the caller's place (the caller hung up): it waits in line, but nobody is on hold, so it is not
   * the queue's longest current wait (issue 27, point 3).
   */
  callback?: boolean;
}
export const enqueueSignal = defineSignal<[WaitingCall]>('enqueue');
export const leaveQueueSignal = defineSignal<[{ callWorkflowId: string }]>('leaveQueue');
/**
 * `failed`/`missed`: the agent declined or didn't answer; `busy`: Graph said the agent is on another call (Teams
 * presence lags), which rests the agent for this call without counting against them; `cancelled`: nobody's doing
 * (the caller went, another agent answered first).
 */
export type OfferOutcome = 'connected' | 'failed' | 'missed' | 'busy' | 'cancelled';
export const offerResultSignal =
  defineSignal<[{ callWorkflowId: string; agentId: string; outcome: OfferOutcome; reservationId?: string }]>(
    'offerResult',
  );

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

export interface QueueWorkflowInput {
  config: QueueConfig;
  /** Carried over by continue-as-new. */
  state?: QueueSnapshot;
}

/** What a queue knows of one of its agents, from the agent's own workflow. */
export interface AgentView {
  /** `unknown` until the agent's workflow has told the queue; such an agent may still be tried. */
  state: AgentStateName | 'unknown';
  /** Epoch ms since which the agent has been available (after wrap-up); 0 when unknown. */
  idleSince: number;
  presence?: TeamsPresence;
}

export interface QueuedCall extends WaitingCall {
  priority: number;
}

export interface Offer {
  call: QueuedCall;
  agentId: string;
  reservationId: string;
  /** `attendant`: every agent reserved for this offer (agentId first); each is released on its own outcome. */
  group?: { agentId: string; reservationId: string }[];
  /** Reserved by signal: the agent's status version when picked, to judge a refusal against. */
  seen?: number;
  /** Round robin's turn (`lastOffered`) before this reservation moved it, given back if the agent refuses. */
  turnBefore?: number;
}

export interface QueueMember extends AgentView {
  member: boolean;
  /** Bumped by every status from the agent, so a stale rejection never overwrites a fresher status. */
  version?: number;
  /** Epoch ms the agent entered its current state, as the agent reported it. */
  since?: number;
}

/** The queue's state as a run carries it over (continue-as-new). */
export interface QueueSnapshot {
  waiting: QueuedCall[];
  agents: Record<string, QueueMember>;
  /** Per call, the agents who declined or missed it, and until when (epoch ms) they are not offered it again. */
  missed: Record<string, Record<string, number>>;
  offers: Record<string, Offer>;
  /** Index in config.agents of the agent last offered a call; round robin resumes after it. */
  lastOffered: number;
  /** Recent handle times (s) for the wait estimate. */
  handleTimes: number[];
  reservationSeq: number;
}

/** The queue's live row for the dashboards (`queue_live`), written by the routing activities. */
export interface QueueLiveRow {
  queue: string;
  callsWaiting: number;
  /** Epoch ms, or null when nobody waits. */
  oldestWaitingSince: number | null;
  agentsAvailable: number;
  agentsReserved: number;
  agentsOnCall: number;
  agentsWrapUp: number;
  agentsAway: number;
  agentsSignedOut: number;
}
