import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { FolderRecordingStore } from './recordings/store.js';
import { ensureRetentionSchedule } from '../activities/retention.js';
import { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { QueueConfig } from '../flows/index.js';
import { freePort, startTemporalDevServer, type DevServer } from './infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/embedded-postgres.js';
import { migrate, openDatabase, type MikroORM } from './db/orm.js';
import { connectClient, connectWorker } from './temporal/connection.js';
import { bundleWorkflows, createWorker, routingTaskQueue } from './temporal/worker.js';
import { installTemporalRuntime } from './temporal/runtime.js';
import { createApp } from './server/app.js';
import { startWorkerMetricsServer } from './server/metrics-server.js';
import { AdminAuth } from './admin/identity.js';
import { MICROSOFT_CALLING_OPENID_URL, NotificationVerifier } from './server/notification-auth.js';
import { createActivities } from '../activities/index.js';
import { startAgentWorkflows, startPresencePoller } from '../activities/agents.js';
import { queues as configuredQueues } from '../flows/index.js';
import { PresenceReader } from './graph/presence.js';
import { ActivityFeed } from './graph/activity-feed.js';
import { createGraphClient } from './graph/client.js';
import { CallControl } from './graph/call-control.js';
import { startEmulator, type Emulator } from './emulator/server.js';
import { ALL_QUIRKS } from './emulator/types.js';

export interface StackStep {
  component: 'temporal' | 'postgres' | 'worker' | 'web' | 'emulator';
  detail: string;
}

export interface Stack {
  config: Config;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  webUrl?: string;
  /** A worker-only process's own /metrics (WORKER_METRICS_PORT). */
  workerMetricsUrl?: string;
  emulator?: Emulator;
  client: Client;
  orm: MikroORM;
  worker?: Worker;
  stop(): Promise<void>;
}

/**
 * Start Switchboard in order: Temporal, Postgres (with migrations), the worker, Express, and the Graph emulator.
 * Each piece that is not configured is started embedded; each configured one is only connected to.
 * `npm start`, the CLI and the integration tests all go through here.
 */
export interface StackRoles {
  worker: boolean;
  web: boolean;
}

export interface StackOptions {
  /** Called as each component comes up. */
  onStep?: (s: StackStep) => void;
  /** Which processes' work to run here; both by default (`switchboard up`). */
  roles?: StackRoles;
  /** Queue definitions; the ones in flows/ unless given. */
  queues?: Record<string, QueueConfig>;
  /** Teams presence polling (getPresencesByUserId); every 2 s unless given, or off. */
  presence?: { intervalSeconds?: number; lagSeconds?: number } | false;
}

export async function startStack(config: Config, logger: Logger, options: StackOptions = {}): Promise<Stack> {
  const onStep = options.onStep ?? (() => {});
  const roles = options.roles ?? { worker: true, web: true };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
    }
    stops.length = 0;
  };

  // The SDK's worker metrics go into /metrics out of the box: on a free local port unless TEMPORAL_SDK_METRICS_PORT
  // says where (or 0, not at all). A web-only process runs no worker, so it has none to serve.
  const sdkMetrics = installTemporalRuntime(logger, config.temporal.sdkMetricsPort ?? (roles.worker ? await freePort() : 0));
  const temporalMetricsUrl = sdkMetrics.metricsPort ? `http://127.0.0.1:${sdkMetrics.metricsPort}/metrics` : undefined;
  try {
    // 1. Temporal.
    let temporalAddress = config.temporal.address;
    let devServer: DevServer | undefined;
    if (!temporalAddress) {
      devServer = await startTemporalDevServer({
        dataDir: config.dataDir,
        port: config.temporal.devPort,
        ...(config.temporal.devUiPort ? { uiPort: config.temporal.devUiPort } : {}),
        namespace: config.temporal.namespace,
        onLog: (line) => logger.debug({ component: 'temporal' }, line.trim()),
      });
      stops.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    }
    // A process that runs the worker gives its client the worker's connection: the webhook's call starts can then ask
    // Temporal for eager start, which hands the call's first workflow task straight back to this worker instead of
    // queueing it behind every other call's tasks (the answer must reach Graph within 15 s, even under load).
    let workerConnection: NativeConnection | undefined;
    let client: Client;
    if (roles.worker) {
      const connection = await connectWorker(config.temporal, temporalAddress);
      workerConnection = connection;
      stops.push(() => connection.close());
      client = new Client({ connection, namespace: config.temporal.namespace });
    } else {
      const c = await connectClient(config.temporal, temporalAddress);
      stops.push(() => c.connection.close());
      client = c;
    }
    onStep({ component: 'temporal', detail: devServer ? `dev server ${temporalAddress}` : temporalAddress });

    // 2. Postgres.
    let databaseUrl = config.database.url;
    let embedded: EmbeddedDatabase | undefined;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort });
      stops.push(() => embedded!.stop());
      databaseUrl = embedded.url;
    }
    const orm = await openDatabase(databaseUrl);
    stops.push(() => orm.close());
    const ran = await migrate(orm);
    onStep({ component: 'postgres', detail: `${embedded ? 'embedded ' : ''}${redactUrl(databaseUrl)}; migrations run: ${ran.length}` });

    // 3. Worker. Graph is reached lazily: the emulator (if any) starts last.
    let emulator: Emulator | undefined;
    let graphClient: ReturnType<typeof createGraphClient> | undefined;
    const getGraphClient = () =>
      (graphClient ??= createGraphClient({
        graphBaseUrl: config.graph.baseUrl ?? emulator!.graphBaseUrl,
        tenantId: config.graph.tenantId,
        clientId: config.graph.clientId,
        clientSecret: config.graph.clientSecret,
        authorityHost: config.graph.authorityHost,
        ...((config.graph.authorityMetadataUrl ?? emulator?.authorityMetadataUrl)
          ? { authorityMetadataUrl: config.graph.authorityMetadataUrl ?? emulator!.authorityMetadataUrl }
          : {}),
      }).catch((err: unknown) => {
        graphClient = undefined; // try again on the next activity
        throw err;
      }));
    const getCallControl = () => getGraphClient().then((c) => new CallControl(c));
    const getPresence = () => getGraphClient().then((c) => new PresenceReader(c));
    const getActivityFeed = () => getGraphClient().then((c) => new ActivityFeed(c));
    const recordingStore = new FolderRecordingStore(config.recordings.dir);
    let worker: Worker | undefined;
    let workerMetricsUrl: string | undefined;
    if (workerConnection) {
      const routingQueue = routingTaskQueue(config.temporal.taskQueue);
      const activities = createActivities({
        callControl: getCallControl,
        presence: getPresence,
        activityFeed: getActivityFeed,
        publicUrl: config.publicUrl,
        orm,
        client,
        taskQueue: config.temporal.taskQueue,
        routingTaskQueue: routingQueue,
        ...(options.queues ? { queues: options.queues } : {}),
        recordingStore,
        ...(config.recordings.voicemailWebhookUrl ? { voicemailWebhookUrl: config.recordings.voicemailWebhookUrl } : {}),
      });
      // Two workers, one bundle: calls on the task queue, queues and agents on the routing one. The call worker runs
      // every workflow type too: queue and agent workflows started before the routing queue existed live on there.
      const workflowBundle = await bundleWorkflows();
      const workers: Worker[] = [];
      for (const taskQueue of [config.temporal.taskQueue, routingQueue]) {
        const w = await createWorker({ connection: workerConnection, namespace: config.temporal.namespace, taskQueue, activities, workflowBundle, workflowStackTraces: config.temporal.workflowStackTraces });
        const running = w.run();
        stops.push(async () => {
          if (w.getState() === 'RUNNING') w.shutdown();
          await running;
        });
        workers.push(w);
      }
      worker = workers[0];
      // Daily deletion of data past its retention period, as a Temporal Schedule (idempotent on every start).
      await ensureRetentionSchedule(client, config.temporal.taskQueue, config.recordings.retentionDays);
      onStep({ component: 'worker', detail: `task queues ${config.temporal.taskQueue} (calls) and ${routingQueue} (queues, agents)` });
      // Agents get their workflows (idempotent), and presence is polled for them, before the first call arrives.
      const routedQueues = options.queues ?? configuredQueues;
      const agentIds = await startAgentWorkflows(client, routingQueue, routedQueues, {
        ...(options.presence && options.presence.lagSeconds !== undefined ? { presenceLagSeconds: options.presence.lagSeconds } : {}),
      });
      if (options.presence !== false) {
        await startPresencePoller(client, routingQueue, agentIds, (options.presence && options.presence.intervalSeconds) || 2);
      }
      onStep({ component: 'worker', detail: `${agentIds.length} agents; presence ${options.presence === false ? 'off' : 'polled'}` });
      // What the worker observes (calls by outcome, Graph errors, answer and offer latency) lives in this process;
      // without a web role here, nothing else would serve it.
      if (!roles.web && config.temporal.workerMetricsPort) {
        const served = await startWorkerMetricsServer({
          host: config.host,
          port: config.temporal.workerMetricsPort,
          allowedCidrs: config.security.adminAllowedCidrs,
          logger,
          ...(temporalMetricsUrl ? { temporalMetricsUrl } : {}),
        });
        if (served) {
          stops.push(served.stop);
          workerMetricsUrl = served.url;
          onStep({ component: 'worker', detail: `metrics ${served.url}` });
        }
      }
    }

    // 4. Express.
    let webUrl: string | undefined;
    if (roles.web) {
    const notificationVerifier = new NotificationVerifier({
      // The emulator starts after the web process, so its key document is looked up on the first notification.
      openIdConfigUrl: () =>
        config.graph.notificationOpenIdUrl ??
        (emulator ? emulator.callingOpenIdUrl : MICROSOFT_CALLING_OPENID_URL),
      audience: config.graph.clientId,
      allowedTenants: config.graph.notificationTenants,
      logger,
    });
    const app = createApp({
      client,
      orm,
      logger,
      taskQueue: config.temporal.taskQueue,
      eagerStart: workerConnection !== undefined,
      publicUrl: config.publicUrl,
      notificationVerifier,
      adminAuth: new AdminAuth({
        // With the emulator standing in for Microsoft, its tenant signs admin tokens too (`switchboard admin token`).
        openIdConfigUrl: () =>
          config.security.adminOpenIdUrl ??
          (emulator
            ? `${emulator.url}/${config.graph.tenantId}/v2.0/.well-known/openid-configuration`
            : `${config.graph.authorityHost.replace(/\/$/, '')}/${config.graph.tenantId}/v2.0/.well-known/openid-configuration`),
        audiences: config.security.adminAudiences,
        allowedTenants: [config.graph.tenantId],
        logger,
      }),
      recordings: {
        store: recordingStore,
        signingKey: config.recordings.signingKey ? Buffer.from(config.recordings.signingKey) : randomBytes(32),
        linkTtlSeconds: config.recordings.linkTtlSeconds,
        publicUrl: config.publicUrl,
      },
      adminAllowedCidrs: config.security.adminAllowedCidrs,
      webhookAllowedCidrs: config.security.webhookAllowedCidrs,
      trustedProxies: config.security.trustedProxies,
      ...(temporalMetricsUrl ? { temporalMetricsUrl } : {}),
      ...(config.graph.subscriptionClientState ? { subscriptionClientState: config.graph.subscriptionClientState } : {}),
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    webUrl = `http://${config.host}:${typeof address === 'object' && address ? address.port : config.port}`;
    onStep({ component: 'web', detail: webUrl });
    }

    // 5. Graph emulator, when no real Graph is configured.
    if (!config.graph.baseUrl && roles.web) {
      emulator = await startEmulator({
        port: config.emulator.port,
        tenantId: config.graph.tenantId,
        clientId: config.graph.clientId,
        clientSecret: config.graph.clientSecret,
        botCallingUrl: `${config.publicUrl}/api/calling`,
        mediaSpeed: config.emulator.mediaSpeed,
        ...(config.emulator.quirks.length
          ? {
              quirks: config.emulator.quirks.includes('all')
                ? ALL_QUIRKS
                : Object.fromEntries(config.emulator.quirks.map((q) => [q, q === 'duplicates' ? 2 : true])),
            }
          : {}),
        logger: logger.child({ component: 'emulator' }),
      });
      stops.push(() => emulator!.stop());
      onStep({ component: 'emulator', detail: emulator.url });
    }

    return {
      config,
      temporalAddress,
      ...(devServer?.uiUrl ? { temporalUiUrl: devServer.uiUrl } : {}),
      databaseUrl,
      ...(webUrl ? { webUrl } : {}),
      ...(workerMetricsUrl ? { workerMetricsUrl } : {}),
      ...(worker ? { worker } : {}),
      ...(emulator ? { emulator } : {}),
      client,
      orm,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
