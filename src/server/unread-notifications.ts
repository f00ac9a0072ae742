import type { CallNotification } from '../contracts/graph-call.js';

/**
 * Operations whose outcome no call workflow waits for: the request's own answer is all it needs (a subscription to
 * tones is in force once Graph answers 200, api-reference/v1.0/api/call-subscribetotone.md; a cancel's effect is
 * the cancelled prompts' own `playPrompt` notifications, call-cancelmediaprocessing.md).
 */
const UNAWAITED_OPERATIONS: ReadonlySet<string> = new Set(['subscribetotone', 'cancelmediaprocessing']);

/**
 * Whether a Graph notification would change nothing a call workflow reads, so the webhook acknowledges it without
 * signalling (issue 25: every signal is a workflow task, a history event and work for the Temporal server; 2 of a
 * bench call's 12 signals were `establishing`).
 * - `establishing`: the workflow waits for `established` or `terminated` and never tells `establishing` from
 *   `incoming` (a placed call's createCall answer already says `establishing`, call-post-calls.md). Graph may send it
 *   after `established` (the notifications' documented out-of-order delivery), where the workflow drops it anyway.
 *   One that carries callRoutes or a resultInfo still goes through: those are read.
 * - operation notifications of UNAWAITED_OPERATIONS.
 * Everything else (every other state, tones, rosters, prompts, recordings, invitations) goes to the workflow.
 */
export function tellsWorkflowNothing(n: CallNotification): boolean {
  if (n.kind === 'state') return n.state === 'establishing' && !n.routes?.length && n.resultInfo === undefined;
  if (n.kind === 'operation') return UNAWAITED_OPERATIONS.has(n.operationType.toLowerCase());
  return false;
}
