import { defineSignal } from '@temporalio/workflow';
import type { CallNotification } from '../src/graph/notifications.js';

/** Graph → call workflow: every notification about the call after the incoming one. */
export const graphNotificationSignal = defineSignal<[CallNotification]>('graphNotification');

/** Queue → call workflow: this agent is reserved for you; offer the call to them. */
export interface AgentAssignment {
  queue: string;
  agentId: string;
}
export const agentAssignedSignal = defineSignal<[AgentAssignment]>('agentAssigned');

/** Call → queue workflow. */
export interface WaitingCall {
  callWorkflowId: string;
  callId: string;
  /** Epoch ms when the caller first entered the queue; a re-queued call keeps its place. */
  enqueuedAt: number;
}
export const enqueueSignal = defineSignal<[WaitingCall]>('enqueue');
export const leaveQueueSignal = defineSignal<[{ callWorkflowId: string }]>('leaveQueue');
export type OfferOutcome = 'connected' | 'failed';
export const offerResultSignal = defineSignal<[{ callWorkflowId: string; agentId: string; outcome: OfferOutcome }]>(
  'offerResult',
);

export const queueWorkflowId = (queue: string): string => `queue-${queue}`;
export const callWorkflowId = (graphCallId: string): string => `call-${graphCallId}`;
