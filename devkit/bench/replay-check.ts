/**
 * Every workflow history the bench run wrote, replayed on a fresh worker with the code that wrote it: Switchboard's
 * (calls, queues, agents, the presence poller) with workflows/, the ceiling's with the bench's own workflow module.
 */
import type { Client } from '@temporalio/client';
import { checkHistories, type HistoryCheck } from '../../src/temporal/history-check.js';
import { ceilingWorkflowsPath } from './ceiling/worker.js';

const CEILING = `WorkflowType = 'benchCeilingWorkflow'`;

export async function checkBenchHistories(client: Client): Promise<HistoryCheck> {
  const switchboard = await checkHistories(client, { query: `WorkflowType != 'benchCeilingWorkflow'` });
  const ceiling = await checkHistories(client, { query: CEILING, workflowsPath: ceilingWorkflowsPath });
  const replayed = { ...switchboard.replayed };
  for (const [type, n] of Object.entries(ceiling.replayed)) replayed[type] = (replayed[type] ?? 0) + n;
  return {
    replayed,
    replayFailures: [...switchboard.replayFailures, ...ceiling.replayFailures],
    failedTasks: [...switchboard.failedTasks, ...ceiling.failedTasks],
  };
}
