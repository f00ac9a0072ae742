import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/orm.js';
import { seedHistory } from '../../devkit/analytics/seed.js';
import { startSeededDatabase, type SeededDatabase } from '../helpers/services.js';
import { END, expectSameAsRaw, expectSameAsRebuild, H, query, type Query } from '../helpers/rollup-checks.js';

// How the rollups are kept: a bulk load with the triggers off and a rebuild, the range splitting, and the triggers'
// working tables (the formulas themselves: rollups.test.ts).

let seeded: SeededDatabase;
let client: pg.Client;
let q: Query;

beforeAll(async () => {
  // Written through the triggers, in batches, like `switchboard seed` does.
  seeded = await startSeededDatabase('rollup-upkeep', { calls: 3000, days: 3, end: END, seed: 11, batchSize: 400 });
  client = seeded.client;
  q = query(client);
});

afterAll(async () => {
  await seeded?.stop();
});

describe('bulk seeding', () => {
  it('loads with the metric triggers off, rebuilds every rollup to what the triggers give, and turns them back on', async () => {
    const before = await q('select count(*)::int as n from call');
    const res = await seedHistory(client, {
      calls: 2000,
      days: 2,
      end: new Date(END.getTime() - 3600_000),
      seed: 23,
      batchSize: 700,
      bulk: true,
    });
    expect(res.calls).toBe(2000);
    expect(await q('select count(*)::int as n from call')).toEqual([{ n: (before[0]!.n as number) + 2000 }]);
    const triggers = await q(
      `select tgname, tgenabled from pg_trigger where tgname like '%metrics%' or tgname like 'agent_fact_rollup%' order by 1`,
    );
    // insert, update, delete on four tables, the threshold history and call_event; truncate on three and agent_fact
    expect(triggers.length).toBe(4 * 3 + 3 + 3 + 3 + 1);
    expect(triggers.every((t) => t.tgenabled === 'O')).toBe(true);
    expect(await expectSameAsRaw(client)).toBeGreaterThan(2000);
    await expectSameAsRebuild(client);
    // and the triggers maintain them again afterwards
    const agent = (await q(`select agent_id from metrics.agent_list order by 1 limit 1`))[0]!.agent_id;
    await client.query(
      `insert into agent_state_change (key, agent_id, state, queue, at) values ('after-bulk', $1, 'away', 'sales', $2)`,
      [agent, new Date(END.getTime() - 30 * H)],
    );
    await expectSameAsRebuild(client);
    expect(await expectSameAsRaw(client)).toBeGreaterThan(2000);
    // A load, a rebuild and three full comparisons: over a minute on two shared cores, so more than the default.
  }, 360_000);
});

describe('rollup_pieces', () => {
  it('splits a range into whole buckets, largest first, and at most two raw edges', async () => {
    const rows = await q(
      `select width, piece_from, piece_to from metrics.rollup_pieces($1, $2, array[60, 86400, 3600]) order by piece_from`,
      [new Date('2026-11-20T22:59:30.5Z'), new Date('2026-11-22T01:02:03Z')],
    );
    expect(
      rows.map((r) => [r.width, (r.piece_from as Date).toISOString(), (r.piece_to as Date).toISOString()]),
    ).toEqual([
      [0, '2026-11-20T22:59:30.500Z', '2026-11-20T23:00:00.000Z'],
      [3600, '2026-11-20T23:00:00.000Z', '2026-11-21T00:00:00.000Z'],
      [86400, '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z'],
      [3600, '2026-11-22T00:00:00.000Z', '2026-11-22T01:00:00.000Z'],
      [60, '2026-11-22T01:00:00.000Z', '2026-11-22T01:02:00.000Z'],
      [0, '2026-11-22T01:02:00.000Z', '2026-11-22T01:02:03.000Z'],
    ]);
    expect(await q(`select * from metrics.rollup_pieces($1, $1, array[60])`, [END])).toEqual([]);
  });
});

const SESSION_TEMP_TABLES = 'Migration20261129000000_session_temp_tables';

describe('the rollup triggers’ working tables', () => {
  const temp = async (name: string) =>
    (
      await q(
        `select c.oid::int as oid, (select count(*)::int from pg_temp.${name}) as rows from pg_class c where c.oid = to_regclass('pg_temp.${name}')`,
      )
    )[0];
  const functions = async () =>
    (await q(`select p.proname, p.prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'metrics') and (p.prosrc like '%on commit drop%' or p.prosrc like '%on commit delete rows%') order by 1`)) as {
      proname: string;
      prosrc: string;
    }[];

  it('last the session: one table per session, empty between transactions, not created per write', async () => {
    // This session has written through every trigger above (the seed, late and moved rows), so the tables exist.
    const agent = (await q(`select agent_id from metrics.agent_list order by 1 limit 1`))[0]!.agent_id;
    const write = (key: string, hoursBeforeEnd: number) =>
      client.query(
        `insert into agent_state_change (key, agent_id, state, queue, at) values ($1, $2, 'away', 'sales', $3)`,
        [key, agent, new Date(END.getTime() - hoursBeforeEnd * H)],
      );
    await write('session-1', 20);
    const first = await temp('metrics_agent_rollup_keys');
    await write('session-2', 19);
    expect(first).toEqual({ oid: expect.any(Number), rows: 0 });
    expect(await temp('metrics_agent_rollup_keys')).toEqual(first);
    expect(await expectSameAsRaw(client)).toBeGreaterThan(2000);
  }, 360_000);

  it('are put back to one per transaction by the migration’s down(), and its up() makes them per session again', async () => {
    const after = await functions();
    expect(after.length).toBe(5);
    expect(after.every((f) => !f.prosrc.includes('on commit drop') && !/truncate metrics_/.test(f.prosrc))).toBe(true);
    const orm = await openDatabase(seeded.db.url);
    try {
      await orm.getMigrator().down({ migrations: [SESSION_TEMP_TABLES] });
      const before = await functions();
      expect(before.map((f) => f.proname)).toEqual(after.map((f) => f.proname));
      expect(
        before.every(
          (f) =>
            f.prosrc.includes('on commit drop') &&
            !f.prosrc.includes('on commit delete rows') &&
            !/delete from metrics_/.test(f.prosrc),
        ),
      ).toBe(true);
      await orm.getMigrator().up({ migrations: [SESSION_TEMP_TABLES] });
      expect(await functions()).toEqual(after);
    } finally {
      await orm.close();
    }
    await expectSameAsRebuild(client);
  }, 360_000);
});
