import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import { UnwatchedWorker, watchThread } from '../../src/temporal/unwatched-worker.js';
import { bundleWorkflows, WORKFLOW_PRELOADED_MODULES } from '../../src/temporal/worker.js';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';

// Issue 25, point 1: Node enforces a vm timeout with a watchdog thread per entry into the sandbox
// (nodejs/node#47739), and the SDK gives every entry one. Switchboard's workers enter without it.
const workflowsPath = fileURLToPath(new URL('../helpers/history-check/v1.ts', import.meta.url));
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

/** The `timeout` of every entry into the sandbox while a worker of this class runs one workflow to its end. */
async function entryTimeouts(WorkerClass: typeof Worker, taskQueue: string): Promise<unknown[]> {
  const timeouts = new Set<unknown>();
  const enter = vm.Script.prototype.runInContext;
  // debugMode runs workflows on this thread (not the workflow thread), where the entries can be seen.
  const spy = vi.spyOn(vm.Script.prototype, 'runInContext').mockImplementation(function (
    this: vm.Script,
    context,
    options,
  ) {
    timeouts.add(options?.timeout);
    return enter.call(this, context, options) as unknown;
  });
  try {
    const worker = await WorkerClass.create({
      connection: env.nativeConnection,
      dataConverter: env.client.options.dataConverter,
      taskQueue,
      workflowsPath,
      debugMode: true,
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('historyCheckWorkflow', {
        workflowId: taskQueue,
        taskQueue,
        args: [{ wait: false }],
      }),
    );
    expect(result).toBe('done');
  } finally {
    spy.mockRestore();
  }
  return [...timeouts];
}

describe('entering the workflow sandbox', () => {
  it("runs a workflow to its end without Node's per-entry timeout, which the SDK's Worker sets", async () => {
    expect(await entryTimeouts(UnwatchedWorker, 'sandbox-entry-unwatched')).toEqual([undefined]);
    // The SDK loads its bundle without one, and enters for each activation with one (debugMode: 2^32 - 1 ms).
    expect(await entryTimeouts(Worker, 'sandbox-entry-sdk')).toEqual(expect.arrayContaining([undefined, 4294967295]));
  });
});

describe("the workers' workflow bundle", () => {
  it('loads src/phone/number.ts and libphonenumber-js once per workflow thread (preloaded), not per run', async () => {
    expect(WORKFLOW_PRELOADED_MODULES).toEqual([fileURLToPath(new URL('../../src/phone/number.ts', import.meta.url))]);
    const { code } = await bundleWorkflows();
    // The SDK's entry requires preloaded modules in preloadModules(), which its reusable context runs at start-up.
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1];
    expect(preload).toMatch(/__webpack_require__\([^)]*"\.\/src\/phone\/number\.ts"\)/);
    // …and that module is the one the call workflow's callback offer imports, so it takes the shared copy.
    expect(code).toMatch(/offer-callback[\s\S]*__webpack_require__\([^)]*"\.\/src\/phone\/number\.ts"\)/);
  });
});

describe('watchThread', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs a thread that finishes no activation for 10 s while one waits, and not one where they queue but finish', async () => {
    vi.useFakeTimers();
    const errors: Record<string, unknown>[] = [];
    const logger = { error: (_: string, meta?: Record<string, unknown>) => errors.push(meta ?? {}) } as Logger;
    let finish = (): void => {};
    const creator: WorkflowCreator = {
      createWorkflow: () =>
        Promise.resolve({
          activate: () => new Promise((resolve) => (finish = () => resolve({}))),
          getAndResetSinkCalls: () => Promise.resolve([]),
          dispose: () => Promise.resolve(),
        }),
      destroy: () => Promise.resolve(),
    };
    const watched = watchThread(creator, logger, 10_000);
    const workflow = await watched.createWorkflow({} as Parameters<WorkflowCreator['createWorkflow']>[0]);

    // Overload: each activation waits 6 s behind others, but one finishes every 6 s (30 s in all).
    for (let i = 0; i < 5; i++) {
      const activation = workflow.activate({});
      await vi.advanceTimersByTimeAsync(6_000);
      finish();
      await activation;
    }
    expect(errors).toEqual([]);

    // Stuck: nothing finishes for 25 s.
    const stuck = workflow.activate({});
    await vi.advanceTimersByTimeAsync(25_000);
    expect(errors).toEqual([
      { waitingActivations: 1, quietSeconds: 10 },
      { waitingActivations: 1, quietSeconds: 10 },
    ]);
    finish();
    await stuck;
    await watched.destroy();
  });
});
