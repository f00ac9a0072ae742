import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededDatabase, type SeededDatabase } from '../helpers/services.js';
import { END, expectSameAsRaw, expectSameAsRebuild, H, query, type Query } from '../helpers/rollup-checks.js';

// The rollup-backed metric functions (Migration20261128070000_rollups) give exactly what the metrics migration's
// formulas give over the raw rows — computed here straight from metrics.call_fact and metrics.agent_interval (the
// whole-table views) — on seeded history, after out-of-order, updated and deleted rows, and for live data.

let seeded: SeededDatabase;
let client: pg.Client;
let q: Query;

beforeAll(async () => {
  // Written through the triggers, in batches, like `switchboard seed` does.
  seeded = await startSeededDatabase('rollups', { calls: 3000, days: 3, end: END, seed: 11, batchSize: 400 });
  client = seeded.client;
  q = query(client);
});

afterAll(async () => {
  await seeded?.stop();
});

describe('rollups', () => {
  it('give the raw formulas’ answers on history written through the triggers', async () => {
    expect(await expectSameAsRaw(client)).toBeGreaterThan(2000);
    await expectSameAsRebuild(client);
  }, 360_000);

  it('stay exact after late, updated and deleted rows, callbacks, a threshold change and live calls', async () => {
    const agents = (
      await q(`select agent_id, count(*)::int as n from agent_state_change group by 1 order by 2 desc limit 3`)
    ).map((r) => r.agent_id as string);
    // A late agent-state row in the middle of an agent's history, one moved, one deleted.
    const mid = (
      await q(`select at from agent_state_change where agent_id = $1 order by at offset 20 limit 1`, [agents[0]])
    )[0]!.at as Date;
    await client.query(
      `insert into agent_state_change (key, agent_id, state, queue, at) values ('late-1', $1, 'away', 'sales', $2)`,
      [agents[0], new Date(mid.getTime() - 1000)],
    );
    await client.query(
      `update agent_state_change set at = at - interval '90 seconds' where id = (select id from agent_state_change where agent_id = $1 order by at offset 40 limit 1)`,
      [agents[1]],
    );
    await client.query(
      `delete from agent_state_change where id = (select id from agent_state_change where agent_id = $1 order by at offset 30 limit 1)`,
      [agents[2]],
    );
    // Several agents in one statement, out of order.
    await client.query(
      `insert into agent_state_change (key, agent_id, state, queue, at)
      select 'late-batch-' || a, a, 'wrapUp', 'support', $2::timestamptz - (random() * interval '40 hours') from unnest($1::varchar[]) a`,
      [agents, END],
    );
    // Calls: answered → abandoned, moved to another queue, deleted; a callback added and one removed.
    await client.query(`update call set connected_at = null, agent_id = null, outcome = 'abandoned', wait_seconds = 77
      where id in (select id from call where connected_at is not null order by arrived_at limit 5)`);
    await client.query(
      `update call set queue = 'vip' where id in (select id from call where queue = 'billing' order by arrived_at desc limit 5)`,
    );
    await client.query(
      `delete from call where id in (select id from call where queue = 'sales' order by arrived_at limit 7)`,
    );
    await client.query(`insert into callback (call_id, queue, number, status, requested_at)
      select id, queue, from_id, 'requested', ended_at from call where outcome = 'abandoned' and id not in (select call_id from callback where call_id is not null) limit 3`);
    await client.query(`delete from callback where id = (select min(id) from callback)`);
    // A callback completed (an answered call now) and one failed: a status change alone refreshes the rollups.
    await client.query(`update callback set status = 'completed', attempts = 2, completed_at = requested_at + interval '9 minutes'
      where id = (select max(id) from callback)`);
    await client.query(`update callback set status = 'failed', attempts = 3
      where id = (select max(id) from callback where status <> 'completed')`);
    // Three callers sent on from billing to vip (billing's overflow), as the call's timeline records it: each a
    // segment of billing in queue_stats, read from queue_exit beside the rollups.
    await client.query(`insert into call_event (call_id, seq, type, at, payload)
      select id, 100, 'queueExit', queued_at,
             jsonb_build_object('queue', 'billing', 'reason', 'overflow', 'action', jsonb_build_object('type', 'queue', 'queue', 'vip'),
                                'waitSeconds', 12.5)
      from call where queue = 'vip' order by arrived_at limit 3`);
    expect(await q(`select count(*)::int as n from metrics.queue_exit_list where to_queue = 'vip'`)).toEqual([
      { n: 3 },
    ]);
    // A changed service-level threshold.
    await client.query(`insert into queue_setting (queue, sl_threshold_seconds) values ('sales', 12)`);
    // Live: a call waiting now, one answered now, an agent on a call that has not ended.
    const now = new Date();
    await client.query(
      `insert into call (id, workflow_id, queue, arrived_at, queued_at, updated_at) values ('live-1', 'call-live-1', 'sales', $1, $1, $1)`,
      [new Date(now.getTime() - 30_000)],
    );
    await client.query(
      `insert into call (id, workflow_id, queue, arrived_at, queued_at, updated_at) values ('live-2', 'call-live-2', 'support', $1, $1, $1)`,
      [new Date(now.getTime() - 20_000)],
    );
    await client.query(
      `update call set connected_at = $2, agent_id = 'live-agent', outcome = 'connected' where id = $1`,
      ['live-2', new Date(now.getTime() - 5000)],
    );
    await client.query(
      `insert into agent_state_change (key, agent_id, state, queue, call_id, at) values
      ('live-a', 'live-agent', 'available', 'support', null, $1), ('live-b', 'live-agent', 'onCall', 'support', 'live-2', $2)`,
      [new Date(now.getTime() - 600_000), new Date(now.getTime() - 5000)],
    );

    // Offers that end in each way (workflows/agent/state.ts): only the agent's non-response is a miss.
    const offerAt = new Date(now.getTime() - 3000_000);
    await client.query(
      `insert into agent_state_change (key, agent_id, state, reason, queue, at)
       select 'offer-' || x.n, 'offer-agent', x.state, x.reason, 'sales', $1::timestamptz + x.n * interval '10 seconds'
       from (values (0, 'available', 'signIn'), (1, 'reserved', 'offer'), (2, 'available', 'missedOffer'),
                    (3, 'reserved', 'offer'), (4, 'available', 'offerCancelled'), (5, 'reserved', 'offer'),
                    (6, 'available', 'reservationExpired'), (7, 'reserved', 'offer'), (8, 'away', 'missedOffers'))
         as x(n, state, reason)`,
      [offerAt],
    );
    expect(await expectSameAsRaw(client)).toBeGreaterThan(2000);
    await expectSameAsRebuild(client);
    const offers = await q(`select missed_offers from metrics.agent_stats($1, $2) where agent_id = 'offer-agent'`, [
      offerAt,
      new Date(offerAt.getTime() + H),
    ]);
    expect(offers).toEqual([{ missed_offers: '2' }]); // missedOffer and missedOffers; not cancelled, not expired
    // The live agent is in today's figures with its open call counted as talk time.
    const live = await q(
      `select talk_seconds, available_seconds from metrics.agent_stats($1, $2) where agent_id = 'live-agent'`,
      [new Date(now.getTime() - H), new Date(now.getTime() + H)],
    );
    expect(live).toHaveLength(1);
    expect(Number(live[0]!.available_seconds)).toBeCloseTo(595, 0);

    // Truncating a source table empties what is derived from it.
    await client.query('begin');
    try {
      await client.query('truncate agent_state_change');
      expect(await q('select count(*)::int as n from metrics.agent_fact')).toEqual([{ n: 0 }]);
      expect(await q('select count(*)::int as n from metrics.agent_rollup')).toEqual([{ n: 0 }]);
      expect(await q('select * from metrics.agent_totals($1, $2)', [new Date(END.getTime() - 72 * H), END])).toEqual([
        { calls_handled: '0', aht_seconds: null, occupancy: null, missed_offers: '0' },
      ]);
      expect(await q('select * from metrics.agent_stats($1, $2)', [new Date(END.getTime() - 72 * H), END])).toEqual([]);
    } finally {
      await client.query('rollback');
    }
  }, 360_000);
});
