import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { QueueConfig } from '../src/contracts/queue-config.js';
import { QueueLive } from '../src/db/entities/agent-state.js';
import { agentWorkflowId, reserveUpdate, type AgentStateName, type ReserveRequest } from '../src/contracts/agent.js';
import {
  enqueueSignal,
  queuePositionQuery,
  queueWorkflowId,
  type QueueLiveRow,
  type QueuePosition,
  type QueueWorkflowInput,
  type WaitingCall,
} from '../src/contracts/queue.js';
import type { QueueActivities, RoutingActivities } from '../src/contracts/activities/queueing.js';

/**
 * A workflow cannot signal-with-start another workflow, so entering a queue is an activity: it starts the queue's
 * entity workflow if it isn't running and delivers the call to it in one atomic request.
 */
export function createQueueActivities(
  client: Client,
  taskQueue: string,
  queues: Record<string, QueueConfig>,
): QueueActivities {
  return {
    async enqueueCall(input: { queue: string; waiting: WaitingCall }): Promise<{ announceEverySeconds: number }> {
      const config = queues[input.queue];
      if (!config) throw new Error(`unknown queue ${input.queue}`);
      await client.workflow.signalWithStart('queueWorkflow', {
        workflowId: queueWorkflowId(input.queue),
        taskQueue,
        args: [{ config } satisfies QueueWorkflowInput],
        signal: enqueueSignal,
        signalArgs: [input.waiting],
      });
      return { announceEverySeconds: config.announceEverySeconds };
    },

    /** The caller's place and estimated wait, for the announcement; a query, so it costs the queue no history. */
    async queuePosition(input: { queue: string; callWorkflowId: string }): Promise<QueuePosition> {
      return client.workflow.getHandle(queueWorkflowId(input.queue)).query(queuePositionQuery, input.callWorkflowId);
    },
  };
}

/**
 * Reserving an agent is an Update on the agent's workflow (a workflow cannot send one itself): the validator there
 * rejects unless the agent is available, which is what keeps an agent from holding two reservations at once.
 */
export function createRoutingActivities(client: Client, orm: MikroORM | undefined): RoutingActivities {
  return {
    async reserveAgent(input: {
      agentId: string;
      request: ReserveRequest;
    }): Promise<{ accepted: boolean; reason?: string; state?: AgentStateName }> {
      try {
        await client.workflow.getHandle(agentWorkflowId(input.agentId)).executeUpdate(reserveUpdate, {
          args: [input.request],
          // A retried activity repeats the same update, which Temporal deduplicates by this id.
          updateId: input.request.reservationId,
        });
        return { accepted: true };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          return { accepted: false, reason: 'agent not signed in', state: 'signedOut' };
        if (err instanceof WorkflowUpdateFailedError) {
          const reason = err.cause?.message ?? err.message;
          // The validator says why: "agent … is away", or not opted in (as good as signed out for this queue).
          const state = /is not opted in/.test(reason)
            ? 'signedOut'
            : (/ is (\w+)$/.exec(reason)?.[1] as AgentStateName | undefined);
          return { accepted: false, reason, ...(state ? { state } : {}) };
        }
        throw err;
      }
    },

    async publishQueueLive(row: QueueLiveRow): Promise<void> {
      if (!orm) return;
      await orm.em.fork().upsert(
        QueueLive,
        {
          ...row,
          // null, not undefined: an upsert must clear the oldest wait when the queue empties.
          oldestWaitingSince: (row.oldestWaitingSince === null ? null : new Date(row.oldestWaitingSince)) as
            Date | undefined,
          updatedAt: new Date(),
        },
        { onConflictFields: ['queue'] },
      );
    },
  };
}
