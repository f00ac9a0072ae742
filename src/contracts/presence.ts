/**
 * The presence poller's contract: the one poller's workflow id, what it is started with, and the signal start-up
 * sends it with the agents to poll. The signal name is recorded in the poller's history: it never changes.
 */
import { defineSignal } from '@temporalio/workflow';

export const PRESENCE_POLLER_WORKFLOW_ID = 'presence-poller';

export interface PresencePollerInput {
  agentIds: string[];
  intervalSeconds: number;
}

/** Start-up → presence poller: the agents to poll. */
export const presenceAgentsSignal = defineSignal<[{ agentIds: string[] }]>('presenceAgents');
