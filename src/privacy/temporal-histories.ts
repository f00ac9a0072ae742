import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** Told how many of the workflows are done, before each one and once at the end (a CLI shows it as progress). */
export type Counted = (done: number, all: number) => void;

export interface HistoriesDeleted {
  /** Runs that were still running and were ended first (terminated: the caller hears nothing more). */
  terminated: number;
  /** Runs whose history Temporal was asked to delete (DeleteWorkflowExecution). */
  deleted: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5; // gRPC NOT_FOUND
}

/** Every run of one workflow id: visibility lists the older runs too; describe finds a run visibility lags behind. */
async function runsOf(client: Client, workflowId: string): Promise<{ runId: string; running: boolean }[]> {
  const runs = new Map<string, boolean>();
  for await (const w of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` }))
    runs.set(w.runId, w.status.name === 'RUNNING');
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    runs.set(d.runId, d.status.name === 'RUNNING');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return [...runs].map(([runId, running]) => ({ runId, running }));
}

/**
 * Erasure in Temporal: each run of these workflows is terminated if it still runs, then its history is deleted
 * through DeleteWorkflowExecution (Temporal removes it, and its visibility record, in the background). The reason
 * given names no one: it stays in nothing, but the server logs it.
 */
export async function deleteWorkflowHistories(
  client: Client,
  workflowIds: Iterable<string>,
  onEach?: Counted,
): Promise<HistoriesDeleted> {
  const done: HistoriesDeleted = { terminated: 0, deleted: 0 };
  const ids = [...new Set(workflowIds)];
  for (const [i, workflowId] of ids.entries()) {
    onEach?.(i, ids.length);
    for (const { runId, running } of await runsOf(client, workflowId)) {
      const workflowExecution = { workflowId, runId };
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
          workflowExecution,
        });
        done.deleted++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
  onEach?.(ids.length, ids.length);
  return done;
}

/** Whether Temporal still has any run of a workflow id (an export lists the histories it could not read). */
export async function openOrClosedRuns(
  client: Client,
  workflowIds: Iterable<string>,
  onEach?: Counted,
): Promise<string[]> {
  const held: string[] = [];
  const ids = [...new Set(workflowIds)];
  for (const [i, id] of ids.entries()) {
    onEach?.(i, ids.length);
    const runs = await runsOf(client, id);
    if (runs.length > 0) held.push(id);
  }
  onEach?.(ids.length, ids.length);
  return held;
}
