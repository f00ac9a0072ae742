import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { startTemporalDevServer, freePort, type DevServer } from '../../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { openDatabase, type MikroORM } from '../../src/db/orm.js';

// /healthz against real servers: each dependency is reported, and 503 when one is down.
let temporal: DevServer;
let db: EmbeddedDatabase;
let orm: MikroORM;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-health-'));
  [temporal, db] = await Promise.all([
    startTemporalDevServer({ dataDir, port: await freePort(), namespace: 'default', dbFilename: ':memory:' }),
    startEmbeddedPostgres({ dataDir, port: await freePort() }),
  ]);
  orm = await openDatabase(db.url);
});

afterAll(async () => {
  await orm?.close();
  await db?.stop();
  await temporal?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function health(client: Client): Promise<{ status: number; body: unknown }> {
  const logger = pino({ level: 'silent' });
  const notificationVerifier = new NotificationVerifier({
    openIdConfigUrl: 'http://127.0.0.1:9/none',
    audience: 'app',
    allowedTenants: ['t'],
    logger,
  });
  const app = createApp({ client, orm, logger, taskQueue: 'tq', publicUrl: 'http://127.0.0.1', notificationVerifier });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: await res.json() };
  } finally {
    server.close();
  }
}

it('is 200 with both dependencies up', async () => {
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  expect(await health(client)).toEqual({
    status: 200,
    body: { status: 'ok', dependencies: { temporal: 'up', postgres: 'up' } },
  });
  await client.connection.close();
});

it('is 503 naming Temporal when it is unreachable', async () => {
  const client = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 }),
  });
  expect(await health(client)).toEqual({
    status: 503,
    body: { status: 'degraded', dependencies: { temporal: 'down', postgres: 'up' } },
  });
});

it('is 503 naming Postgres when it is down', async () => {
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  await db.stop();
  expect(await health(client)).toEqual({
    status: 503,
    body: { status: 'degraded', dependencies: { temporal: 'up', postgres: 'down' } },
  });
  await client.connection.close();
});
