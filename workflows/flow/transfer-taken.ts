import { condition } from '@temporalio/workflow';
import { graph, ESTABLISH_WAIT, type CallSession } from '../call-session.js';
import { TRANSFER_TAKEN_PATCH } from '../patches.js';
import { callPatched } from '../call-patches.js';

/**
 * Whether a transfer request that failed had in fact been carried out: Graph took it, and its response was lost or the
 * worker waiting for it died, so the request was made again and Graph refused the repeat. Then the call is no longer
 * established (transferring, accepted, or already gone), and the transfer's notifications say how it ended: wait for
 * them. False when the call is still established, so the refusal was of this transfer.
 *
 * Shared by every transfer the flow makes: to an agent (offer.ts) and to a user or number (transfer.ts).
 */
export async function transferTakenBefore(target: CallSession): Promise<boolean> {
  if (!callPatched(TRANSFER_TAKEN_PATCH)) return false;
  if (target.transferAccepted) return true;
  if (target.terminated) return false;
  const now = await graph.getCallState({ callId: target.callId }).catch(() => undefined);
  if (now === undefined || now.state === 'established') return false;
  target.recorder.event('transferTakenBefore', { state: now.state });
  if (!(await condition(() => target.transferAccepted || target.transferFailed || target.terminated, ESTABLISH_WAIT)))
    await target.refreshFromGraph();
  return target.transferAccepted;
}
