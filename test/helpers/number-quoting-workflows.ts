/**
 * Test-only workflows whose failures quote a caller's number, as a Graph or CRM error might
 * (test/reliability/sdk-log-redaction.test.ts). Never registered by Switchboard's own workers.
 */
import { workflowInfo } from '@temporalio/workflow';

export { failingLookupWorkflow } from './failing-activity-workflow.js';

/** Throws a plain Error quoting the number: the SDK fails the workflow task (not the workflow) and retries it. */
export async function numberQuotingTaskFailureWorkflow(number: string): Promise<void> {
  // The attempt in the message: each retry's line differs, as a real one would.
  throw new Error(`no route for ${number} (attempt ${workflowInfo().attempt})`);
}
