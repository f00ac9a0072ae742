/**
 * Test-only workflows whose workflow tasks fail, the two ways production's do (test/reliability/workflow-task-failures.test.ts).
 * Never registered by Switchboard's own workers.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';

/** Throws a plain Error (not a Temporal failure): the SDK fails the workflow task, not the workflow, and retries it. */
export async function throwingWorkflow(): Promise<void> {
  throw new Error('a bug in workflow code');
}

const { neverRuns } = proxyActivities<{ neverRuns(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/**
 * Takes a different path when its history is replayed than it took when it ran: a timer first, an activity on
 * replay. Run on a worker that caches no workflow (every task replays the history), its second task fails with a
 * nondeterminism error, as issue 28's agent did after a restart.
 */
export async function replayDivergingWorkflow(): Promise<void> {
  if (workflowInfo().unsafe.isReplaying) await neverRuns();
  else await sleep('10 ms');
  await sleep('1 day');
}

/** Does what it should: its type must show no failures. */
export async function healthyWorkflow(): Promise<string> {
  await sleep('10 ms');
  return 'done';
}
