import type { Config } from '../../src/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { migrate, openDatabase, type MikroORM } from '../../src/db/orm.js';
import type { Stops } from './stops.js';

/** Postgres: the configured database, or the embedded one in the data folder, migrated to the current schema. */
export async function startDatabase(
  config: Config,
  stops: Stops,
): Promise<{ databaseUrl: string; orm: MikroORM; embedded: boolean; migrationsRun: number }> {
  let databaseUrl = config.database.url;
  let embedded: EmbeddedDatabase | undefined;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.database.embeddedPort });
    stops.push(() => embedded!.stop());
    databaseUrl = embedded.url;
  }
  const orm = await openDatabase(databaseUrl);
  stops.push(() => orm.close());
  const ran = await migrate(orm);
  return { databaseUrl, orm, embedded: embedded !== undefined, migrationsRun: ran.length };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
