/**
 * Switchboard's production shape on one machine, without Docker: the real Temporal server (built from its Go module:
 * binaries.ts) on its own Postgres, Switchboard's Postgres apart from it, worker processes and web processes as
 * separate children, and a round-robin load balancer in front of the web processes (load-balancer.ts), which is
 * what Graph (the emulator) notifies. `npm run test:cluster` (test/cluster/) and `npm run bench -- --cluster` run on it.
 *
 * Two phases, because Graph's side needs the balancer's address and the app's processes need Graph's:
 * startClusterServices() (Postgres ×2, the schema, Temporal, the namespace, the balancer), then startApp() with the
 * Graph settings (the worker processes, then the web processes).
 */
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { spawnRole, type RoleProcess } from '../../src/infra/role-process.js';
import { newCodecKey } from '../../src/temporal/payload-codec.js';
import { temporalBinaries, type TemporalBinaries } from './binaries.js';
import { startLoadBalancer, type LoadBalancer } from './load-balancer.js';
import {
  freeTemporalPorts,
  registerNamespace,
  setUpTemporalSchema,
  startTemporalServer,
  type TemporalPorts,
  type TemporalServer,
} from './temporal-server.js';

const ENTRY = 'devkit/bench/switchboard-process.ts';
/** embedded-postgres's superuser (src/infra/embedded-postgres.ts), which the schema tool creates databases as. */
const PG_USER = { user: 'switchboard', password: 'switchboard' };

export interface ClusterOptions {
  dataDir: string;
  namespace: string;
  taskQueue: string;
  /** RETENTION_DAYS: the namespace is registered with the retention it asks for. */
  retentionDays: number;
  logLevel: string;
  /** Temporal's history shards (fixed for the life of a cluster). */
  historyShards?: number;
  /** Whether the go build may run at full speed (the bench) or beside other work (CI). */
  backgroundBuild?: boolean;
  onStep?: (line: string) => void;
}

export interface Cluster {
  dataDir: string;
  bin: TemporalBinaries;
  temporal: TemporalServer;
  temporalPorts: TemporalPorts;
  /** Temporal's own Postgres (persistence and visibility). */
  temporalDb: EmbeddedDatabase;
  temporalDbPort: number;
  /** Switchboard's Postgres. */
  appDb: EmbeddedDatabase;
  appDbPort: number;
  /** The retention the namespace has, in days. */
  retentionDays: number;
  balancer: LoadBalancer;
  /** TEMPORAL_CODEC_KEYS of every process (as a deployment shares one secret), for the caller's client too. */
  codecKeys: string;
  /** How long each start-up step took, in seconds. */
  timings: Record<string, number>;
  workers: RoleProcess[];
  webs: RoleProcess[];
  /** Every process started, for the clean-up and the log checks. */
  spawned: RoleProcess[];
  /** Start the app's processes: `graphEnv` says where Graph is; `extraEnv` goes to every process. */
  startApp(
    counts: { workers: number; webs: number },
    graphEnv: Record<string, string>,
    extraEnv?: Record<string, string>,
  ): Promise<void>;
  startWorker(): Promise<RoleProcess>;
  /** A web process on a port of its own, added to the balancer. */
  startWeb(): Promise<RoleProcess>;
  /** Take a web process out of the balancer (after it died, or before it stops). */
  removeWeb(p: RoleProcess): void;
  /** SIGTERM and start again on the same ports and database (in-flight calls must resume). */
  restartTemporal(): Promise<void>;
  stopAppDb(): Promise<void>;
  startAppDb(): Promise<void>;
  stop(): Promise<void>;
}

export async function startClusterServices(opts: ClusterOptions): Promise<Cluster> {
  const step = opts.onStep ?? (() => {});
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const r = await f();
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
    step(`${name}: ${timings[name]} s`);
    return r;
  };
  await mkdir(opts.dataDir, { recursive: true });
  // Each Postgres has a folder below this one; as root, Postgres runs as its own user, which must get through here.
  if (process.getuid?.() === 0) await chmod(opts.dataDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const [bin, temporalDbPort, appDbPort] = await Promise.all([
      timed('build', () => temporalBinaries({ background: opts.backgroundBuild ?? false })),
      freePort(),
      freePort(),
    ]);
    const [temporalDb, appDb] = await timed('postgres', () =>
      Promise.all([
        startEmbeddedPostgres({
          dataDir: path.join(opts.dataDir, 'temporal'),
          port: temporalDbPort,
          database: 'postgres',
        }),
        startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, 'app'), port: appDbPort }),
      ]),
    );
    const cluster = {
      dataDir: opts.dataDir,
      bin,
      temporalDb,
      temporalDbPort,
      appDb,
      appDbPort,
      timings,
      workers: [],
      webs: [],
      spawned: [],
      codecKeys: newCodecKey('cluster1'),
    } as Partial<Cluster> as Cluster;
    stops.push(() => cluster.appDb.stop());
    stops.push(() => cluster.temporalDb.stop());
    const db = { host: '127.0.0.1', port: temporalDbPort, ...PG_USER };
    await timed('schema', () => setUpTemporalSchema(bin, db));
    cluster.temporalPorts = await freeTemporalPorts();
    const startServer = () =>
      startTemporalServer({
        bin,
        db,
        ports: cluster.temporalPorts,
        ...(opts.historyShards ? { historyShards: opts.historyShards } : {}),
      });
    cluster.temporal = await timed('temporal', startServer);
    stops.push(() => cluster.temporal.stop());
    cluster.retentionDays = await timed('namespace', () =>
      registerNamespace(cluster.temporal.address, opts.namespace, opts.retentionDays),
    );
    cluster.balancer = await startLoadBalancer([]);
    stops.push(() => cluster.balancer.stop());

    let env: Record<string, string> = {};
    const webUrls = new Map<RoleProcess, string>();
    const spawn = async (role: 'worker' | 'web', extra: Record<string, string>, ready: RegExp) => {
      const p = await spawnRole(role, ENTRY, [role], { ...env, ...extra }, ready, 180_000);
      cluster.spawned.push(p);
      return p;
    };
    cluster.startWorker = async () => {
      // Each worker serves its metrics on a port of its own (two on one machine cannot share the default).
      const p = await spawn('worker', { WORKER_METRICS_PORT: String(await freePort()) }, /^ready$/m);
      cluster.workers.push(p);
      return p;
    };
    cluster.startWeb = async () => {
      const port = await freePort();
      const p = await spawn('web', { PORT: String(port) }, /^ready$/m);
      cluster.webs.push(p);
      webUrls.set(p, `http://127.0.0.1:${port}`);
      cluster.balancer.backends.push(`http://127.0.0.1:${port}`);
      return p;
    };
    cluster.removeWeb = (p) => {
      const url = webUrls.get(p);
      cluster.balancer.backends.splice(
        0,
        cluster.balancer.backends.length,
        ...cluster.balancer.backends.filter((b) => b !== url),
      );
      cluster.webs.splice(0, cluster.webs.length, ...cluster.webs.filter((w) => w !== p));
    };
    cluster.startApp = async (counts, graphEnv, extraEnv = {}) => {
      env = {
        TEMPORAL_ADDRESS: cluster.temporal.address,
        TEMPORAL_NAMESPACE: opts.namespace,
        TEMPORAL_TASK_QUEUE: opts.taskQueue,
        TEMPORAL_CODEC_KEYS: cluster.codecKeys,
        RETENTION_DAYS: String(opts.retentionDays),
        DATABASE_URL: appDb.url,
        DATA_DIR: opts.dataDir,
        // Every web process is reached through the balancer: Graph's callbacks and links name its address.
        PUBLIC_URL: cluster.balancer.url,
        LOG_LEVEL: opts.logLevel,
        ...graphEnv,
        ...extraEnv,
      };
      // The first worker migrates Switchboard's database alone; the others start side by side.
      await timed('first worker', () => cluster.startWorker());
      await timed('other processes', () =>
        Promise.all([
          ...Array.from({ length: counts.workers - 1 }, () => cluster.startWorker()),
          ...Array.from({ length: counts.webs }, () => cluster.startWeb()),
        ]),
      );
    };
    cluster.restartTemporal = async () => {
      await cluster.temporal.stop();
      cluster.temporal = await startServer();
    };
    cluster.stopAppDb = () => cluster.appDb.stop();
    cluster.startAppDb = async () => {
      cluster.appDb = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, 'app'), port: appDbPort });
    };
    cluster.stop = async () => {
      for (const p of [...cluster.spawned].reverse()) await p.stop().catch(() => undefined);
      await stopAll();
    };
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
