import { callPatched } from '../call-patches.js';
import type { CallOutcome } from '../../src/contracts/call.js';
import { FALLBACK_HANGUP_PATCH } from '../patches.js';

/**
 * How a call ended that no verb decided: the caller hung up. In a queue that is an abandon; before any queue, or
 * after a queue gave the caller up (its timeout, overflow or no-agents exit, while the flow's fallback or the queue's
 * action played, transferred or opened the voicemail), the caller was no longer waiting in a queue, so it is not an
 * abandon of it (issue 27, point 2): `disconnected`, and the queue counts the call as the flow-out its exit recorded.
 */
export function hungUpOutcome(queuedAt: string | undefined, queueGaveUp: boolean): CallOutcome {
  if (!queuedAt) return 'disconnected';
  // Asked only in that case, so a call that ends any other way records no marker.
  if (queueGaveUp && callPatched(FALLBACK_HANGUP_PATCH)) return 'disconnected';
  return 'abandoned';
}
