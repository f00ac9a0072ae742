/**
 * The real Temporal server (built by binaries.ts) on Postgres: the schema made by Temporal's own schema tool, the
 * server started with the repo's config file (temporal-server.yaml, dynamic-config.yaml), and the namespace
 * registered with the retention Switchboard promises (issue 22), as an operator would with `temporal operator
 * namespace create --retention`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import Long from 'long';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { freePort, waitForPort } from '../../src/infra/temporal-dev-server.js';
import { namespaceRetentionDays } from '../../src/temporal/namespace-retention.js';
import type { TemporalBinaries } from './binaries.js';

const CONFIG_FILE = path.resolve('devkit/cluster/temporal-server.yaml');
const DYNAMIC_CONFIG = path.resolve('devkit/cluster/dynamic-config.yaml');

/** Where Temporal keeps its data: a Postgres server, reached as a user that may create databases. */
export interface TemporalDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Every port the one server process listens on; kept across a restart, so clients reconnect to the same address. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

/** Is `port` free on loopback now? */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port below 32768: Temporal records each service's membership port in Postgres as a smallint
 * (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768 and up) make the server exit at start-up.
 */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isFree(port))) return port;
  }
  throw new Error('no free port between 20000 and 32000 for Temporal membership');
}

export async function freeTemporalPorts(): Promise<TemporalPorts> {
  const ports: Partial<TemporalPorts> = {};
  const names: (keyof TemporalPorts)[] = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
    'metrics',
  ];
  const taken = new Set<number>();
  for (const n of names) {
    ports[n] = n.endsWith('Membership') ? await freeMembershipPort(taken) : await freePort();
    taken.add(ports[n]);
  }
  return ports as TemporalPorts;
}

/** The two databases Temporal needs and the embedded schema of each (temporal-sql-tool --schema-name). */
const DATABASES = [
  { database: 'temporal', schema: 'postgresql/v12/temporal' },
  { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

async function run(command: string, args: string[], what: string): Promise<void> {
  const out: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${what} failed (exit ${code}): ${out.join('').slice(-2000)}`);
}

/**
 * Persistence and visibility schemas, by temporal-sql-tool: each database created with the tool's versioning tables
 * when it is new, then brought to the server's latest schema version (update-schema does nothing when it is there).
 */
export async function setUpTemporalSchema(bin: TemporalBinaries, db: TemporalDatabase): Promise<void> {
  const admin = new pg.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: 'postgres',
  });
  await admin.connect();
  let existing: string[];
  try {
    existing = (await admin.query<{ datname: string }>('select datname from pg_database')).rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
  for (const { database, schema } of DATABASES) {
    const common = ['--plugin', 'postgres12', '--endpoint', db.host, '--port', String(db.port)];
    const as = [...common, '--user', db.user, '--password', db.password, '--database', database];
    if (!existing.includes(database)) {
      await run(bin.sqlTool, [...as, 'create-database', '--defaultdb', 'postgres'], `create-database ${database}`);
      await run(bin.sqlTool, [...as, 'setup-schema', '-v', '0.0'], `setup-schema ${database}`);
    }
    await run(bin.sqlTool, [...as, 'update-schema', '--schema-name', schema], `update-schema ${database}`);
  }
}

export interface TemporalServer {
  address: string;
  /** The server's own Prometheus metrics. */
  metricsUrl: string;
  process: ChildProcess;
  /** What it printed last (warnings and errors), for a failure's message. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** kill -9. */
  kill(): Promise<void>;
}

/** Start the server on `ports` and wait until its frontend answers (the schema must be in place). */
export async function startTemporalServer(opts: {
  bin: TemporalBinaries;
  db: TemporalDatabase;
  ports: TemporalPorts;
  historyShards?: number;
  onLog?: (line: string) => void;
}): Promise<TemporalServer> {
  const { ports, db } = opts;
  const env: Record<string, string> = {
    TEMPORAL_DB_ADDRESS: `${db.host}:${db.port}`,
    TEMPORAL_DB_USER: db.user,
    TEMPORAL_DB_PASSWORD: db.password,
    TEMPORAL_HISTORY_SHARDS: String(opts.historyShards ?? 4),
    TEMPORAL_DYNAMIC_CONFIG: DYNAMIC_CONFIG,
    TEMPORAL_FRONTEND_PORT: String(ports.frontend),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    TEMPORAL_HISTORY_PORT: String(ports.history),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    TEMPORAL_MATCHING_PORT: String(ports.matching),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    TEMPORAL_WORKER_PORT: String(ports.worker),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    TEMPORAL_METRICS_PORT: String(ports.metrics),
  };
  const child = spawn(opts.bin.server, ['--config-file', CONFIG_FILE, '--allow-no-auth', 'start'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  const heard = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    opts.onLog?.(d.toString());
  };
  child.stdout.on('data', heard);
  child.stderr.on('data', heard);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const address = `127.0.0.1:${ports.frontend}`;
  const server: TemporalServer = {
    address,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    process: child,
    output: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
  try {
    await waitForPort(ports.frontend, 120_000, () => exited);
    await waitForFrontend(address, 120_000, () => exited);
  } catch (err) {
    await server.kill();
    throw new Error(`Temporal server did not start: ${String(err)}\n${out.slice(-4000)}`);
  }
  return server;
}

/** The frontend answers once its membership ring has formed: until then requests fail with "unavailable". */
async function waitForFrontend(address: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone()) throw new Error('the server exited');
    const ok = await Connection.connect({ address, connectTimeout: 2000 }).then(
      async (c) => {
        try {
          await c.workflowService.getSystemInfo({});
          await c.workflowService.listNamespaces({});
          return true;
        } finally {
          await c.close();
        }
      },
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`frontend ${address} not serving after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500).unref());
  }
}

/**
 * Register `namespace` with the retention RETENTION_DAYS asks for (namespace-retention.ts: a day less than the days
 * promised), unless it exists; then wait until the frontend serves it (the namespace cache refreshes every few
 * seconds). Returns the retention it has, in days.
 */
export async function registerNamespace(address: string, namespace: string, retentionDays: number): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const svc = connection.workflowService;
    const existing = await svc.describeNamespace({ namespace }).catch(() => undefined);
    if (!existing) {
      await svc.registerNamespace({
        namespace,
        description: 'Switchboard calls, queues and agents',
        workflowExecutionRetentionPeriod: {
          seconds: Long.fromNumber(namespaceRetentionDays(retentionDays) * 86_400),
        },
      });
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const served = await svc.listWorkflowExecutions({ namespace, pageSize: 1 }).then(
        () => true,
        () => false,
      );
      if (served) break;
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} registered but not served after 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const described = await svc.describeNamespace({ namespace });
    return Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
  } finally {
    await connection.close();
  }
}
