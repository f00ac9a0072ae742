import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import { freePort } from '../src/infra/temporal-dev-server.js';
import { installTemporalRuntime } from '../src/temporal/runtime.js';
import { FolderRecordingStore } from '../src/recordings/store.js';
import { startTemporal } from './stack/temporal.js';
import { redactUrl, startDatabase } from './stack/database.js';
import { writeQueueSettings, writeSiteTimeZone } from '../src/db/queue-settings.js';
import { queues as configuredQueues } from '../flows/index.js';
import { lazyGraph } from './stack/graph.js';
import { startWorkerRole } from './stack/worker-role.js';
import { startWebRole } from './stack/web-role.js';
import { stopAllOf, type Stops } from './stack/stops.js';
import { failClosed } from './stack/fail-closed.js';
import { claimDataFolder } from './stack/leftovers.js';
import { assertPortsFree, wantedPorts } from './stack/ports.js';
import type { GraphStandIn, Stack, StackOptions } from './stack/types.js';

export type { GraphStandIn, Stack, StackOptions, StackRoles, StackStep } from './stack/types.js';

/**
 * Start Switchboard in order: Temporal, Postgres (with migrations), the worker, Express, and the Graph emulator.
 * Each piece that is not configured is started embedded; each configured one is only connected to.
 * `npm start`, the CLI and the integration tests all go through here.
 */
export async function startStack<E extends GraphStandIn = GraphStandIn>(
  requested: Config,
  logger: Logger,
  options: StackOptions<E> = {},
): Promise<Stack<E>> {
  const onStep = options.onStep ?? (() => {});
  const roles = options.roles ?? { worker: true, web: true };
  // Fails closed before anything starts: the emulator only in the embedded demo, allow-lists outside it.
  const { config, emulator: runsEmulator } = failClosed(requested, {
    roles,
    emulatorOffered: Boolean(options.graphStandIn),
    logger,
  });
  const stops: Stops = [];
  const stopAll = stopAllOf(stops, logger);
  const aborted = () => options.signal?.throwIfAborted();
  aborted();

  // The stack owns its processes (issue 25, point 6): what an earlier run of this data folder left running is stopped
  // first, then every port it needs is checked, so a stranger's server is never taken for ours.
  stops.push(
    await claimDataFolder(config, { postgres: !config.database.url, temporal: !config.temporal.address }, onStep),
  );
  try {
    await assertPortsFree(wantedPorts(config, roles, runsEmulator));
  } catch (err) {
    await stopAll();
    throw err;
  }

  // The SDK's worker metrics go into /metrics out of the box: on a free local port unless TEMPORAL_SDK_METRICS_PORT
  // says where (or 0, not at all). A web-only process runs no worker, so it has none to serve.
  const sdkMetrics = installTemporalRuntime(
    logger,
    config.temporal.sdkMetricsPort ?? (roles.worker ? await freePort() : 0),
  );
  const temporalMetricsUrl = sdkMetrics.metricsPort ? `http://127.0.0.1:${sdkMetrics.metricsPort}/metrics` : undefined;
  try {
    aborted();
    // 1. Temporal.
    const { temporalAddress, devServer, client, workerConnection } = await startTemporal(
      config,
      logger,
      stops,
      roles.worker,
      options.signal,
    );
    onStep({ component: 'temporal', detail: devServer ? `dev server ${temporalAddress}` : temporalAddress });
    aborted();

    // 2. Postgres.
    const db = await startDatabase(config, stops);
    aborted();
    const { databaseUrl, orm } = db;
    onStep({
      component: 'postgres',
      detail: `${db.embedded ? 'embedded ' : ''}${redactUrl(databaseUrl)}; migrations run: ${db.migrationsRun}`,
    });
    if (workerConnection) {
      // The routed queues' service-level thresholds, which the metrics grade calls against (issue 27).
      const written = await writeQueueSettings(orm, options.queues ?? configuredQueues);
      if (written.length > 0)
        onStep({ component: 'postgres', detail: `queue thresholds written: ${written.join(', ')}` });
      if (await writeSiteTimeZone(orm, config.analytics.siteTimeZone))
        onStep({ component: 'postgres', detail: `site time zone: ${config.analytics.siteTimeZone}` });
    }

    // 3. Worker. Graph is reached lazily: the emulator (if any) starts last.
    let emulator: E | undefined;
    const recordingStore = new FolderRecordingStore(config.recordings.dir);
    let worker: Worker | undefined;
    let workerMetricsUrl: string | undefined;
    if (workerConnection) {
      ({ worker, workerMetricsUrl } = await startWorkerRole({
        config,
        logger,
        stops,
        onStep,
        connection: workerConnection,
        client,
        orm,
        graph: lazyGraph(config, () => emulator),
        recordingStore,
        options,
        serveMetrics: !roles.web,
        ...(temporalMetricsUrl ? { temporalMetricsUrl } : {}),
      }));
    }
    aborted();

    // 4. Express.
    let webUrl: string | undefined;
    if (roles.web) {
      webUrl = await startWebRole({
        config,
        logger,
        stops,
        client,
        orm,
        recordingStore,
        eagerStart: workerConnection !== undefined,
        standIn: () => emulator,
        demoSignIn: runsEmulator,
        ...(options.admission ? { admission: options.admission } : {}),
        ...(temporalMetricsUrl ? { temporalMetricsUrl } : {}),
      });
      onStep({ component: 'web', detail: webUrl });
    }
    aborted();

    // 5. The stand-in for Graph (the emulator), when no real Graph is configured and the caller brought one.
    if (runsEmulator && options.graphStandIn) {
      const standIn = await options.graphStandIn(config, logger);
      emulator = standIn;
      stops.push(() => standIn.stop());
      onStep({ component: 'emulator', detail: emulator.url });
    }
    aborted();

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
