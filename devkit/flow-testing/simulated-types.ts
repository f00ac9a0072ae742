/** What the simulated Graph (simulated-graph.ts) keeps and how its scripted people behave. */
import type { CallbackRequest, CallbackStatus } from '../../src/contracts/activities/callbacks.js';
import type { VoicemailInput, VoicemailResult } from '../../src/contracts/activities/voicemail.js';

export interface SimulatedPrompt {
  callId: string;
  operationId: string;
  clientContext: string;
  /** Prompt file names (the last path segment of each URI). */
  files: string[];
  completed: boolean;
}

export interface SimulatedVoicemail extends VoicemailInput {
  voicemailId: string;
  status: VoicemailResult['status'];
  notified: boolean;
}

export interface SimulatedCallback extends CallbackRequest {
  status: CallbackStatus;
  attempts: number;
  agentId?: string;
  lastError?: string | null;
  completedAt?: string;
}

/** What the person called back does when their phone rings. */
export type CalleeBehaviour = 'answer' | 'noAnswer' | 'busy' | 'decline';

export interface SimulatedOutboundCall {
  callId: string;
  /** The workflow the callbackUri names (`?workflowId=`): where the call's notifications go. */
  workflowId: string;
  phone: string;
  applicationInstanceId: string;
  tenantId: string;
  callbackUri: string;
  behaviour: CalleeBehaviour;
}

/** What the caller does at a voicemail beep. */
export type MessageBehaviour = { speakSeconds: number } | 'silence' | 'hangUp';

/**
 * What an agent does with an offer. `accept`: answers our ring, and presses 1 at the whisper (issue 21). `voicemail`:
 * the ring goes to their voicemail, which answers and never presses a key. `noKey`: answers but never presses a key.
 */
export type SimulatedAgentBehaviour = 'accept' | 'decline' | 'ignore' | 'busy' | 'voicemail' | 'noKey';
