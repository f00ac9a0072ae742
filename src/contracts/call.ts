/**
 * The call workflow's contract: its id, the signals it takes (from the webhook, its queue and the agents), what it is
 * started with and returns, and the header its activities carry. The webhook, the queue and agent workflows, the
 * activities and the admin tools all speak to a call through this module, never through workflows/call.ts.
 *
 * Signal names are recorded in every call's history: they never change.
 */
import { defineSignal } from '@temporalio/workflow';
import type { ConfirmMode, ConnectMode, OfferMode, QueueAction, SurveyConfig } from './queue-config.js';
import type { CallNotification, IncomingCall } from './graph-call.js';

export const callWorkflowId = (graphCallId: string): string => `call-${graphCallId}`;

export interface CallWorkflowInput {
  call: IncomingCall;
  /** Where Graph must send this call's notifications (our webhook). */
  callbackUri: string;
  /** Base URL prompts are served from; Graph fetches them from there. */
  promptBaseUrl: string;
  /** Skip the flow: straight into this queue (load tests, and tests of the routing engine). */
  route?: { queue: string; priority?: number };
  /**
   * How often the call's Graph calls get a keepAlive (call-keepalive.md: at least one every 45 minutes). Default 900
   * (15 minutes, Microsoft's recommendation); tests shorten it with the emulator's window.
   */
  keepAliveSeconds?: number;
  /**
   * Where a number a caller keys without its country code is read when the line's flow names no country
   * (PHONE_REGION, ISO 3166-1 alpha-2). Absent: the caller's own number's country.
   */
  phoneRegion?: string;
}

/** How a call ended, from the contact center's point of view. */
export type CallOutcome =
  | 'connected' // transferred to an agent who took it
  | 'abandoned' // the caller hung up while queued
  | 'disconnected' // the caller hung up outside a queue: before reaching one, or after it gave them up (a fallback)
  | 'failed' // Graph or Switchboard could not handle it
  | 'queueDisconnected' // the queue's overflow, timeout or no-agents action ended the call
  | 'transferredOut' // the queue's action transferred the caller to a user or number
  | 'voicemail' // the caller was sent to voicemail (by the flow or the queue's action)
  | 'callback' // the caller took a callback and hung up; the callback has its own record
  | 'ended'; // the flow ended the call (a closed message, a menu's goodbye)

/** What the call workflow returns. */
export interface CallSummary {
  callId: string;
  outcome: CallOutcome;
  flow?: string;
  agentId?: string;
  waitSeconds?: number;
}

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
  /** How an answered ring proves a person took it (`key` when absent: a queue older than the option). */
  confirm?: ConfirmMode;
  /** Seconds an answered ring has to press the key (8 when absent). */
  confirmSeconds?: number;
  /** `conference`: the agent is invited into the caller's call and Switchboard stays (absent: `transfer`). */
  connectBy?: ConnectMode;
  /** The queue's post-call survey, played after a conference when the agent leaves (issue 24, point 5). */
  survey?: SurveyConfig;
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
