/**
 * An agent sends the caller on (issue 24, point 4): the Update the admin API sends the call workflow. Only a call put
 * through by conference can take it: Switchboard is still in the call, so it can play hold music to the caller while
 * the next agent is offered, and remove the first agent when the next one is in (warm) or at once (blind). A call put
 * through by transfer has left Switchboard: the validator refuses it (the API's 409).
 */
import { defineUpdate } from '@temporalio/workflow';

export interface TransferRequest {
  /** Another queue: the caller waits there with the time already waited (their place and the CDR's wait). */
  queue?: string;
  /**
   * A colleague's Teams user id (Entra object id): reserved through their agent workflow first (the Update fails with
   * their state unless they are available), then rung directly and put through by conference.
   */
  agentId?: string;
  /** Blind: the first agent leaves the call at once. Warm (default): they stay until the next agent is in. */
  blind?: boolean;
  /** Who asked (the agent talking, or a supervisor): on the timeline and in the audit. */
  requestedBy: string;
}

export interface TransferResult {
  /** The agent the caller was talking to, who is being replaced. */
  fromAgentId: string;
  to: { queue: string } | { agentId: string };
  blind: boolean;
  /** The call workflow took the transfer: the next agent is being offered. */
  outcome: 'transferring';
}

export const transferUpdate = defineUpdate<TransferResult, [TransferRequest]>('transfer');

/** One agent's part of a transferred call, in the CDR (`call.segments`). */
export interface CallSegment {
  agentId: string;
  queue: string;
  connectedAt: string;
  endedAt?: string;
  /** How the agent's part ended: they transferred the caller (warm or blind), or the talk ended. */
  endedBy?: 'warmTransfer' | 'blindTransfer' | 'agent' | 'caller' | 'call';
}
