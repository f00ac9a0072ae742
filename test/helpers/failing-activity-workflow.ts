/**
 * A test-only workflow whose activity fails with a message quoting the caller's number, as a CRM lookup's error might
 * (test/reliability/failure-encryption.test.ts). Never registered by Switchboard's own workers.
 */
import { proxyActivities } from '@temporalio/workflow';

const { lookUpCaller } = proxyActivities<{ lookUpCaller(number: string): Promise<string> }>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

/** Runs the failing activity once; its failure fails the workflow, so the history holds both failures. */
export async function failingLookupWorkflow(number: string): Promise<string> {
  return lookUpCaller(number);
}
