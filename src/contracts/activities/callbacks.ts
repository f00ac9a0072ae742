/** Callbacks in Postgres, as the call workflow that keeps the caller's place writes them (activities/callbacks.ts). */

/** A callback's status, as the `callback` table and the supervisors' views (metrics.callback_list) have it. */
export type CallbackStatus = 'requested' | 'dialing' | 'completed' | 'failed' | 'cancelled';

export interface CallbackRequest {
  /** The Graph call id of the call in which the caller asked to be called back. */
  callId: string;
  workflowId: string;
  queue: string;
  /** E.164. */
  number: string;
  /** Who called (their number or Teams id), when known. */
  fromId?: string;
  /** ISO, workflow time. */
  requestedAt: string;
}

export interface CallbackUpdate {
  /** The call the callback was requested in (one callback per call). */
  callId: string;
  status: CallbackStatus;
  /** Calls placed so far. */
  attempts?: number;
  queue?: string;
  agentId?: string;
  /** Why the last try or the callback failed; cleared with null. */
  lastError?: string | null;
  /** ISO, workflow time: when it completed or finally failed. */
  completedAt?: string;
}

export interface CallbackActivities {
  /** Idempotent: a retried request (or a replayed workflow) finds the row its call already has. */
  requestCallback(input: CallbackRequest): Promise<{ callbackId: string }>;
  updateCallback(input: CallbackUpdate): Promise<void>;
}
