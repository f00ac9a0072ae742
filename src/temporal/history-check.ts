import type { Client } from '@temporalio/client';
import type { DataConverter, LoadedDataConverter } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyShape } from './history-shape.js';
import {
  withoutWorkflowStackTraces,
  workflowInterceptorsPath,
  workflowsPath as switchboardWorkflowsPath,
} from './worker.js';

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
  /** For a failed workflow task: the run's events up to it, without payloads (history-shape.ts). */
  historyShape?: string;
}

export interface HistoryCheck {
  /** Histories replayed, by workflow type. */
  replayed: Record<string, number>;
  /** Histories the current code cannot replay (nondeterminism). */
  replayFailures: HistoryProblem[];
  /** Workflow tasks that failed in the run itself (written to its history as WorkflowTaskFailed). */
  failedTasks: HistoryProblem[];
}

/** One run of a workflow and its history. */
export interface RunHistory {
  workflowType: string;
  workflowId: string;
  runId: string;
  history: History;
}

export interface ReplayCode {
  /** The workflows module the worker that wrote the histories ran (with Switchboard's interceptors); default workflows/index.ts. */
  workflowsPath?: string;
  /** Or the bundle it ran, as is. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /**
   * The payload codec the histories were written through (data-converter.ts); checkHistories takes the client's. Its
   * decode passes unencrypted payloads through, so histories recorded before the codec replay as well.
   */
  dataConverter?: DataConverter;
}

/** Histories fetched this many at a time while earlier ones replay: a bench run's thousands are fetched in seconds. */
const FETCH_AHEAD = 16;

/**
 * Every workflow history in a namespace (all runs, open and closed: call, queue, agent, presence poller, retention),
 * replayed on a fresh replay worker with the current workflow code, and every workflow task that failed while they
 * ran. A history that was written by this code and does not replay is a nondeterminism bug that would, after the
 * next worker restart, fail that workflow's tasks for ever (issue 28). The tests that run workflows and `npm run
 * bench` finish with this.
 */
export async function checkHistories(
  client: Client,
  opts: { query?: string } & ReplayCode = {},
): Promise<HistoryCheck> {
  return replayHistories(withHistories(client, await listRuns(client, opts.query)), {
    dataConverter: client.options.dataConverter,
    ...opts,
  });
}

/**
 * Every history in a namespace, fetched now: for a server that is about to go (the flow tests' time-skipping server
 * lives for one test), to replay later with replayHistories.
 */
export async function fetchHistories(client: Client, opts: { query?: string } = {}): Promise<RunHistory[]> {
  const fetched: RunHistory[] = [];
  for await (const run of withHistories(client, await listRuns(client, opts.query))) fetched.push(run);
  return fetched;
}

/** Histories replayed one after another on one fresh replay worker, and the workflow tasks that failed in them. */
export async function replayHistories(
  runs: Iterable<RunHistory> | AsyncIterable<RunHistory>,
  opts: ReplayCode = {},
): Promise<HistoryCheck> {
  const check: HistoryCheck = { replayed: {}, replayFailures: [], failedTasks: [] };
  const code = opts.workflowBundle
    ? { workflowBundle: opts.workflowBundle }
    : {
        workflowsPath: opts.workflowsPath ?? switchboardWorkflowsPath,
        interceptors: { workflowModules: [workflowInterceptorsPath] },
      };
  // The replay worker takes a history, replays it and reports it before it takes the next: its report is on the run
  // taken last. Replayed under its own workflow id, as the workflow code reads it.
  let current: RunHistory | undefined;
  const loaded = loadDataConverter(opts.dataConverter);
  async function* histories() {
    for await (const run of runs) {
      current = run;
      check.failedTasks.push(...(await failedTasksOf(run, loaded)));
      yield { workflowId: run.workflowId, history: run.history };
    }
  }
  // As Switchboard's workers run: the SDK's stack trace for every promise a workflow makes was 35-40% of a replay's time.
  withoutWorkflowStackTraces();
  const converter = opts.dataConverter ? { dataConverter: opts.dataConverter } : {};
  for await (const result of Worker.runReplayHistories(
    { ...code, ...converter, replayName: 'history-check' },
    histories(),
  )) {
    const run = current!;
    if (result.workflowId !== run.workflowId)
      throw new Error(`history check: a replay result for ${result.workflowId} while replaying ${run.workflowId}`);
    check.replayed[run.workflowType] = (check.replayed[run.workflowType] ?? 0) + 1;
    if (result.error) {
      check.replayFailures.push({ ...names(run), ...eventOf(result.error.message), message: result.error.message });
    }
  }
  return check;
}

/** Every run in the namespace; a server without visibility queries (the time-skipping test server) lists open and closed runs. */
async function listRuns(client: Client, query: string | undefined): Promise<Omit<RunHistory, 'history'>[]> {
  const runs: Omit<RunHistory, 'history'>[] = [];
  try {
    for await (const e of client.workflow.list(query ? { query } : {}))
      runs.push({ workflowType: e.type, workflowId: e.workflowId, runId: e.runId });
    return runs;
  } catch (err) {
    if (query !== undefined || !isUnimplemented(err)) throw err;
  }
  const namespace = client.options.namespace;
  const service = client.workflowService;
  type Page = {
    executions?: proto.temporal.api.workflow.v1.IWorkflowExecutionInfo[] | null;
    nextPageToken?: Uint8Array | null;
  };
  type Request = { namespace: string; maximumPageSize: number; nextPageToken?: Uint8Array };
  const lists: ((r: Request) => Promise<Page>)[] = [
    (r) => service.listOpenWorkflowExecutions(r),
    (r) => service.listClosedWorkflowExecutions(r),
  ];
  for (const list of lists) {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await list({ namespace, maximumPageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const e of page.executions ?? []) {
        runs.push({
          workflowType: e.type?.name ?? '',
          workflowId: e.execution?.workflowId ?? '',
          runId: e.execution?.runId ?? '',
        });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
  return runs;
}

function isUnimplemented(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    if ((e as { code?: unknown }).code === 12 /* gRPC UNIMPLEMENTED */) return true;
  return false;
}

/** The runs with their histories, in order, fetched FETCH_AHEAD at a time. */
function withHistories(client: Client, runs: Omit<RunHistory, 'history'>[]): AsyncGenerator<RunHistory> {
  return prefetch(runs, FETCH_AHEAD, async (r) => ({
    ...r,
    history: await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory(),
  }));
}

/** `fetch` of each item, in order, with up to `ahead` fetches in flight. */
async function* prefetch<T, R>(items: T[], ahead: number, fetch: (item: T) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const more = () => {
    while (next < items.length && inFlight.length < ahead) {
      const p = fetch(items[next++]!);
      p.catch(() => undefined); // awaited in turn below; not an unhandled rejection meanwhile
      inFlight.push(p);
    }
  };
  more();
  while (inFlight.length > 0) {
    const result = await inFlight.shift()!;
    more();
    yield result;
  }
}

/** The problems in a check as lines a person can act on, or none. */
export function describeProblems(check: HistoryCheck): string[] {
  const line = (kind: string, p: HistoryProblem) =>
    `${kind}: ${p.workflowType} ${p.workflowId} run ${p.runId}${p.eventId !== undefined ? ` at event ${p.eventId}` : ''}: ${p.message}` +
    (p.historyShape ? `\n  history: ${p.historyShape}` : '');
  return [
    ...check.replayFailures.map((p) => line('does not replay', p)),
    ...check.failedTasks.map((p) => line('workflow task failed', p)),
  ];
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
 * arrived while the task that completed or continued the run was in flight; the SDK runs the task again with it),
 * "force close" (the run was terminated while a task was in flight) and "reset" (an operator reset the run: its new
 * run begins with the reset's own failed task).
 */
async function failedTasksOf(run: RunHistory, converter: LoadedDataConverter): Promise<HistoryProblem[]> {
  const benign = new Set([
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
    WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
  ]);
  const failed = (run.history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .filter((e) => !benign.has(e.workflowTaskFailedEventAttributes?.cause ?? 0));
  const problems: HistoryProblem[] = [];
  for (const e of failed) {
    const attributes = e.workflowTaskFailedEventAttributes;
    problems.push({
      ...names(run),
      eventId: Number(e.eventId),
      message: `${WorkflowTaskFailedCause[attributes?.cause ?? 0]}: ${await failureMessage(attributes?.failure, converter)}`,
      // Which worker took which task on which queue: what a core error such as "History is out of order" (issue 25,
      // docs/known-issues.md) cannot be read without, and what the run's history is gone by the time anyone looks.
      historyShape: historyShape(run.history, Number(e.eventId)),
    });
  }
  return problems;
}

/**
 * A failure's message as it was thrown. Failures our workflow code throws are encrypted (failure-converter.ts,
 * issue 22): the raw history says "Encoded failure" until the codec decodes it, as readFailingTask does for `agents
 * restart`. A core-made failure (a nondeterminism) is in clear and reads as it is. Without the key that wrote it
 * (a history from another deployment) the line says so rather than failing the check.
 */
async function failureMessage(
  failure: proto.temporal.api.failure.v1.IFailure | null | undefined,
  converter: LoadedDataConverter,
): Promise<string> {
  const raw = failure?.message ?? '';
  try {
    return (await decodeOptionalFailureToOptionalError(converter, failure))?.message ?? raw;
  } catch (err) {
    return `${raw} (not decoded: ${(err as Error).message})`;
  }
}
