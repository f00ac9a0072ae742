import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowInterceptorsPath, workflowsPath as switchboardWorkflowsPath } from './worker.js';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type History = proto.temporal.api.history.v1.IHistory;

/** One history that does not replay, or one workflow task that failed, with what names it. */
export interface HistoryProblem {
  workflowType: string;
  workflowId: string;
  runId: string;
  /** The history event the problem is at, when known. */
  eventId?: number;
  message: string;
}

export interface HistoryCheck {
  /** Histories replayed, by workflow type. */
  replayed: Record<string, number>;
  /** Histories the current code cannot replay (nondeterminism). */
  replayFailures: HistoryProblem[];
  /** Workflow tasks that failed in the run itself (written to its history as WorkflowTaskFailed). */
  failedTasks: HistoryProblem[];
}

/**
 * Every workflow history in a namespace (all runs, open and closed: call, queue, agent, presence poller, retention),
 * replayed on a fresh replay worker with the current workflow code, and every workflow task that failed while they
 * ran. A history that was written by this code and does not replay is a nondeterminism bug that would, after the
 * next worker restart, fail that workflow's tasks for ever (issue 28). The tests that run workflows and `npm run
 * bench` finish with this.
 */
export async function checkHistories(
  client: Client,
  opts: { query?: string; workflowsPath?: string; workflowBundle?: WorkflowBundleWithSourceMap } = {},
): Promise<HistoryCheck> {
  const runs: { workflowType: string; workflowId: string; runId: string; history: History }[] = [];
  for await (const execution of client.workflow.list(opts.query ? { query: opts.query } : {})) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    runs.push({ workflowType: execution.type, workflowId: execution.workflowId, runId: execution.runId, history });
  }
  const check: HistoryCheck = { replayed: {}, replayFailures: [], failedTasks: runs.flatMap(failedTasksOf) };
  const byKey = new Map(runs.map((r) => [`${r.workflowId}/${r.runId}`, r]));
  const code = opts.workflowBundle
    ? { workflowBundle: opts.workflowBundle }
    : { workflowsPath: opts.workflowsPath ?? switchboardWorkflowsPath, interceptors: { workflowModules: [workflowInterceptorsPath] } };
  const histories = runs.map((r) => ({ workflowId: `${r.workflowId}/${r.runId}`, history: r.history }));
  for await (const result of Worker.runReplayHistories({ ...code, replayName: 'history-check' }, histories)) {
    const run = byKey.get(result.workflowId)!;
    check.replayed[run.workflowType] = (check.replayed[run.workflowType] ?? 0) + 1;
    if (result.error) {
      check.replayFailures.push({ ...names(run), ...eventOf(result.error.message), message: result.error.message });
    }
  }
  return check;
}

/** The problems in a check as lines a person can act on, or none. */
export function describeProblems(check: HistoryCheck): string[] {
  const line = (kind: string, p: HistoryProblem) =>
    `${kind}: ${p.workflowType} ${p.workflowId} run ${p.runId}${p.eventId !== undefined ? ` at event ${p.eventId}` : ''}: ${p.message}`;
  return [...check.replayFailures.map((p) => line('does not replay', p)), ...check.failedTasks.map((p) => line('workflow task failed', p))];
}

function names(r: { workflowType: string; workflowId: string; runId: string }) {
  return { workflowType: r.workflowType, workflowId: r.workflowId, runId: r.runId };
}

function eventOf(message: string): { eventId?: number } {
  const m = /HistoryEvent\(id: (\d+)/.exec(message) ?? /event(?: id)?[ :]+(\d+)/i.exec(message);
  return m ? { eventId: Number(m[1]) } : {};
}

/**
 * The run's failed workflow tasks, but for those the server fails by design: "unhandled command" (a signal or update
 * arrived while the task that completed or continued the run was in flight; the SDK runs the task again with it) and
 * "force close" (the run was terminated while a task was in flight).
 */
function failedTasksOf(run: { workflowType: string; workflowId: string; runId: string; history: History }): HistoryProblem[] {
  const benign = new Set([
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  ]);
  return (run.history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .filter((e) => !benign.has(e.workflowTaskFailedEventAttributes?.cause ?? 0))
    .map((e) => ({
      ...names(run),
      eventId: Number(e.eventId),
      message: `${WorkflowTaskFailedCause[e.workflowTaskFailedEventAttributes?.cause ?? 0]}: ${e.workflowTaskFailedEventAttributes?.failure?.message ?? ''}`,
    }));
}
