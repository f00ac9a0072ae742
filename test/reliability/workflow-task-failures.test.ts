import { samples } from '../helpers/prometheus.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startWorkflowTestEnvironment } from '../helpers/services.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { startWorkerMetricsServer } from '../../src/server/metrics-server.js';
import { failingTask } from '../../src/routing/failing-task.js';
import { WORKFLOW_TASK_FAILURES_METRIC } from '../../dashboards/alerts.js';
import { eventually } from '../helpers/eventually.js';
import { createTestWorker } from '../helpers/test-worker.js';

// Issue 28: a workflow task that fails (a nondeterminism above all) is retried for ever and its workflow does nothing
// meanwhile. /metrics must count such failures by workflow type, for the alert rule (dashboards/alerts.ts) to fire.
// The count is the Temporal SDK core's; this runs workflows whose tasks fail, on a real dev server, and reads a worker
// process's /metrics as `switchboard worker` serves it.
const workflowsPath = new URL('../helpers/task-failure-workflows.ts', import.meta.url).pathname;

let env: TestWorkflowEnvironment;
let metrics: { url: string; stop(): Promise<void> } | undefined;

beforeAll(async () => {
  // The runtime the worker roles install (app/stack.ts: a free port unless TEMPORAL_SDK_METRICS_PORT says), before
  // the test environment would install one without metrics.
  const sdk = installTemporalRuntime(createLogger('silent'), await freePort());
  env = await startWorkflowTestEnvironment();
  metrics = await startWorkerMetricsServer({
    host: '127.0.0.1',
    port: await freePort(),
    allowedCidrs: [],
    logger: createLogger('silent'),
    temporalMetricsUrl: `http://127.0.0.1:${sdk.metricsPort}/metrics`,
  });
});

afterAll(async () => {
  await metrics?.stop();
  await env?.teardown();
});

it('counts failed workflow tasks in /metrics by workflow type and reason', async () => {
  const taskQueue = 'workflow-task-failures';
  // Caching no workflow, every task replays its history first, as after a worker restart.
  const worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath,
    maxCachedWorkflows: 0,
  });
  const failures = async () => {
    const res = await fetch(metrics!.url);
    expect(res.status).toBe(200);
    return samples(await res.text(), WORKFLOW_TASK_FAILURES_METRIC);
  };
  const of = (all: Awaited<ReturnType<typeof failures>>, workflowType: string) =>
    all.filter((s) => s.labels.workflow_type === workflowType);

  await worker.runUntil(async () => {
    const start = (type: string) => env.client.workflow.start(type, { workflowId: `${type}-1`, taskQueue });
    const [throwing, diverging, healthy] = await Promise.all([
      start('throwingWorkflow'),
      start('replayDivergingWorkflow'),
      start('healthyWorkflow'),
    ]);
    expect(await healthy.result()).toBe('done');
    const seen = await eventually(async () => {
      const all = await failures();
      return of(all, 'throwingWorkflow').length > 0 && of(all, 'replayDivergingWorkflow').length > 0 ? all : undefined;
    }, 'both failing workflow types counted in /metrics');

    // One series per type, naming why: our code threw, or our code refused its own history.
    expect(of(seen, 'throwingWorkflow').map((s) => s.labels.failure_reason)).toEqual(['WorkflowError']);
    expect(of(seen, 'replayDivergingWorkflow').map((s) => s.labels.failure_reason)).toEqual(['NonDeterminismError']);
    for (const s of [...of(seen, 'throwingWorkflow'), ...of(seen, 'replayDivergingWorkflow')]) {
      expect(s.value).toBeGreaterThanOrEqual(1);
      expect(s.labels.task_queue).toBe(taskQueue);
    }
    // A workflow whose tasks all completed is not counted at all, so the alert's "any failure" is the counter's existence.
    expect(of(seen, 'healthyWorkflow')).toEqual([]);

    // Each count is a failure Temporal recorded: the run's history ends in a failed task, of the same kind.
    expect(failingTask(await throwing.fetchHistory())).toMatchObject({
      cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
      nondeterminism: false,
    });
    const nondeterminism = failingTask(await diverging.fetchHistory());
    expect(nondeterminism).toMatchObject({ cause: 'NON_DETERMINISTIC_ERROR', nondeterminism: true });
    expect(nondeterminism!.message).toMatch(/Nondeterminism/);

    // Every retry of the failing task counts again: the alert goes on firing while the workflow is stuck.
    const first = of(seen, 'throwingWorkflow')[0]!.value;
    await eventually(
      async () => ((of(await failures(), 'throwingWorkflow')[0]?.value ?? 0) > first ? true : undefined),
      'a retry of the failing task counted',
    );

    await Promise.all([throwing.terminate('test over'), diverging.terminate('test over')]);
  });
});
