/**
 * The ceiling's own worker: the bench starts it next to the Switchboard process, on a task queue of its own, so the
 * production worker carries no bench code. Set up as Switchboard's workers are (the same workflow interceptors, no
 * workflow stack traces, the client's payload codecs) so that the ceiling costs Temporal what a call's work would.
 */
import { fileURLToPath } from 'node:url';
import { Connection, type Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { withoutWorkflowStackTraces, workflowInterceptorsPath } from '../../../src/temporal/worker.js';
import { createBenchActivities } from './activities.js';

/** The ceiling's workflow module, for its worker and for replaying its histories (checkHistories' workflowsPath). */
export const ceilingWorkflowsPath = fileURLToPath(new URL('./workflow.ts', import.meta.url));

/** The ceiling's task queue, next to Switchboard's. */
export const ceilingTaskQueue = (taskQueue: string): string => `${taskQueue}-ceiling`;

export interface CeilingWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/** Starts the ceiling worker against the server `client` talks to; it runs until stopped. */
export async function startCeilingWorker(client: Client, taskQueue: string): Promise<CeilingWorker> {
  if (!(client.connection instanceof Connection)) throw new Error('the ceiling worker needs a client on a server');
  withoutWorkflowStackTraces();
  const connection = await NativeConnection.connect({ address: client.connection.options.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: client.options.namespace,
      taskQueue: ceilingTaskQueue(taskQueue),
      workflowsPath: ceilingWorkflowsPath,
      activities: createBenchActivities(),
      interceptors: { workflowModules: [workflowInterceptorsPath] },
      // What the bench's client writes (through its payload codecs, if any), the worker must read.
      dataConverter: client.options.dataConverter,
    });
    const running = worker.run();
    return {
      taskQueue: ceilingTaskQueue(taskQueue),
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
