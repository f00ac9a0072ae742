import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startEmulatorFor } from './stack.js';
import { processTree } from './chaos-process-tree.js';
import { spawnRole, type RoleProcess } from '../../src/infra/role-process.js';
import { freePort, startTemporalDevServer, type DevServer } from '../../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { type Emulator } from '../../devkit/emulator/index.js';
import { emulatorGraphEnv, loadConfig } from '../../src/config.js';
import { connectClient } from '../../src/temporal/connection.js';
import { queues } from '../../flows/index.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';

// The chaos files' stack: real processes. The Temporal dev server (persisted SQLite file) and Postgres run in the test
// process, the worker and web processes as children, with the Graph emulator in the test. A scenario breaks one of
// them while calls are in flight (test/helpers/chaos-scenario.ts checks the calls and the rest of the system).
//
// Each chaos file starts its own stack on free ports and its own data folder. vitest.config.ts runs one test file at
// a time (fileParallelism: false), so two chaos files never share the machine's two cores: their timings (agents
// ringing for 5 s, Graph's 15 s to answer) hold as they did in one file.

export const AGENTS = Array.from(
  { length: 20 },
  (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
);
/** The queue the scenarios call: every agent of AGENTS, round robin. */
export const TEST_QUEUES = {
  support: {
    ...queues.support!,
    agents: AGENTS,
    agentSkills: Object.fromEntries(AGENTS.map((a) => [a, {}])),
    // Round robin: any AGENTS.length offers in a row ring every available agent once, so the calls placed after a fault
    // reach every agent (serial would give them all to the first agents in the list).
    method: 'roundRobin' as const,
    wrapUpSeconds: 0,
    reofferAfterSeconds: 2,
    maxCalls: 1000,
    maxWaitSeconds: 600,
    announceEverySeconds: 0,
  },
};
/** Every notification that got no 2xx is re-posted every 250 ms for 10 s. */
const REDELIVERY = { attempts: 40, delayMs: 250 };

const WORKER_ENTRY = 'devkit/bench/switchboard-process.ts';
const CLI = 'cli/main.ts';

/** What a chaos file runs on; set before its tests run. Scenarios replace the processes they restart. */
export interface ChaosStack {
  dataDir: string;
  temporal: DevServer;
  temporalPort: number;
  db: EmbeddedDatabase;
  dbPort: number;
  emulator: Emulator;
  client: Client;
  worker: RoleProcess | undefined;
  web: RoleProcess | undefined;
  /** Every child process started, for the health check and the clean-up. */
  spawned: RoleProcess[];
  startWorker(): Promise<RoleProcess>;
  startWeb(): Promise<RoleProcess>;
  /** `switchboard up` with the test's queues: Temporal dev server, embedded Postgres, worker and web in one process. */
  startApp(): Promise<RoleProcess>;
  /** Stop a process and, should it leave any behind (its Temporal or Postgres), the processes it had started. */
  stopTree(p: RoleProcess): Promise<void>;
  /** A query on the test's Postgres, on a connection of its own (it may be down). */
  query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]>;
}

/**
 * The chaos stack for one test file: started before its tests (worker then web), everything stopped after them.
 * `queues`: the worker's queues, when the file's scenarios need others than TEST_QUEUES (a conference queue).
 */
export function chaosStackForFile(opts: { queues?: Record<string, QueueConfig> } = {}): ChaosStack {
  let workerEnv: Record<string, string>;
  let webEnv: Record<string, string>;
  /** The whole app in one process (`switchboard up`), starting its own Temporal and Postgres on the data folder. */
  let appEnv: Record<string, string>;
  const stack = {
    worker: undefined,
    web: undefined,
    spawned: [],
    async startWorker() {
      const p = await spawnRole('worker', WORKER_ENTRY, ['worker'], workerEnv, /^ready$/m);
      stack.spawned.push(p);
      return p;
    },
    async startWeb() {
      const p = await spawnRole('web', CLI, ['web'], webEnv, /Switchboard is running/);
      stack.spawned.push(p);
      return p;
    },
    async startApp() {
      const p = await spawnRole('app', WORKER_ENTRY, [], appEnv, /^ready$/m, 180_000);
      stack.spawned.push(p);
      return p;
    },
    async stopTree(p) {
      const tree =
        p.child.pid !== undefined && p.child.exitCode === null && p.child.signalCode === null
          ? processTree(p.child.pid)
          : [];
      await p.stop();
      const left = tree.filter((t) => processTree(t.pid)[0]?.command === t.command);
      for (const t of left) {
        try {
          process.kill(t.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
      const c = new pg.Client({ connectionString: stack.db.url });
      await c.connect();
      try {
        return (await c.query<T>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
  } as Partial<ChaosStack> as ChaosStack;

  beforeAll(async () => {
    stack.dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-chaos-'));
    const { dataDir } = stack;
    [stack.temporalPort, stack.dbPort] = [await freePort(), await freePort()];
    const webPort = await freePort();
    [stack.temporal, stack.db] = await Promise.all([
      startTemporalDevServer({ dataDir, port: stack.temporalPort, namespace: 'default' }),
      startEmbeddedPostgres({ dataDir, port: stack.dbPort }),
    ]);
    stack.emulator = await startEmulatorFor(webPort, { redelivery: REDELIVERY });
    for (const a of AGENTS) stack.emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1500 });
    // The app's processes share the data folder's payload key (src/temporal/data-converter.ts); so does this client.
    stack.client = await connectClient(loadConfig({ DATA_DIR: dataDir }), stack.temporal.address);
    const common = {
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      ...emulatorGraphEnv(stack.emulator),
      TEMPORAL_TASK_QUEUE: 'switchboard-chaos',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
    workerEnv = { ...common, SWITCHBOARD_QUEUES_JSON: JSON.stringify(opts.queues ?? TEST_QUEUES) };
    // A web process of its own fails closed without allow-lists (app/stack/fail-closed.ts): the emulator and the test
    // reach it from this machine.
    webEnv = {
      ...common,
      PORT: String(webPort),
      PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
      ADMIN_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
    };
    // Empty means embedded (loadConfig): the app starts Temporal and Postgres itself, on the ports the test's ran on.
    appEnv = {
      ...workerEnv,
      ...webEnv,
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      TEMPORAL_DEV_PORT: String(stack.temporalPort),
      TEMPORAL_DEV_UI_PORT: '0',
      EMBEDDED_POSTGRES_PORT: String(stack.dbPort),
    };
    stack.worker = await stack.startWorker(); // migrates first, alone
    stack.web = await stack.startWeb();
  }, 240_000);

  afterAll(async () => {
    for (const p of stack.spawned.reverse()) await stack.stopTree(p).catch(() => undefined);
    await stack.client?.connection.close().catch(() => undefined);
    await stack.emulator?.stop().catch(() => undefined);
    await stack.db?.stop().catch(() => undefined);
    await stack.temporal?.stop().catch(() => undefined);
    if (stack.dataDir) await rm(stack.dataDir, { recursive: true, force: true });
  });
  return stack;
}
