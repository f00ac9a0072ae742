import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Activities } from '../../activities/index.js';
import { callActivityInterceptors } from './call-context.js';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
/** Adds the call id to call workflows' log lines and the call's context to their activities. */
export const workflowInterceptorsPath = fileURLToPath(new URL('../../workflows/interceptors.ts', import.meta.url));

/** One worker runs every Switchboard workflow and activity on the task queue. */
export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  identity?: string;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowsPath,
    activities: opts.activities,
    interceptors: { workflowModules: [workflowInterceptorsPath], activity: [callActivityInterceptors] },
    ...(opts.identity ? { identity: opts.identity } : {}),
  });
}
