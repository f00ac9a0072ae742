import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { startTemporalDevServer, type DevServer } from '../../src/infra/temporal-dev-server.js';
import { connectClient, connectWorker } from '../../src/temporal/connection.js';
import { dataConverterFor } from '../../src/temporal/data-converter.js';
import { describeRetention, ensureNamespaceRetention } from '../../src/temporal/namespace-retention.js';
import { describeRegistration, registerCallSearchAttributes } from '../../src/temporal/search-attributes.js';
import { tracingClientInterceptors } from '../../src/telemetry/temporal.js';
import { startTracing } from '../../src/telemetry/tracing.js';
import type { Stops } from './stops.js';

export interface TemporalRole {
  temporalAddress: string;
  devServer?: DevServer;
  client: Client;
  /** Set when this process runs the worker: its client shares the worker's connection. */
  workerConnection?: NativeConnection;
}

/** Temporal: the configured server, or the dev server in the data folder; and this process's client. */
export async function startTemporal(
  config: Config,
  logger: Logger,
  stops: Stops,
  runsWorker: boolean,
  signal?: AbortSignal,
): Promise<TemporalRole> {
  // OpenTelemetry (off unless the OTEL_* variables ask): before the client and worker, whose interceptors it decides.
  // Stopped last, so the worker's final spans are flushed.
  const tracing = startTracing();
  if (tracing) stops.push(() => tracing.shutdown());
  let temporalAddress = config.temporal.address;
  let devServer: DevServer | undefined;
  if (!temporalAddress) {
    devServer = await startTemporalDevServer({
      dataDir: config.dataDir,
      port: config.temporal.devPort,
      ...(config.temporal.devUiPort ? { uiPort: config.temporal.devUiPort } : {}),
      namespace: config.temporal.namespace,
      // The UI asks the web process to decode payloads for its pages (src/server/codec-endpoint.ts).
      uiCodecEndpoint: `${config.publicUrl}/codec`,
      onLog: (line) => logger.debug({ component: 'temporal' }, line.trim()),
      ...(signal ? { signal } : {}),
    });
    stops.push(() => devServer!.stop());
    temporalAddress = devServer.address;
  }
  // A process that runs the worker gives its client the worker's connection: the webhook's call starts can then ask
  // Temporal for eager start, which hands the call's first workflow task straight back to this worker instead of
  // queueing it behind every other call's tasks (the answer must reach Graph within 15 s, even under load).
  if (config.temporal.address && !config.temporal.codecKeys) {
    logger.warn(
      { component: 'temporal', dataDir: config.dataDir },
      'Temporal payloads are encrypted with the data folder key: processes on other hosts need TEMPORAL_CODEC_KEYS',
    );
  }
  let role: TemporalRole;
  if (runsWorker) {
    const connection = await untilHealthy(devServer, () => connectWorker(config.temporal, temporalAddress));
    stops.push(() => connection.close());
    role = {
      temporalAddress,
      ...(devServer ? { devServer } : {}),
      client: new Client({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: await dataConverterFor(config),
        interceptors: tracingClientInterceptors(),
      }),
      workerConnection: connection,
    };
  } else {
    const client = await untilHealthy(devServer, () => connectClient(config, temporalAddress));
    stops.push(() => client.connection.close());
    role = { temporalAddress, ...(devServer ? { devServer } : {}), client };
  }
  // Temporal forgets on time (issue 22): closed calls' histories go before RETENTION_DAYS.
  const retention = await ensureNamespaceRetention(
    role.client,
    config.temporal.namespace,
    config.recordings.retentionDays,
  );
  logger[retention.status === 'not-permitted' ? 'warn' : 'info'](
    { component: 'temporal' },
    describeRetention(retention),
  );
  // The call's search attributes (issue 26, point 3): a call setting one the namespace does not know fails its workflow
  // task. A cluster, and the embedded dev server too: its --search-attribute flags register them only in a new
  // database, not in the data folder of a release before them. Not fatal: doctor and the log say what to do.
  await registerSearchAttributesAtStart(role.client, config.temporal.namespace, logger);
  return role;
}

/**
 * A dev server just started listens a moment before its frontend is healthy ("Frontend is not healthy yet", seen on
 * restarts right after a stop): its first connection is tried again for up to 30 s. A configured server is not.
 */
async function untilHealthy<T>(devServer: DevServer | undefined, connect: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      const notYet = err instanceof Error && /not healthy yet|UNAVAILABLE|unavailable/i.test(err.message);
      if (!devServer || !notYet || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function registerSearchAttributesAtStart(client: Client, namespace: string, logger: Logger): Promise<void> {
  try {
    const r = await registerCallSearchAttributes(client.connection, namespace);
    const ok = r.notPermitted === undefined && r.conflicts.length === 0;
    logger[ok ? 'info' : 'warn']({ component: 'temporal' }, describeRegistration(r));
  } catch (err) {
    logger.warn(
      { component: 'temporal', err },
      'could not register the call search attributes: run switchboard doctor',
    );
  }
}
