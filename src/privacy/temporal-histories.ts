import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** Told how many of the workflows are done, before each one and once at the end (a CLI shows it as progress). */
export type Counted = (done: number, all: number) => void;

export interface HistoriesDeleted {
  /** Runs that were still running and were ended first (terminated: the caller hears nothing more). */
  terminated: number;
  /** Runs whose history Temporal was asked to delete (DeleteWorkflowExecution). */
  deleted: number;
}

/** The histories of one person: their calls by the CallerHash the webhook tagged them with, and workflows by id. */
export interface PersonsWorkflows {
  /** Their keyed hash (subject-ref.ts), which every call the webhook started since issue 26 carries as CallerHash. */
  callerHash: string;
  /**
   * Workflows Postgres links to them: their calls (those started before CallerHash, or visibility has not indexed
   * yet), callbacks to their number from someone else's call, their callbacks' workflows.
   */
  workflowIds: Iterable<string>;
}

interface Run {
  workflowId: string;
  runId: string;
  running: boolean;
}

function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5; // gRPC NOT_FOUND
}

async function listed(client: Client, query: string): Promise<Run[]> {
  const runs: Run[] = [];
  for await (const w of client.workflow.list({ query }))
    runs.push({ workflowId: w.workflowId, runId: w.runId, running: w.status.name === 'RUNNING' });
  return runs;
}

/**
 * Every run of the person's calls, open or closed, in one visibility query: `CallerHash = '<their hash>'`. A namespace
 * without the attribute (a cluster `switchboard migrate` could not register it on) refuses the query as invalid; the
 * person's calls are then found by id only, as Postgres lists them.
 */
async function callerRuns(client: Client, callerHash: string): Promise<Run[]> {
  try {
    return await listed(client, `CallerHash = ${JSON.stringify(callerHash)}`);
  } catch (err) {
    if ((err as { code?: number }).code === 3) return []; // gRPC INVALID_ARGUMENT: no such search attribute
    throw err;
  }
}

/** Every run of one workflow id: visibility lists the older runs too; describe finds a run visibility lags behind. */
async function runsOf(client: Client, workflowId: string): Promise<Run[]> {
  const runs = new Map<string, boolean>();
  for (const r of await listed(client, `WorkflowId = ${JSON.stringify(workflowId)}`)) runs.set(r.runId, r.running);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    runs.set(d.runId, d.status.name === 'RUNNING');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return [...runs].map(([runId, running]) => ({ workflowId, runId, running }));
}

/**
 * The person's runs: those CallerHash finds, then, one by one, the workflows Postgres names that it did not find (a
 * call from before CallerHash, another caller's call that holds their number). Before CallerHash every call of the
 * person took two requests (a visibility query and a describe); now all of them take one query.
 */
async function personsRuns(client: Client, who: PersonsWorkflows, onEach?: Counted): Promise<Run[]> {
  const runs = await callerRuns(client, who.callerHash);
  const found = new Set(runs.map((r) => r.workflowId));
  const ids = [...new Set(who.workflowIds)];
  const rest = ids.filter((id) => !found.has(id));
  // Progress over the workflows Postgres names: those the hash found are looked up already.
  for (const [i, workflowId] of rest.entries()) {
    onEach?.(ids.length - rest.length + i, ids.length);
    runs.push(...(await runsOf(client, workflowId)));
  }
  onEach?.(ids.length, ids.length);
  return runs;
}

/**
 * Erasure in Temporal: each run of the person's workflows is terminated if it still runs, then its history is
 * deleted through DeleteWorkflowExecution (Temporal removes it, and its visibility record, in the background). The
 * reason given names no one: it stays in nothing, but the server logs it.
 */
export async function deleteWorkflowHistories(
  client: Client,
  who: PersonsWorkflows,
  onEach?: Counted,
): Promise<HistoriesDeleted> {
  const done: HistoriesDeleted = { terminated: 0, deleted: 0 };
  const runs = await personsRuns(client, who);
  for (const [i, { workflowId, runId, running }] of runs.entries()) {
    onEach?.(i, runs.length);
    if (running) {
      try {
        await client.workflow.getHandle(workflowId, runId).terminate('privacy erasure');
        done.terminated++;
      } catch (err) {
        if (!isNotFound(err) && !/already completed/i.test((err as Error).message)) throw err;
      }
    }
    try {
      await client.workflowService.deleteWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId, runId },
      });
      done.deleted++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  onEach?.(runs.length, runs.length);
  return done;
}

/**
 * The workflow ids of the person's that Temporal still has any run of (an export lists the histories it could not
 * read), their calls Postgres does not know of included.
 */
export async function openOrClosedRuns(client: Client, who: PersonsWorkflows, onEach?: Counted): Promise<string[]> {
  return [...new Set((await personsRuns(client, who, onEach)).map((r) => r.workflowId))];
}
