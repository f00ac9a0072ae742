import pg from 'pg';
import { migrate, openDatabase } from '../db/orm.js';
import { seedHistory } from '../../devkit/analytics/seed.js';

/** `switchboard seed --calls N [--days D] [--seed S]`: realistic call history in DATABASE_URL (migrates first). */
export async function seed(databaseUrl: string, args: string[]): Promise<number> {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive whole number`);
    return v;
  };
  const calls = flag('calls', 10_000);
  const days = flag('days', 30);
  const seedValue = flag('seed', 42);
  const orm = await openDatabase(databaseUrl);
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  try {
    const res = await seedHistory(client, {
      calls,
      days,
      seed: seedValue,
      onProgress: (done) => process.stdout.write(`\rseeded ${done}/${calls} calls`),
      onRebuild: () =>
        process.stdout.write(
          `\nrebuilding the metric rollups (${((Date.now() - started) / 1000).toFixed(1)} s so far)`,
        ),
    });
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(
      `\nseeded ${res.calls} calls and ${res.stateChanges} agent state changes over ${days} days in ${secs.toFixed(1)} s\n`,
    );
  } finally {
    await client.end();
  }
  return 0;
}
