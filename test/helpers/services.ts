import type { DataConverter } from '@temporalio/common';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import {
  startTemporalDevServer,
  freePort,
  temporalCliPath,
  type DevServer,
} from '../../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { migrate, openDatabase, type MikroORM } from '../../src/db/orm.js';
import { seedHistory } from '../../devkit/analytics/seed.js';
import { SigningKeys } from './signing-keys.js';
import { loadConfig } from '../../src/config.js';
import { codecFor, dataConverterOf, ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import type { EncryptionCodec } from '../../src/temporal/payload-codec.js';
import { callSearchAttributeKeys } from '../../src/temporal/search-attributes.js';

/** Listen on a random loopback port; the server and its base URL. */
export async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface Services {
  dataDir: string;
  temporal: DevServer;
  db: EmbeddedDatabase;
  orm: MikroORM;
  /** Through the app's payload codec (src/temporal/data-converter.ts). */
  client: Client;
  /** That codec: decodes what a raw history holds. */
  codec: EncryptionCodec;
  /** Started, with key `k1` published. */
  keys: SigningKeys;
  /** Serve an app on a random port (closed by stop); its base URL. */
  serve(app: Express): Promise<string>;
  stop(): Promise<void>;
}

/**
 * What the webhook and admin API tests run the app's Express app against, without a stack: a Temporal dev server
 * (in memory), embedded Postgres, a Temporal client and signing keys served over HTTP like Microsoft's OpenID
 * document, in a throwaway data folder named after the test.
 */
export async function startServices(
  name: string,
  opts: {
    keys?: SigningKeys;
    migrate?: boolean;
    /** Dynamic config for the Temporal dev server (startTemporalDevServer's `dynamicConfig`). */
    temporalDynamicConfig?: Record<string, string | number | boolean>;
  } = {},
): Promise<Services> {
  const keys = opts.keys ?? new SigningKeys();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `switchboard-${name}-`));
  const servers: Server[] = [];
  const started: Partial<Services> = {};
  const stop = async () => {
    for (const s of servers) s.close();
    await started.client?.connection.close();
    await started.orm?.close();
    await started.db?.stop();
    await started.temporal?.stop();
    await keys.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    [started.temporal, started.db] = await Promise.all([
      startTemporalDevServer({
        dataDir,
        port: await freePort(),
        namespace: 'default',
        dbFilename: ':memory:',
        ...(opts.temporalDynamicConfig ? { dynamicConfig: opts.temporalDynamicConfig } : {}),
      }),
      startEmbeddedPostgres({ dataDir, port: await freePort() }),
      keys.start(),
    ]);
    await keys.addKey('k1');
    started.orm = await openDatabase(started.db.url);
    if (opts.migrate) await migrate(started.orm);
    // Through the app's data converter, as every client of the app's (payloads encrypted with the data folder's key).
    started.codec = await codecFor(loadConfig({ DATA_DIR: dataDir }));
    started.client = new Client({
      connection: await Connection.connect({ address: started.temporal.address }),
      dataConverter: dataConverterOf(started.codec),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dataDir,
    temporal: started.temporal,
    db: started.db,
    orm: started.orm,
    client: started.client,
    codec: started.codec,
    keys,
    async serve(app) {
      const { server, url } = await listen(app);
      servers.push(server);
      return url;
    },
    stop,
  };
}

export interface SeededDatabase {
  db: EmbeddedDatabase;
  /** Connected to the seeded database. */
  client: pg.Client;
  stop(): Promise<void>;
}

/**
 * Embedded Postgres, migrated, with `switchboard seed`'s generated history written through the triggers. `migrated`
 * runs after the migrations, on an ORM closed right after.
 */
export async function startSeededDatabase(
  name: string,
  seed: Parameters<typeof seedHistory>[1],
  migrated: (orm: MikroORM) => Promise<void> = async () => {},
): Promise<SeededDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `switchboard-${name}-`));
  let db: EmbeddedDatabase | undefined;
  let client: pg.Client | undefined;
  const stop = async () => {
    await client?.end();
    await db?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    const orm = await openDatabase(db.url);
    try {
      await migrate(orm);
      await migrated(orm);
    } finally {
      await orm.close();
    }
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await seedHistory(client, seed);
  } catch (err) {
    await stop();
    throw err;
  }
  return { db, client, stop };
}

/**
 * Temporal's test environment on the CLI this repo runs (the dev server the stack uses). Its client encrypts payloads
 * and failures as production's do (data-converter.ts): by default with this process's ephemeral key, which a test's
 * workers take from `env.client.options.dataConverter`. `plain` is for a test about unencrypted payloads.
 */
export function startWorkflowTestEnvironment(
  dataConverter: DataConverter | 'plain' = ephemeralDataConverter(),
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      // The call workflow's search attributes, registered as the embedded dev server registers them.
      searchAttributes: Object.values(callSearchAttributeKeys),
    },
    ...(dataConverter === 'plain' ? {} : { client: { dataConverter } }),
  });
}

/** One such environment for a test file: `set` receives it before the file's tests; it is torn down after them. */
export function workflowTestEnvironmentForFile(set: (env: TestWorkflowEnvironment) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await startWorkflowTestEnvironment();
    set(env);
  });
  afterAll(async () => {
    await env?.teardown();
  });
}
