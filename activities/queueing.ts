import type { Client } from '@temporalio/client';
import { enqueueSignal, queueWorkflowId, type WaitingCall } from '../workflows/messages.js';
import { queues as configuredQueues, type QueueConfig } from '../flows/index.js';

/**
 * A workflow cannot signal-with-start another workflow, so entering a queue is an activity: it starts the queue's
 * entity workflow if it isn't running and delivers the call to it in one atomic request.
 */
export function createQueueActivities(
  client: Client,
  taskQueue: string,
  queues: Record<string, QueueConfig> = configuredQueues,
) {
  return {
    async enqueueCall(input: { queue: string; waiting: WaitingCall }): Promise<void> {
      const config = queues[input.queue];
      if (!config) throw new Error(`unknown queue ${input.queue}`);
      await client.workflow.signalWithStart('queueWorkflow', {
        workflowId: queueWorkflowId(input.queue),
        taskQueue,
        args: [{ config }],
        signal: enqueueSignal,
        signalArgs: [input.waiting],
      });
    },
  };
}

export type QueueActivities = ReturnType<typeof createQueueActivities>;
