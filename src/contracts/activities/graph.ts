/**
 * Call control through Microsoft Graph, as the call workflow asks for it (implemented by activities/graph.ts). Each
 * is one Graph request; one that cannot succeed on retry (4xx, the call gone) fails as non-retryable, so the workflow
 * ends the step cleanly and records why.
 */
import type { CallState, ResultInfo } from '../graph-call.js';

/** Whom a call is transferred to or placed with: a Teams user or a phone number (E.164). */
export type TransferTarget = { userId: string; displayName?: string } | { phone: string };

/** Graph's recordResponse options, in its own names. */
export interface RecordOptions {
  clientContext: string;
  promptUri?: string;
  bargeInAllowed?: boolean;
  initialSilenceTimeoutInSeconds?: number;
  maxSilenceTimeoutInSeconds?: number;
  maxRecordDurationInSeconds?: number;
  playBeep?: boolean;
  /** e.g. ['#', '*'] */
  stopTones?: string[];
}

export interface GraphActivities {
  answerCall(input: { callId: string; callbackUri: string; preFetchUris: string[] }): Promise<void>;
  playPrompt(input: { callId: string; promptUris: string[]; clientContext: string }): Promise<{ operationId: string }>;
  /** Keys the caller presses arrive as toneInfo notifications only after this. */
  subscribeToTone(input: { callId: string; clientContext: string }): Promise<void>;
  /** Play the prompt, beep, record; the completion notification carries recordingLocation and its token. */
  recordResponse(input: { callId: string } & RecordOptions): Promise<{ operationId: string }>;
  cancelMediaProcessing(input: { callId: string; clientContext: string }): Promise<void>;
  /**
   * Transfer the caller to an agent: blind, or (with `replacesCallId`) onto the call we placed to the agent, who has
   * already answered it (consultative transfer).
   */
  transferCall(input: {
    callId: string;
    agentId: string;
    clientContext: string;
    replacesCallId?: string;
  }): Promise<void>;
  /**
   * Ring an agent with a call of our own, whose notifications go to `callbackUri`. Not to be retried on its own: a
   * retry could ring the agent twice.
   */
  ringAgent(input: {
    agentId: string;
    callbackUri: string;
    tenantId?: string;
    applicationInstanceId?: string;
  }): Promise<{ callId: string }>;
  /** A queue's overflow, timeout or no-agents action: blind transfer to a Teams user or a phone number. */
  transferCallTo(input: { callId: string; target: TransferTarget; clientContext: string }): Promise<void>;
  /** An outbound call to a phone number from a resource account (a callback); its notifications go to `callbackUri`. */
  createCall(input: {
    phone: string;
    applicationInstanceId: string;
    tenantId: string;
    callbackUri: string;
    preFetchUris: string[];
  }): Promise<{ callId: string }>;
  /** The call's state as Graph sees it now: the fallback when a notification we wait for never comes. */
  getCallState(input: { callId: string }): Promise<{ state: CallState | 'gone'; resultInfo?: ResultInfo }>;
  hangUp(input: { callId: string }): Promise<void>;
  /**
   * POST …/keepAlive (call-keepalive.md): Graph ends a call that has had none for 45 minutes. 'gone' once the call
   * has ended (404).
   */
  keepAlive(input: { callId: string }): Promise<'alive' | 'gone'>;
}
