import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import {
  Runtime,
  Worker,
  bundleWorkflowCode,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Activities } from '../contracts/activities/index.js';
import { callActivityInterceptors } from '../telemetry/call-context.js';
import { workerTracing } from '../telemetry/temporal.js';
import { failureConverterPath } from './data-converter.js';
import { UnwatchedWorker } from './unwatched-worker.js';

export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
/** Adds the call id to call workflows' log lines and the call's context to their activities. */
export const workflowInterceptorsPath = fileURLToPath(new URL('../../workflows/interceptors.ts', import.meta.url));

/**
 * The task queue of the queue, agent and presence workflows when a process runs the routing worker next to the call
 * worker: their workflow tasks then have worker slots and a sticky queue of their own, so an offer's chain of queue
 * and agent tasks does not wait behind every waiting caller's tasks.
 */
export const routingTaskQueue = (taskQueue: string): string => `${taskQueue}-routing`;

/** The workflow code, bundled once for every worker of the process. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  // Through the runtime's logger, as the worker's own bundling is: webpack's output is debugging detail.
  return bundleWorkflowCode({
    workflowsPath,
    // With tracing on (OTEL_*), Temporal's OpenTelemetry workflow interceptors too (src/telemetry/temporal.ts).
    workflowInterceptorModules: [workflowInterceptorsPath, ...workerTracing().workflowModules],
    // Workflow failures are encoded in the sandbox: the same converter as the clients' and workers' (data-converter.ts).
    failureConverterPath,
    // Evaluated once per workflow thread and shared, instead of once per workflow: every run (each call, and each
    // agent's and queue's continue-as-new) has its own module cache, and libphonenumber-js/max, which
    // src/phone/number.ts imports, is 353 KB of the bundle, 154 KB of it one metadata object literal built again for
    // every run. Both are pure (no state between calls, no clock or randomness), as the SDK asks of a preloaded module.
    preloadModules: WORKFLOW_PRELOADED_MODULES,
    logger: Runtime.instance().logger,
  });
}

/**
 * Stateless modules the workflow threads load once for all workflows (bundleWorkflows). Ours, not libphonenumber-js
 * itself: that package says it has no side effects, so webpack drops a bare require of it (the SDK's preload is one).
 */
export const WORKFLOW_PRELOADED_MODULES = [fileURLToPath(new URL('../phone/number.ts', import.meta.url))];

/**
 * The SDK captures and source-maps a stack trace for every promise workflow code creates (for the stack trace query),
 * whether anyone asks or not: in a profiled bench run that was 35 of the workflow threads' 95 busy seconds, and
 * without it the process (worker, web and emulator) spent 13% less CPU per call (docs/benchmarks.md). The SDK has no
 * switch for it (temporalio/sdk-typescript#1587 is the slowness it causes). V8 gives each new context its stack depth
 * from this process-wide flag, so set before the worker starts its workflow thread it empties the stacks there
 * (workflow code and the SDK in that thread) and nowhere else: this thread's own stacks, the web process's and the
 * activities', stay as they are.
 */
export function withoutWorkflowStackTraces(): void {
  v8.setFlagsFromString('--stack-trace-limit=0');
}

/** One worker runs every Switchboard workflow and activity on its task queue. */
export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  identity?: string;
  /** From bundleWorkflows(), when several workers share one bundle. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** WORKFLOW_STACK_TRACES: keep the SDK's workflow stack traces (they cost CPU; see withoutWorkflowStackTraces). */
  workflowStackTraces?: boolean;
  /**
   * WORKFLOW_ISOLATE_TIMEOUT: keep the SDK's 5-s timeout on every entry into the workflow sandbox (a watchdog thread
   * per entry; see UnwatchedWorker).
   */
  workflowIsolateTimeout?: boolean;
  /** The payload codec the process's clients use (data-converter.ts): the worker must read what they write. */
  dataConverter: DataConverter;
}): Promise<Worker> {
  if (!opts.workflowStackTraces) withoutWorkflowStackTraces();
  const tracing = workerTracing();
  return (opts.workflowIsolateTimeout ? Worker : UnwatchedWorker).create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    // A bundle carries its workflow interceptors (bundleWorkflows); without one, the worker bundles them itself.
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: opts.activities,
    dataConverter: opts.dataConverter,
    interceptors: {
      activity: [...tracing.activityOuter, callActivityInterceptors, ...tracing.activityInner],
      ...(opts.workflowBundle ? {} : { workflowModules: [workflowInterceptorsPath, ...tracing.workflowModules] }),
    },
    ...(tracing.sinks ? { sinks: tracing.sinks } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
  });
}
