import { Worker, type CompiledWorkerOptions } from '@temporalio/worker';
import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input.js';
import type { Logger } from '@temporalio/common';

/** How long the workflow thread may go without finishing any activation, while one waits, before it is called stuck. */
export const STUCK_THREAD_MS = 10_000;

/**
 * A Worker whose workflow thread enters the workflow sandbox without Node's per-entry timeout.
 *
 * The SDK passes `isolateExecutionTimeout` (5 s) as `timeout` to every `runInContext` into the sandbox, five or more
 * per activation, and Node enforces each with a watchdog thread of its own, created and joined every time
 * (nodejs/node#47739: "over 30 times slower" for short scripts). On this machine that is 43 µs of CPU per entry
 * against 0.5 µs without it, and in a profiled bench run it was 8 of the workflow thread's 15 busy seconds
 * (docs/benchmarks.md, issue 25). The SDK has no switch for it: an undefined timeout given to its workflow creator is
 * Node's "no timeout".
 *
 * What the timeout guarded: an endless loop in workflow code (a flow's own code runs there) fails its task after 5 s
 * and the thread goes on with other workflows. Without it the thread stays in the loop; `watchThread` says so in the
 * log. WORKFLOW_ISOLATE_TIMEOUT=true keeps the SDK's guard (createWorker picks the plain Worker then).
 */
export class UnwatchedWorker extends Worker {
  protected static override async createWorkflowCreator(
    bundle: WorkflowBundleWithSourceMapAndFilename,
    options: CompiledWorkerOptions,
    logger: Logger,
  ): Promise<WorkflowCreator> {
    // `undefined` reaches vm's runInContext as its timeout, which Node reads as none (no watchdog thread).
    const creator = await super.createWorkflowCreator(
      bundle,
      { ...options, isolateExecutionTimeoutMs: undefined as unknown as number },
      logger,
    );
    return watchThread(creator, logger, STUCK_THREAD_MS);
  }
}

/**
 * The creator, with its workflows' activations watched for a thread that makes no progress: one that has finished no
 * activation for `stuckMs` while some wait is stuck in workflow code (an activation's own time is micro- to
 * milliseconds). Progress, not each activation's time, is watched: under overload activations queue for seconds
 * behind each other, and that is not a loop. Logged as an error every `stuckMs` while it lasts.
 */
export function watchThread(creator: WorkflowCreator, logger: Logger, stuckMs: number): WorkflowCreator {
  let waiting = 0;
  let lastProgress = Date.now();
  const check = setInterval(
    () => {
      const quietMs = Date.now() - lastProgress;
      if (waiting > 0 && quietMs >= stuckMs) {
        logger.error(
          'workflow thread stuck: no activation finished while some wait (an endless loop in workflow code?)',
          {
            waitingActivations: waiting,
            quietSeconds: Math.round(quietMs / 1000),
          },
        );
        lastProgress = Date.now(); // once per period, not every check
      }
    },
    Math.min(1000, stuckMs),
  );
  check.unref();
  const watched = (wf: Workflow): Workflow => ({
    async activate(activation) {
      if (waiting++ === 0) lastProgress = Date.now();
      try {
        return await wf.activate(activation);
      } finally {
        waiting--;
        lastProgress = Date.now();
      }
    },
    getAndResetSinkCalls: () => wf.getAndResetSinkCalls(),
    dispose: () => wf.dispose(),
  });
  return {
    createWorkflow: async (options) => watched(await creator.createWorkflow(options)),
    async destroy() {
      clearInterval(check);
      await creator.destroy();
    },
  };
}
