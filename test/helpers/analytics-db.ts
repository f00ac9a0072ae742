import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { migrate, openDatabase, type MikroORM } from '../../src/db/orm.js';
import { writeFixture } from '../../devkit/analytics/fixture.js';

export type Row = Record<string, unknown>;

export interface AnalyticsDatabase {
  db: EmbeddedDatabase;
  orm: MikroORM;
  /** Connected as the owner (writes go through the metric triggers). */
  client: pg.Client;
  /** Runs SQL as the read-only role Grafana uses, in a transaction rolled back after. */
  asReader(sql: string, params?: unknown[]): Promise<Row[]>;
  stop(): Promise<void>;
}

/**
 * Embedded Postgres, migrated, for the analytics tests: empty, or holding the known-answer fixture
 * (devkit/analytics/fixture.ts) when `fixture` is set. One per test file.
 */
export async function startAnalyticsDatabase(
  name: string,
  opts: { fixture?: boolean } = {},
): Promise<AnalyticsDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `switchboard-${name}-`));
  let db: EmbeddedDatabase | undefined;
  let orm: MikroORM | undefined;
  let client: pg.Client | undefined;
  const stop = async () => {
    await client?.end();
    await orm?.close();
    await db?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    orm = await openDatabase(db.url);
    await migrate(orm);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    if (opts.fixture) await writeFixture(client);
  } catch (err) {
    await stop();
    throw err;
  }
  const c = client;
  return {
    db,
    orm,
    client: c,
    async asReader(sql, params = []) {
      await c.query('begin');
      try {
        await c.query('set local role switchboard_reader');
        return (await c.query(sql, params)).rows as Row[];
      } finally {
        await c.query('rollback');
      }
    },
    stop,
  };
}
