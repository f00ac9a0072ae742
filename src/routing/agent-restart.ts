import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import Long from 'long';
import {
  agentRunStateQuery,
  agentWorkflowId,
  configuredQueuesSignal,
  type AgentRunState,
  type AgentSnapshot,
  type AgentWorkflowInput,
} from '../contracts/agent.js';
import type { QueueConfig } from '../contracts/queue-config.js';
import { UnknownAgentError } from './membership.js';
import { readFailingTask, resetPointFor, signalsAfter, type FailingTask } from './failing-task.js';

const { ResetReapplyExcludeType } = proto.temporal.api.enums.v1;

/** Why `switchboard agents restart` stopped, with what it had done by then. */
export class AgentRestartError extends Error {}

export interface AgentRestart {
  agentId: string;
  workflowId: string;
  /** The run that was ended. */
  previousRunId: string;
  /** The new run, carrying the state. */
  runId: string;
  /** Set when the run's workflow task was failing, so it had to be reset before it could say its state. */
  reset?: {
    failure: FailingTask;
    /** The WorkflowTaskCompleted event it was reset to. */
    eventId: number;
    runId: string;
    /** Signals received after that event that the reset did not reapply (a failure in our code: one may be its cause). */
    droppedSignals: string[];
  };
  state: AgentSnapshot;
}

export const RESTART_REASON = 'switchboard agents restart';

/**
 * End an agent's workflow run and start the next one with the same state, as `continueAsNew` would (the run asks
 * for it by query). For a run that cannot answer because its workflow task keeps failing (a nondeterminism after a
 * deploy, or a bug that throws on some signal: issue 28's agent was never offered a call again), the run is first
 * reset to the last workflow task that completed before the failure, and then asked.
 *
 * The new run goes to `taskQueue` (where start-up puts agents: the routing task queue), and is told its configured
 * queues as start-up tells every agent; that also makes it publish its state to the queues and Postgres at once.
 */
export async function restartAgent(
  client: Client,
  agentId: string,
  opts: { taskQueue: string; queues: Record<string, QueueConfig>; queryTimeoutMs?: number },
): Promise<AgentRestart> {
  const workflowId = agentWorkflowId(agentId);
  const queryTimeoutMs = opts.queryTimeoutMs ?? 5000;
  let previousRunId: string;
  try {
    previousRunId = (await client.workflow.getHandle(workflowId).describe()).runId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UnknownAgentError(`agent ${agentId} has no workflow`);
    throw err;
  }

  let run = client.workflow.getHandle(workflowId, previousRunId);
  let answer = await askState(client, run, queryTimeoutMs);
  let reset: AgentRestart['reset'];
  if (!answer.ok) {
    const history = await run.fetchHistory();
    const failure = await readFailingTask(history, client.options.loadedDataConverter);
    if (!failure) {
      throw new AgentRestartError(
        `agent ${agentId}'s workflow (run ${previousRunId}) did not answer within ${queryTimeoutMs / 1000} s and its workflow task is ` +
          `not failing: is a worker running? Nothing was changed. (${answer.error})`,
      );
    }
    const eventId = resetPointFor(history, failure);
    if (eventId === undefined) {
      throw new AgentRestartError(
        `agent ${agentId}'s workflow (run ${previousRunId}) failed in its first workflow task (${failure.message}): there is no ` +
          `earlier task to reset to. Nothing was changed; terminate it and restart a worker, which starts the agent afresh.`,
      );
    }
    // A nondeterminism is our code refusing the history, not any signal: the signals that came since are reapplied.
    // Any other failure was thrown by our code on something the run received, likely one of those signals, so they
    // are left out (and named) rather than replayed into the same failure.
    const keepSignals = failure.nondeterminism;
    const { runId } = await client.workflowService.resetWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId, runId: previousRunId },
      reason: RESTART_REASON,
      workflowTaskFinishEventId: Long.fromNumber(eventId),
      requestId: randomUUID(),
      resetReapplyExcludeTypes: keepSignals ? [] : [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL],
    });
    reset = { failure, eventId, runId, droppedSignals: keepSignals ? [] : signalsAfter(history, eventId) };
    run = client.workflow.getHandle(workflowId, runId);
    answer = await askState(client, run, queryTimeoutMs);
    if (!answer.ok) {
      throw new AgentRestartError(
        `agent ${agentId}'s workflow task was failing (${failure.message}); it was reset to event ${eventId} as run ${runId}, ` +
          `which does not answer either (${answer.error}). Reset it to an earlier workflow task by hand (docs/operations.md, ` +
          `"Workflow task failures").`,
      );
    }
  }

  const { state, presenceLagSeconds } = answer.value;
  // Named in the run's history as why it ended. A run already closed (a restart that stopped half-way, after this)
  // has nothing to end; its state was still readable above.
  await run.terminate(RESTART_REASON).catch((err: unknown) => {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  });
  // Terminates whatever runs under the id now (a worker's start-up may have started a fresh run meanwhile): the
  // state read above wins.
  const next = await client.workflow.start('agentWorkflow', {
    workflowId,
    taskQueue: opts.taskQueue,
    args: [
      {
        agentId,
        ...(presenceLagSeconds !== undefined ? { presenceLagSeconds } : {}),
        state,
      } satisfies AgentWorkflowInput,
    ],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
  });
  const configured = Object.values(opts.queues)
    .filter((q) => q.agents.includes(agentId))
    .map((q) => q.name)
    .sort();
  // Start-up tells only the agents the code lists; one it no longer lists keeps the queues it had.
  if (configured.length > 0) await next.signal(configuredQueuesSignal, { queues: configured });
  return { agentId, workflowId, previousRunId, runId: next.firstExecutionRunId, ...(reset ? { reset } : {}), state };
}

async function askState(
  client: Client,
  run: WorkflowHandle,
  timeoutMs: number,
): Promise<{ ok: true; value: AgentRunState } | { ok: false; error: string }> {
  try {
    const value = await client.connection.withDeadline(Date.now() + timeoutMs, () => run.query(agentRunStateQuery));
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** What `switchboard agents restart` prints. */
export function describeRestart(r: AgentRestart): string[] {
  const lines: string[] = [];
  if (r.reset) {
    lines.push(
      `${r.workflowId}: its workflow task was failing (${r.reset.failure.cause}: ${r.reset.failure.message}), so run ${r.previousRunId} ` +
        `was reset to event ${r.reset.eventId}, the last workflow task completed before the failure, as run ${r.reset.runId}`,
    );
    if (r.reset.droppedSignals.length > 0) {
      lines.push(`  signals received since, not reapplied: ${r.reset.droppedSignals.join(', ')}`);
    }
  }
  const s = r.state;
  const queues = [...new Set([...s.configured, ...s.optedIn])].filter((q) => !s.optedOut.includes(q)).sort();
  lines.push(
    `${r.workflowId}: restarted as run ${r.runId} (ended run ${r.reset?.runId ?? r.previousRunId}) with its state: ${s.state}, ` +
      `queues ${queues.join(', ') || 'none'}${s.optedOut.length ? `, opted out of ${[...s.optedOut].sort().join(', ')}` : ''}`,
  );
  return lines;
}
