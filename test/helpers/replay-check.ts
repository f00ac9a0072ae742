import type { Client } from '@temporalio/client';
import { expect } from 'vitest';
import {
  checkHistories,
  describeProblems,
  type HistoryCheck,
  type ReplayCode,
} from '../../src/temporal/history-check.js';

/** The workflow types Switchboard runs (workflows/index.ts). */
export type WorkflowType =
  | 'callWorkflow'
  | 'queueWorkflow'
  | 'agentWorkflow'
  | 'presencePollerWorkflow'
  | 'retentionWorkflow'
  | 'benchCeilingWorkflow';

/**
 * Issue 28: every workflow history a test produced replays on a fresh worker with the code that wrote it, and none of
 * its workflow tasks failed. `expected`: the types the test must have produced, so a check that found nothing (the
 * wrong namespace, a server already gone) fails instead of passing. `workflowsPath`: the module the test's worker ran.
 */
export function expectEveryHistoryReplays(
  client: Client,
  opts: { expected: WorkflowType[]; query?: string } & ReplayCode,
): Promise<HistoryCheck> {
  return expectReplayCheck(() => checkHistories(client, opts), opts.expected);
}

/**
 * A check (checkHistories, or FlowTest.replay of the histories the flow tests kept) made and asserted: it fails with a
 * line per history that does not replay and per failed workflow task, naming the workflow type, workflow id, run and
 * event. Prints what it replayed and what that took, to keep an eye on the suite's time.
 */
export async function expectReplayCheck(
  run: () => Promise<HistoryCheck>,
  expected: WorkflowType[],
): Promise<HistoryCheck> {
  const started = Date.now();
  const check = await run();
  const total = Object.values(check.replayed).reduce((a, b) => a + b, 0);
  console.log(
    `history check: ${total} histories replayed in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(check.replayed)}`,
  );
  expect(describeProblems(check), 'histories that do not replay, and failed workflow tasks').toEqual([]);
  const missing = expected.filter((type) => !check.replayed[type]);
  expect(
    missing,
    `workflow types expected among the replayed histories (replayed: ${JSON.stringify(check.replayed)})`,
  ).toEqual([]);
  return check;
}
