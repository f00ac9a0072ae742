import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { workflowsPath as productionWorkflowsPath } from '../../src/temporal/worker.js';

/** What a test says of its worker: the rest comes from the test environment it runs against. */
export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'dataConverter' | 'workflowsPath'> & {
  /** The workflows to bundle: production's (src/temporal/worker.ts) unless the test brings its own. */
  workflowsPath?: string;
};

/**
 * A worker on the test environment's connection, with its client's data converter (so the workflows' payloads are
 * encrypted as production's are, and the client can read what the worker wrote). One place for the set-up that
 * agent-replay, failure-encryption, routing-queue and the repro file each copied (issue 20, point 7).
 */
export function createTestWorker(env: TestWorkflowEnvironment, options: TestWorkerOptions): Promise<Worker> {
  const { workflowsPath = productionWorkflowsPath, ...rest } = options;
  return Worker.create({
    ...rest,
    connection: env.nativeConnection,
    dataConverter: env.client.options.dataConverter,
    workflowsPath,
  });
}
