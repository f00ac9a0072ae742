import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { checkHistories, describeProblems, type HistoryCheck } from '../../src/temporal/history-check.js';
import { historyShape } from '../../src/temporal/history-shape.js';
import type { RecordedRequest } from '../../devkit/emulator/types.js';
import { agentStateQuery, agentWorkflowId, type AgentSnapshotView } from '../../src/contracts/agent.js';

// What the chaos scenarios check beyond the calls (issue 28, point 3): the agents and every other workflow.

/** Each agent's view as its workflow answers the agentState query, or why there is none (within `timeoutMs`). */
export async function agentViews(
  client: Client,
  agentIds: string[],
  timeoutMs = 5000,
): Promise<Record<string, AgentSnapshotView | string>> {
  const answers = await Promise.all(
    agentIds.map(async (id) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no answer'), timeoutMs)));
      const view = client.workflow
        .getHandle(agentWorkflowId(id))
        .query(agentStateQuery)
        .catch((err: unknown) => `query failed: ${String(err)}`);
      try {
        return [id, await Promise.race([view, timeout])] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(answers);
}

/** Each agent's state (available, reserved, …), or why its workflow did not say. */
export async function agentStates(
  client: Client,
  agentIds: string[],
  timeoutMs = 5000,
): Promise<Record<string, string>> {
  const views = await agentViews(client, agentIds, timeoutMs);
  return Object.fromEntries(Object.entries(views).map(([id, v]) => [id, typeof v === 'string' ? v : v.state]));
}

/** The agents whose workflow says they are available. */
export async function availableAgents(client: Client, agentIds: string[]): Promise<string[]> {
  const states = await agentStates(client, agentIds);
  return agentIds.filter((id) => states[id] === 'available');
}

/**
 * The agents offered a call (rung: a createCall to the agent that Graph took) in `requests` from index `from` on, with
 * how many times each.
 */
export function agentsRungSince(requests: RecordedRequest[], from: number): Map<string, number> {
  const rung = new Map<string, number>();
  for (const r of requests.slice(from)) {
    if (r.method !== 'POST' || !r.path.endsWith('/communications/calls') || r.status < 200 || r.status >= 300) continue;
    const targets = (r.body as { targets?: { identity?: { user?: { id?: string } } }[] } | null)?.targets ?? [];
    for (const t of targets) {
      const id = t.identity?.user?.id;
      if (id) rung.set(id, (rung.get(id) ?? 0) + 1);
    }
  }
  return rung;
}

/**
 * Open workflows (any type) whose current workflow task is on its second attempt or later, as lines naming each. After
 * the first failure of a task Temporal writes no further WorkflowTaskFailed events, and a task whose first attempt
 * timed out (its worker was killed) writes none at all when the next attempts fail: the history shows nothing, the
 * pending task's attempt count does.
 */
export async function retryingWorkflowTasks(client: Client): Promise<string[]> {
  const lines: string[] = [];
  for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    const description = await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .describe()
      .catch(() => undefined); // closed since it was listed
    const pending = description?.raw.pendingWorkflowTask;
    if (pending && (pending.attempt ?? 1) > 1) {
      const since = pending.originalScheduledTime?.seconds
        ? new Date(Number(pending.originalScheduledTime.seconds) * 1000).toISOString()
        : '?';
      lines.push(
        `workflow task retrying: ${execution.type} ${execution.workflowId} run ${execution.runId}: attempt ${pending.attempt} (first scheduled ${since})`,
      );
    }
  }
  return lines;
}

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;

/**
 * Failed workflow tasks recorded in the histories of the runs `query` lists, without replaying them: the lines
 * describeProblems makes for `checkHistories`' failedTasks, with the same causes left out (the server fails a task by
 * design on an unhandled command or update, and on a terminate while a task is in flight).
 */
export async function failedWorkflowTasks(client: Client, query: string): Promise<{ lines: string[]; runs: number }> {
  const benign = new Set<number>([
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  ]);
  const executions: { type: string; workflowId: string; runId: string }[] = [];
  for await (const e of client.workflow.list({ query }))
    executions.push({ type: e.type, workflowId: e.workflowId, runId: e.runId });
  const lines: string[] = [];
  for (let i = 0; i < executions.length; i += 8) {
    const batch = executions.slice(i, i + 8);
    const histories = await Promise.all(
      batch.map((e) => client.workflow.getHandle(e.workflowId, e.runId).fetchHistory()),
    );
    for (const [j, history] of histories.entries()) {
      const execution = batch[j]!;
      for (const e of history.events ?? []) {
        if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
        const attributes = e.workflowTaskFailedEventAttributes;
        if (benign.has(attributes?.cause ?? 0)) continue;
        lines.push(
          `workflow task failed: ${execution.type} ${execution.workflowId} run ${execution.runId} at event ${Number(e.eventId)}: ` +
            `${WorkflowTaskFailedCause[attributes?.cause ?? 0]}: ${attributes?.failure?.message ?? ''}` +
            // The run's events up to the failure, without payloads: the history is gone with the stack (issue 25).
            `\n  history: ${historyShape(history, Number(e.eventId))}`,
        );
      }
    }
  }
  return { lines, runs: executions.length };
}

export interface WorkflowTaskReport {
  /** Lines naming each workflow (type, id, run, event) that does not replay, had a workflow task fail, or has one retrying. */
  problems: string[];
  /** The replay of the open workflows. */
  check: HistoryCheck;
  /** Closed runs whose histories were looked at for failed workflow tasks. */
  closedRuns: number;
}

/**
 * No workflow of any type has a failing workflow task, after a scenario that began at `since`:
 * - no open workflow's pending workflow task is being retried (a task retried after a worker was killed completes
 *   within seconds once a worker polls, so retries are looked at for up to `settleMs` before they count);
 * - the open workflows (agents, queues, the presence poller, calls still up) replay on a fresh replay worker, and
 *   their histories record no failed workflow task (`checkHistories`);
 * - the runs closed since `since` record none either (not replayed here: the suite replays every history at its end).
 */
export async function workflowTaskProblems(
  client: Client,
  opts: { since: Date; workflowBundle?: WorkflowBundleWithSourceMap; settleMs?: number },
): Promise<WorkflowTaskReport> {
  const deadline = Date.now() + (opts.settleMs ?? 20_000);
  let retrying = await retryingWorkflowTasks(client);
  while (retrying.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    retrying = await retryingWorkflowTasks(client);
  }
  const check = await checkHistories(client, {
    query: `ExecutionStatus = 'Running'`,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
  });
  const closed = await failedWorkflowTasks(
    client,
    `ExecutionStatus != 'Running' AND CloseTime >= '${opts.since.toISOString()}'`,
  );
  return { problems: [...describeProblems(check), ...closed.lines, ...retrying], check, closedRuns: closed.runs };
}

/**
 * Every history in the namespace replays on a fresh replay worker, none records a failed workflow task, and no open
 * workflow's task is being retried.
 */
export async function everyHistoryProblems(
  client: Client,
  opts: { workflowBundle?: WorkflowBundleWithSourceMap } = {},
): Promise<WorkflowTaskReport> {
  const retrying = await retryingWorkflowTasks(client);
  const check = await checkHistories(client, opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {});
  return { problems: [...describeProblems(check), ...retrying], check, closedRuns: 0 };
}
