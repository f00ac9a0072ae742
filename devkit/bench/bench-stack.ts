/**
 * The bench's stack, laid out the way a deployment is: Switchboard (worker and web, as `switchboard up` runs them) is
 * a process of its own, and Graph's side (the emulator with its scripted callers and agents) stays in the bench's
 * process, where the driver reads its call logs. Microsoft's Graph never runs on a contact center's machine, so
 * what the bench charges to Switchboard (memory per call, CPU by process) is Switchboard's alone. The Temporal dev
 * server and embedded Postgres are started here, as children, like `switchboard up` would start them.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { emulatorGraphEnv, type Config } from '../../src/config.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { freePort, startTemporalDevServer } from '../../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.js';
import { spawnRole } from '../../src/infra/role-process.js';
import { connectClient } from '../../src/temporal/connection.js';
import { openDatabase } from '../../src/db/orm.js';
import { startEmulator } from '../emulator/server.js';
import { parseBenchOptions } from './options.js';
import type { BenchStack } from './stack-shape.js';

export type { BenchStack } from './stack-shape.js';

/** The bench's options, for what run.ts does not pass on (--cluster); the defaults when run by something else. */
function benchOptionsOf(argv: string[]): { clusterWorkers: number | undefined } {
  try {
    const o = parseBenchOptions(argv);
    return o === 'help' ? { clusterWorkers: undefined } : o;
  } catch {
    return { clusterWorkers: undefined };
  }
}

/**
 * `profileDir`: the Switchboard process writes a CPU profile of each thread there as it stops (`npm run bench:profile`).
 * With `--cluster` on the bench's command line (options.ts), the production shape instead (devkit/cluster/).
 */
export async function startBenchStack(
  config: Config,
  queues: Record<string, QueueConfig>,
  mediaSpeed: number,
  profileDir?: string,
): Promise<BenchStack> {
  const { clusterWorkers } = benchOptionsOf(process.argv.slice(2));
  if (clusterWorkers) {
    const { startClusterBenchStack } = await import('../cluster/bench-stack.js');
    return startClusterBenchStack(config, queues, mediaSpeed, clusterWorkers);
  }
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const [temporal, db] = await Promise.all([
      startTemporalDevServer({ dataDir: config.dataDir, port: await freePort(), namespace: config.temporal.namespace }),
      startEmbeddedPostgres({ dataDir: config.dataDir, port: await freePort() }),
    ]);
    stops.push(
      () => temporal.stop(),
      () => db.stop(),
    );
    const emulator = await startEmulator({
      tenantId: config.graph.tenantId,
      clientId: config.graph.clientId,
      clientSecret: config.graph.clientSecret,
      botCallingUrl: `${config.publicUrl}/api/calling`,
      mediaSpeed,
      logger: pino({ level: config.logLevel }),
    });
    stops.push(() => emulator.stop());
    const switchboard = await spawnRole(
      'switchboard',
      'devkit/bench/switchboard-process.ts',
      [],
      {
        PORT: String(config.port),
        PUBLIC_URL: config.publicUrl,
        DATA_DIR: config.dataDir,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: config.temporal.namespace,
        TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
        DATABASE_URL: db.url,
        ...emulatorGraphEnv(emulator),
        // Graph's side (the emulator) and the bench's driver are on this machine; the web fails closed without lists.
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
        ADMIN_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
        LOG_LEVEL: config.logLevel,
        SWITCHBOARD_QUEUES_JSON: JSON.stringify(queues),
      },
      /^ready$/m,
      180_000,
      profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    );
    stops.push(() => switchboard.stop());
    const client = await connectClient(config, temporal.address);
    stops.push(() => client.connection.close());
    const orm = await openDatabase(db.url);
    stops.push(() => orm.close());
    return { switchboard, emulator, client, orm, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A process's resident memory in bytes (Linux), 0 when it can't be read (gone, or not Linux). */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
