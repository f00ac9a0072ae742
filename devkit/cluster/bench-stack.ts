/**
 * `npm run bench -- --cluster [--workers N]`: the bench's stack in the production shape (cluster.ts): the real Temporal
 * server on Postgres, Switchboard's Postgres, N worker processes and one web process behind the balancer, with Graph's
 * side (the emulator, its callers and agents) in the bench's process as always. The web process runs no worker, so
 * calls start without eager start, as in a deployment that runs web and workers apart. The CPU of every worker and web
 * process counts as `switchboard`, the server's as `temporal` (devkit/bench/cpu.ts); memory is the first worker's.
 */
import pino from 'pino';
import { emulatorGraphEnv, loadConfig, type Config } from '../../src/config.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { connectClient } from '../../src/temporal/connection.js';
import { openDatabase } from '../../src/db/orm.js';
import { startEmulator } from '../emulator/server.js';
import type { BenchStack } from '../bench/stack-shape.js';
import { startClusterServices } from './cluster.js';

export async function startClusterBenchStack(
  config: Config,
  queues: Record<string, QueueConfig>,
  mediaSpeed: number,
  workers: number,
): Promise<BenchStack> {
  const cluster = await startClusterServices({
    dataDir: config.dataDir,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    retentionDays: config.recordings.retentionDays,
    logLevel: config.logLevel,
    onStep: (line) => process.stderr.write(`\rcluster: ${line}\n`),
  });
  const stops: (() => Promise<unknown>)[] = [() => cluster.stop()];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const emulator = await startEmulator({
      tenantId: config.graph.tenantId,
      clientId: config.graph.clientId,
      clientSecret: config.graph.clientSecret,
      botCallingUrl: `${cluster.balancer.url}/api/calling`,
      mediaSpeed,
      logger: pino({ level: config.logLevel }),
    });
    stops.push(() => emulator.stop());
    await cluster.startApp({ workers, webs: 1 }, emulatorGraphEnv(emulator), {
      SWITCHBOARD_QUEUES_JSON: JSON.stringify(queues),
    });
    // Every process shares the cluster's payload key (TEMPORAL_CODEC_KEYS), as a deployment's share one secret.
    const client = await connectClient(
      loadConfig({
        DATA_DIR: config.dataDir,
        TEMPORAL_NAMESPACE: config.temporal.namespace,
        TEMPORAL_CODEC_KEYS: cluster.codecKeys,
      }),
      cluster.temporal.address,
    );
    stops.push(() => client.connection.close());
    const orm = await openDatabase(cluster.appDb.url);
    stops.push(() => orm.close());
    return { switchboard: cluster.workers[0]!, emulator, client, orm, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
