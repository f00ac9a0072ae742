import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { AGENTS, TEST_QUEUES } from './chaos-stack.js';
import { startClusterServices, type Cluster } from '../../devkit/cluster/cluster.js';
import { startEmulator, type Emulator } from '../../devkit/emulator/index.js';
import { emulatorGraphEnv, loadConfig } from '../../src/config.js';
import { connectClient } from '../../src/temporal/connection.js';

// The production shape for test/cluster/ (devkit/cluster/cluster.ts): the real Temporal server built from its Go
// module, on its own Postgres; Switchboard's Postgres; two worker processes and two web processes; a round-robin
// balancer in front of the web processes, which the Graph emulator notifies. The scenarios of the chaos files
// (chaos-scenario.ts) run on it unchanged: they see the emulator, a client and Switchboard's database.

/** Every notification that got no 2xx is re-posted every 250 ms for 10 s (as the chaos files). */
const REDELIVERY = { attempts: 40, delayMs: 250 };
export const CLUSTER_RETENTION_DAYS = 30;

export interface ClusterStack {
  cluster: Cluster;
  emulator: Emulator;
  client: Client;
  /** Every app process started (the closing checks read their logs). */
  spawned: Cluster['spawned'];
  /** A query on Switchboard's Postgres, on a connection of its own (it may be down). */
  query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]>;
  /** Start-up steps and how long each took, in seconds. */
  timings: Record<string, number>;
}

/** The cluster for one test file: started before its tests, everything stopped after them. */
export function clusterStackForFile(counts = { workers: 2, webs: 2 }): ClusterStack {
  const stack = {
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
      const c = new pg.Client({ connectionString: stack.cluster.appDb.url });
      await c.connect();
      try {
        return (await c.query<T>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
  } as Partial<ClusterStack> as ClusterStack;
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-cluster-'));
    const started = Date.now();
    stack.cluster = await startClusterServices({
      dataDir,
      namespace: 'default',
      taskQueue: 'switchboard-cluster',
      retentionDays: CLUSTER_RETENTION_DAYS,
      logLevel: 'warn',
      // CI builds the server beside the other test files (global-setup.ts) at the lowest priority; this waits for it.
      backgroundBuild: true,
      onStep: (line) => console.log(`cluster ${line}`),
    });
    stack.spawned = stack.cluster.spawned;
    const defaults = loadConfig({});
    stack.emulator = await startEmulator({
      tenantId: defaults.graph.tenantId,
      clientId: defaults.graph.clientId,
      clientSecret: defaults.graph.clientSecret,
      botCallingUrl: `${stack.cluster.balancer.url}/api/calling`,
      mediaSpeed: 10,
      logger: pino({ level: 'silent' }),
      redelivery: REDELIVERY,
    });
    for (const a of AGENTS) stack.emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1500 });
    await stack.cluster.startApp(counts, emulatorGraphEnv(stack.emulator), {
      SWITCHBOARD_QUEUES_JSON: JSON.stringify(TEST_QUEUES),
    });
    stack.client = await connectClient(
      loadConfig({ DATA_DIR: dataDir, TEMPORAL_CODEC_KEYS: stack.cluster.codecKeys }),
      stack.cluster.temporal.address,
    );
    stack.timings = { ...stack.cluster.timings, total: Math.round((Date.now() - started) / 100) / 10 };
    console.log(`cluster ${JSON.stringify({ startup_s: stack.timings })}`);
  }, 900_000);

  afterAll(async () => {
    await stack.client?.connection.close().catch(() => undefined);
    await stack.emulator?.stop().catch(() => undefined);
    await stack.cluster?.stop().catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 120_000);
  return stack;
}
