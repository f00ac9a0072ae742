/**
 * The agent workflow's contract: its id, the states an agent can be in, the signals, the reserve Update and the
 * queries it answers, what a run is started with and carries over, and what it publishes after a change. Queues,
 * calls, the presence poller, the activities, the CLI and the admin API speak to an agent through this module.
 *
 * Signal, update and query names are recorded in every agent's history: they never change.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentAssignment } from './call.js';

export const agentWorkflowId = (agentId: string): string => `agent-${agentId}`;

/** The states an agent can be in; exactly one at a time. */
export const AGENT_STATES = ['signedOut', 'available', 'reserved', 'onCall', 'wrapUp', 'away'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** An agent's Teams presence as Graph reports it (`availability`: Available, Busy, Away…; `activity`: InACall…). */
export interface TeamsPresence {
  availability: string;
  activity: string;
}

/** Queue (through an activity) → agent workflow: reserve this agent for one call; rejected unless available. */
export interface ReserveRequest {
  reservationId: string;
  queue: string;
  callWorkflowId: string;
  callId: string;
  /** The agent frees themself if the offer's outcome hasn't come this long after the reservation (absent: never). */
  leaseSeconds?: number;
  /**
   * Asked for by name, not by a queue: a colleague an agent transfers the caller to (issue 24, point 4). They need
   * not be opted in to `queue` (the queue the call came through); they must still be available.
   */
  direct?: boolean;
}
export const reserveUpdate = defineUpdate<{ reservationId: string }, [ReserveRequest]>('reserve');

/**
 * Agent (tab, API) → agent workflow: make the current wrap-up last `seconds` longer (1–600). The validator refuses
 * it unless the agent is in wrap-up, so a late click never delays an agent who is already free.
 */
export const EXTEND_WRAP_UP_MAX_SECONDS = 600;
export const extendWrapUpUpdate = defineUpdate<{ wrapUpUntil: number }, [{ seconds: number }]>('extendWrapUp');

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

/** Call → agent workflow: how the offer made under a reservation ended. */
export interface OfferOutcomeReport {
  reservationId: string;
  outcome: 'connected' | 'missed' | 'cancelled';
  wrapUpSeconds: number;
  missesBeforeAway: number;
  /**
   * When Graph put the agent through (ISO, the call workflow's clock), for `connected`: their talk starts then, not
   * when this signal is handled, so the dashboards' talk time is the CDR's (issue 24, point 2). Absent before.
   */
  at?: string;
  /**
   * For `connected` in a conference: the call workflow stays in the call and signals its end from the roster
   * (callEnded with `at`), so the agent's Teams presence, which lags, must not end the talk first.
   */
  endReported?: boolean;
}
export const agentOfferOutcomeSignal = defineSignal<[OfferOutcomeReport]>('offerOutcome');
/** Presence poller → agent workflow: the agent's Teams presence changed. */
export const presenceSignal = defineSignal<[TeamsPresence]>('presence');
/** CLI/API → agent workflow. */
export const optInSignal = defineSignal<[{ queue: string }]>('optIn');
export const optOutSignal = defineSignal<[{ queue: string }]>('optOut');
/** Start-up → agent workflow: the queues that list this agent in code (opt-outs still apply). */
export const configuredQueuesSignal = defineSignal<[{ queues: string[] }]>('configuredQueues');
/**
 * The agent's call ended (when presence can't tell): wrap-up starts. `at`: when the roster showed the talk over (ISO,
 * the CDR's talk_ended_at), from which the wrap-up counts; absent before issue 24 point 2, then the signal's arrival.
 */
export const agentCallEndedSignal = defineSignal<[{ reservationId?: string; at?: string }]>('callEnded');
/** Back from away (a paused agent resumes), or away by hand. */
export const agentAvailabilitySignal =
  defineSignal<[{ state: 'available' | 'away' | 'signedOut'; reason?: string }]>('setAvailability');

export interface AgentSnapshotView {
  agentId: string;
  state: AgentStateName;
  since: number;
  queues: string[];
  optedOut: string[];
  misses: number;
  reservation?: ReserveRequest;
  presence?: TeamsPresence;
  /** A sign-out or away asked for during an offer or a call, applied when it (and its wrap-up) ends. */
  pendingAvailability?: 'away' | 'signedOut';
}
export const agentStateQuery = defineQuery<AgentSnapshotView>('agentState');

/** The agent's state machine as a run carries it over (continue-as-new, `switchboard agents restart`). */
export interface AgentSnapshot {
  state: AgentStateName;
  since: number;
  configured: string[];
  optedOut: string[];
  optedIn: string[];
  misses: number;
  reservation?: ReserveRequest;
  presence?: TeamsPresence;
  presenceSeen: boolean;
  sawInCall: boolean;
  /**
   * A sign-out (or away) asked for while the agent was reserved or on a call: it takes effect when they would be free
   * again (the offer's end, or the wrap-up's). `available` asked meanwhile cancels it.
   */
  afterCall?: { state: 'away' | 'signedOut'; reason: string };
  /** The current call's end comes from its call workflow (a conference's roster), not from presence. */
  endReported?: boolean;
  /**
   * A call's end that overtook the news that the call was put through (two signals from one call workflow need not
   * arrive in order): kept for the `connected` outcome of that reservation, which then goes straight to wrap-up.
   */
  endedEarly?: { reservationId: string; at?: string };
  /**
   * When an on-call agent whose end is reported next asks whether their call's workflow is still running (epoch ms);
   * absent until a first check, which is 10 minutes after the talk began.
   */
  callCheckAt?: number;
  awayByPresence: boolean;
  idleSince: number;
  onCallSince?: number;
  wrapUpUntil?: number;
  /** The wrap-up the agent's current call earns, from the queue it came through. */
  wrapUpSeconds?: number;
  seq: number;
  /**
   * The latest reservations this agent accepted (kept across continue-as-new): a reserve request repeated after its
   * offer is over (an abandoned activity attempt's request arriving late, after Temporal's own dedup was lost to
   * continue-as-new) is refused instead of reserving the agent for a call that has ended.
   */
  recentReservations?: string[];
  /** Queues left since the last publication, which must still hear that the agent left. */
  left: string[];
  handleSeconds?: number;
}

export interface AgentWorkflowInput {
  agentId: string;
  configuredQueues?: string[];
  /**
   * Teams presence lags up to about 60 s: how long an on-call agent whose presence never showed the call is kept on
   * call.
   */
  presenceLagSeconds?: number;
  state?: AgentSnapshot;
}

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

/** One state change, as the agent's workflow numbers it and Postgres keeps it (`agent_state_change`). */
export interface AgentStateRow {
  key: string;
  agentId: string;
  state: AgentStateName;
  reason?: string;
  queue?: string;
  callId?: string;
  /** Epoch ms (workflow time). */
  at: number;
}

/** What the agent's workflow tells the world after a change (the agent activities write and signal it). */
export interface AgentPublication {
  agentId: string;
  changes: AgentStateRow[];
  live: { state: AgentStateName; since: number; callId?: string };
  /** Queues that must hear the agent's status, and whether the agent is (still) a member. */
  queues: { queue: string; member: boolean }[];
  idleSince: number;
  presence?: TeamsPresence;
  handleSeconds?: number;
}
