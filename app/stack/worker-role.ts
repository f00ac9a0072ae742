import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import type { MikroORM } from '../../src/db/orm.js';
import type { FolderRecordingStore } from '../../src/recordings/store.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { schedules } from '../../flows/schedules.js';
import { lookups } from '../../flows/lookups.js';
import { voicemailBoxes } from '../../flows/voicemail-boxes.js';
import { createActivities } from '../../activities/index.js';
import { startAgentWorkflows, startPresencePoller } from '../../activities/agents.js';
import { ensureRetentionSchedule } from '../../activities/retention.js';
import { bundleWorkflows, createWorker, routingTaskQueue } from '../../src/temporal/worker.js';
import { dataConverterFor } from '../../src/temporal/data-converter.js';
import { startWorkerMetricsServer } from '../../src/server/metrics-server.js';
import type { lazyGraph } from './graph.js';
import type { StackOptions, StackStep } from './types.js';
import type { Stops } from './stops.js';

export interface WorkerRoleDeps {
  config: Config;
  logger: Logger;
  stops: Stops;
  onStep: (s: StackStep) => void;
  connection: NativeConnection;
  client: Client;
  orm: MikroORM;
  graph: ReturnType<typeof lazyGraph>;
  recordingStore: FolderRecordingStore;
  options: Pick<StackOptions, 'queues' | 'presence'>;
  /** Serve the worker's own /metrics (no web role in this process to serve them). */
  serveMetrics: boolean;
  temporalMetricsUrl?: string;
}

/**
 * The worker role: two workers on one bundle (calls on the task queue; queues and agents on the routing one), the
 * retention schedule, the agents' workflows and the presence poller, and /metrics when no web role is here.
 */
export async function startWorkerRole(d: WorkerRoleDeps): Promise<{ worker: Worker; workerMetricsUrl?: string }> {
  const { config, options, client, stops, onStep } = d;
  const routingQueue = routingTaskQueue(config.temporal.taskQueue);
  const routedQueues: Record<string, QueueConfig> = options.queues ?? configuredQueues;
  // The contact center's configuration is the code in flows/; the activities are handed it, they never read it.
  const activities = createActivities({
    callControl: d.graph.callControl,
    presence: d.graph.presence,
    activityFeed: d.graph.activityFeed,
    publicUrl: config.publicUrl,
    orm: d.orm,
    client,
    taskQueue: config.temporal.taskQueue,
    routingTaskQueue: routingQueue,
    queues: routedQueues,
    schedules,
    lookups,
    voicemailBoxes,
    recordingStore: d.recordingStore,
    ...(config.recordings.voicemailWebhookUrl ? { voicemailWebhookUrl: config.recordings.voicemailWebhookUrl } : {}),
  });
  // Two workers, one bundle: calls on the task queue, queues and agents on the routing one. The call worker runs
  // every workflow type too: queue and agent workflows started before the routing queue existed live on there.
  const workflowBundle = await bundleWorkflows();
  const workers: Worker[] = [];
  for (const taskQueue of [config.temporal.taskQueue, routingQueue]) {
    const w = await createWorker({
      connection: d.connection,
      namespace: config.temporal.namespace,
      taskQueue,
      activities,
      workflowBundle,
      workflowStackTraces: config.temporal.workflowStackTraces,
      workflowIsolateTimeout: config.temporal.workflowIsolateTimeout,
      dataConverter: await dataConverterFor(config),
    });
    const running = w.run();
    stops.push(async () => {
      if (w.getState() === 'RUNNING') w.shutdown();
      await running;
    });
    workers.push(w);
  }
  // Daily deletion of data past its retention period, as a Temporal Schedule (idempotent on every start).
  await ensureRetentionSchedule(client, config.temporal.taskQueue, config.recordings.retentionDays);
  onStep({
    component: 'worker',
    detail: `task queues ${config.temporal.taskQueue} (calls) and ${routingQueue} (queues, agents)`,
  });
  // Agents get their workflows (idempotent), and presence is polled for them, before the first call arrives.
  const agentIds = await startAgentWorkflows(client, routingQueue, routedQueues, {
    ...(options.presence && options.presence.lagSeconds !== undefined
      ? { presenceLagSeconds: options.presence.lagSeconds }
      : {}),
  });
  if (options.presence !== false) {
    await startPresencePoller(
      client,
      routingQueue,
      agentIds,
      (options.presence && options.presence.intervalSeconds) || 2,
    );
  }
  onStep({
    component: 'worker',
    detail: `${agentIds.length} agents; presence ${options.presence === false ? 'off' : 'polled'}`,
  });
  // What the worker observes (calls by outcome, Graph errors, answer and offer latency) lives in this process;
  // without a web role here, nothing else would serve it.
  let workerMetricsUrl: string | undefined;
  if (d.serveMetrics && config.temporal.workerMetricsPort) {
    const served = await startWorkerMetricsServer({
      host: config.host,
      port: config.temporal.workerMetricsPort,
      allowedCidrs: config.security.adminAllowedCidrs,
      logger: d.logger,
      ...(d.temporalMetricsUrl ? { temporalMetricsUrl: d.temporalMetricsUrl } : {}),
    });
    if (served) {
      stops.push(served.stop);
      workerMetricsUrl = served.url;
      onStep({ component: 'worker', detail: `metrics ${served.url}` });
    }
  }
  return { worker: workers[0]!, ...(workerMetricsUrl ? { workerMetricsUrl } : {}) };
}
