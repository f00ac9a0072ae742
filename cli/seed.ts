import pg from 'pg';
import { migrate, openDatabase } from '../src/db/orm.js';
import { seedHistory } from '../devkit/analytics/seed.js';
import { SEED_USAGE } from './usage.js';
import { commandProgress } from '../src/infra/progress.js';

class SeedUsageError extends Error {}

/** `switchboard seed --calls N [--days D] [--seed S]`: realistic call history in DATABASE_URL (migrates first). */
export async function seed(databaseUrl: string, args: string[]): Promise<number> {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v <= 0) throw new SeedUsageError(`--${name} needs a positive whole number`);
    return v;
  };
  let calls: number, days: number, seedValue: number;
  try {
    const unknown = args.filter((a) => a.startsWith('--') && !['--calls', '--days', '--seed'].includes(a));
    if (unknown.length) throw new SeedUsageError(`unknown option '${unknown[0]}'`);
    calls = flag('calls', 10_000);
    days = flag('days', 30);
    seedValue = flag('seed', 42);
  } catch (err) {
    // A usage error: exit 2 with the usage, as every command does, before the database is touched.
    if (!(err instanceof SeedUsageError)) throw err;
    process.stderr.write(`${err.message}\n${SEED_USAGE}\n`);
    return 2;
  }
  const orm = await openDatabase(databaseUrl);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  // Progress on stderr (a bar on a terminal, plain lines in a log); stdout gets only the summary.
  const progress = commandProgress(process.stderr);
  try {
    const res = await seedHistory(client, {
      calls,
      days,
      seed: seedValue,
      onProgress: (done) => progress.step('calls seeded', done, calls),
      onRebuild: () =>
        progress.note(`rebuilding the metric rollups (${((Date.now() - started) / 1000).toFixed(1)} s so far)`),
    });
    progress.end();
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(
      `seeded ${res.calls} calls and ${res.stateChanges} agent state changes over ${days} days in ${secs.toFixed(1)} s\n`,
    );
  } finally {
    await client.end();
  }
  return 0;
}
