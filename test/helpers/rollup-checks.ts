import type pg from 'pg';
import { expect } from 'vitest';

/**
 * The rollup-backed metric functions (Migration20261128070000_rollups and later) against the metrics' formulas over
 * the raw rows — computed here straight from metrics.call_fact and metrics.agent_interval (the whole-table views) —
 * and the incrementally maintained rollups against a rebuild from scratch: what the rollup tests share.
 */

export const END = new Date('2026-11-27T00:00:00Z');
export const H = 3600_000;

export type Row = Record<string, unknown>;

/** Rows with numeric strings as numbers and dates as ISO strings. */
function norm(rows: Row[]): Row[] {
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (typeof v === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/.test(v)) return [k, Number(v)];
        if (v instanceof Date) return [k, v.toISOString()];
        return [k, v];
      }),
    ),
  );
}

/** Same rows, numbers equal to 1e-9 relative (float sums in another order differ in the last bits only). */
function expectSameRows(actual: Row[], expected: Row[], label: string): void {
  const a = norm(actual);
  const e = norm(expected);
  expect(a.length, label).toBe(e.length);
  a.forEach((row, i) => {
    const want = e[i]!;
    expect(Object.keys(row), label).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(row)) {
      const w = want[k];
      if (typeof v === 'number' && typeof w === 'number') {
        expect(Math.abs(v - w), `${label} row ${i} ${k}: ${v} vs ${w}`).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(v), Math.abs(w)),
        );
      } else {
        expect(v, `${label} row ${i} ${k}`).toEqual(w);
      }
    }
  });
}

const RAW_QUEUE_STATS = `
  with s as (
    select cf.queue, cf.queued_at, cf.is_answered, cf.wait_seconds, cf.sl_threshold_seconds, cf.is_abandoned, cf.is_callback
    from metrics.call_fact cf
    union all
    -- a segment of a queue the caller was sent on from (metrics.queue_exit_list): queued there, nothing else
    select x.queue, x.entered_at, false, x.wait_seconds, 20, false, false
    from metrics.queue_exit_list x where x.to_queue is not null),
  f as (
    select case when $3::float8 > 0 then to_timestamp(floor(extract(epoch from s.queued_at) / $3::float8) * $3::float8)
                else $1::timestamptz end as bucket, s.*
    from s where s.queued_at >= $1 and s.queued_at < $2)
  select bucket as time, queue, count(*) as queued, count(*) filter (where is_answered) as answered,
         count(*) filter (where is_answered and wait_seconds <= sl_threshold_seconds) as answered_within,
         count(*) filter (where is_abandoned) as abandoned, count(*) filter (where is_callback) as callbacks,
         avg(wait_seconds) filter (where is_answered) as asa_seconds, max(wait_seconds) as max_wait_seconds
  from f group by 1, 2 order by 1, 2`;
const QUEUE_STATS = `
  select time, queue, queued, answered, answered_within, abandoned, callbacks, asa_seconds, max_wait_seconds
  from metrics.queue_stats($1, $2, $3, null) order by 1, 2`;
const RAW_CALLS = `
  select to_timestamp(floor(extract(epoch from arrived_at) / greatest($3::float8, 1)) * greatest($3::float8, 1)) as time,
         coalesce(queue, '(none)') as queue, count(*) as calls
  from metrics.call_arrival where arrived_at >= $1 and arrived_at < $2 group by 1, 2 order by 1, 2`;
const CALLS = `select time, queue, calls from metrics.calls_per_interval($1, $2, $3, null) order by 1, 2`;
const RAW_AGENTS = `
  with i as (
    select ai.*, greatest(0, extract(epoch from least(coalesce(ai.ended_at, least(now(), $2::timestamptz)), $2::timestamptz)
                                               - greatest(ai.started_at, $1::timestamptz)))::float8 as clipped
    from metrics.agent_interval ai where ai.started_at < $2 and coalesce(ai.ended_at, 'infinity') > $1)
  select agent_id,
         count(*) filter (where state = 'onCall' and ended_at is not null and started_at >= $1) as calls_handled,
         coalesce(sum(clipped) filter (where state = 'onCall'), 0) as talk_seconds,
         coalesce(sum(clipped) filter (where state = 'wrapUp'), 0) as wrap_seconds,
         coalesce(sum(clipped) filter (where state in ('available', 'reserved')), 0) as available_seconds,
         avg(seconds + case when next_state = 'wrapUp' then coalesce(next_seconds, 0) else 0 end)
           filter (where state = 'onCall' and ended_at is not null and started_at >= $1) as aht_seconds,
         count(*) filter (where state = 'reserved' and next_reason in ('missedOffer', 'missedOffers') and started_at >= $1) as missed_offers
  from i group by agent_id order by agent_id`;
const AGENTS = `
  select agent_id, calls_handled, talk_seconds, wrap_seconds, available_seconds, aht_seconds, missed_offers
  from metrics.agent_stats($1, $2) order by agent_id`;
const RAW_AHT = `
  select queue, count(*) as calls_handled, avg(seconds + case when next_state = 'wrapUp' then coalesce(next_seconds, 0) else 0 end) as aht_seconds
  from metrics.agent_interval where state = 'onCall' and ended_at is not null and started_at >= $1 and started_at < $2
  group by queue order by queue`;
const AHT = `select queue, calls_handled, aht_seconds from metrics.queue_aht($1, $2, null) order by queue`;
const RAW_TIMELINE = `
  select agent_id, state, started_at, ended_at from metrics.agent_interval
  where started_at < $2 and coalesce(ended_at, 'infinity') > $1 order by 1, 3, 2`;
const TIMELINE = `select agent_id, state, started_at, ended_at from metrics.agent_timeline($1, $2) order by 1, 3, 2`;
// Agent rollups (Migration20261128090000_agent_rollups): totals of all agents, and the per-agent functions for a
// selection of agents, against the same raw formulas.
const RAW_TOTALS = `
  with a as (${RAW_AGENTS.replace('order by agent_id', '')})
  select coalesce(sum(calls_handled), 0) as calls_handled, sum(aht_seconds * calls_handled) / nullif(sum(calls_handled), 0) as aht_seconds,
         sum(talk_seconds + wrap_seconds) / nullif(sum(talk_seconds + wrap_seconds + available_seconds), 0) as occupancy,
         coalesce(sum(missed_offers), 0) as missed_offers
  from a`;
const TOTALS = `select calls_handled, aht_seconds, occupancy, missed_offers from metrics.agent_totals($1, $2)`;
const RAW_AGENTS_SOME = `with a as (${RAW_AGENTS.replace('order by agent_id', '')}) select * from a where agent_id = any ($3::text[]) order by agent_id`;
const AGENTS_SOME = `
  select agent_id, calls_handled, talk_seconds, wrap_seconds, available_seconds, aht_seconds, missed_offers
  from metrics.agent_stats($1, $2, $3::text[]) order by agent_id`;
const RAW_TIMELINE_SOME = `select * from (${RAW_TIMELINE}) t where agent_id = any ($3::text[]) order by 1, 3, 2`;
const TIMELINE_SOME = `select agent_id, state, started_at, ended_at from metrics.agent_timeline($1, $2, $3::text[]) order by 1, 3, 2`;
// The state-timeline panel (Migration20261128100000_agent_panels): per agent and bucket, the state held longest
// within the bucket among the intervals starting in it (ties: the earliest), at the bucket's first change; bucket 0
// gives every interval (its start clipped to the range).
const RAW_TIMELINE_BUCKETS = `
  with i as (
    select agent_id, state, greatest(started_at, $1) as s, least(coalesce(ended_at, least(now(), $2::timestamptz)), $2) as e
    from metrics.agent_interval where started_at < $2 and coalesce(ended_at, 'infinity') > $1 and agent_id = any ($3::text[])),
  b as (select i.*, case when $4::float8 > 0 then floor(extract(epoch from s) / $4::float8) end as k from i),
  h as (
    select agent_id, k, state, min(s) as first_s,
           sum(greatest(0, extract(epoch from least(e, to_timestamp((k + 1) * $4::float8)) - s))) as held
    from b where k is not null group by 1, 2, 3),
  r as (
    select agent_id, state, min(first_s) over (partition by agent_id, k) as t,
           row_number() over (partition by agent_id, k order by held desc, first_s, state) as n
    from h)
  select agent_id, t as time, state from r where n = 1
  union all
  select agent_id, s, state from b where k is null
  order by 1, 2, 3`;
const TIMELINE_BUCKETS = `select agent_id, time, state from metrics.agent_timeline($1, $2, $3::text[], $4) order by 1, 2, 3`;

/** Ranges with odd edges (seconds and milliseconds), whole days, and one ending in the future (live data). */
function ranges(): [Date, Date][] {
  const t = (h: number, ms = 0) => new Date(END.getTime() - h * H + ms);
  return [
    [t(72), t(0)],
    [t(50, 12_345), t(26, 61_001)],
    [t(30, 59_999), t(29, 7)],
    [t(24), t(0)],
    [t(13.5, 1), t(13.25, 999)],
    [t(48, 500), new Date(Date.now() + 7 * 86400_000)],
  ];
}

/**
 * Every rollup-backed function against its raw formula, over every range and several buckets, in one transaction
 * so that now() (where open intervals end) is the same instant for both.
 */
export async function expectSameAsRaw(client: pg.ClientBase): Promise<number> {
  const q = query(client);
  await client.query('begin');
  try {
    return await compareAll(q);
  } finally {
    await client.query('rollback');
  }
}

async function compareAll(q: Query): Promise<number> {
  let compared = 0;
  for (const [from, to] of ranges()) {
    for (const bucket of [0, 60, 300, 3600, 45]) {
      const raw = await q(RAW_QUEUE_STATS, [from, to, bucket]);
      expectSameRows(
        await q(QUEUE_STATS, [from, to, bucket]),
        raw,
        `queue_stats ${from.toISOString()} ${to.toISOString()} ${bucket}`,
      );
      compared += raw.length;
      const rawCalls = await q(RAW_CALLS, [from, to, bucket]);
      expectSameRows(await q(CALLS, [from, to, bucket]), rawCalls, `calls_per_interval ${bucket}`);
      compared += rawCalls.length;
    }
    const rawAgents = await q(RAW_AGENTS, [from, to]);
    expectSameRows(await q(AGENTS, [from, to]), rawAgents, `agent_stats ${from.toISOString()} ${to.toISOString()}`);
    const rawAht = await q(RAW_AHT, [from, to]);
    expectSameRows(await q(AHT, [from, to]), rawAht, 'queue_aht');
    const rawTimeline = await q(RAW_TIMELINE, [from, to]);
    expectSameRows(await q(TIMELINE, [from, to]), rawTimeline, 'agent_timeline');
    compared += rawAgents.length + rawAht.length + rawTimeline.length;
    const rawTotals = await q(RAW_TOTALS, [from, to]);
    expectSameRows(await q(TOTALS, [from, to]), rawTotals, `agent_totals ${from.toISOString()} ${to.toISOString()}`);
    // a few agents (and one with no history): the per-agent table and the timeline of a $agent selection
    const some = [...new Set(rawAgents.map((r) => r.agent_id as string))]
      .filter((_, i) => i % 3 === 0)
      .concat(['nobody']);
    const rawSome = await q(RAW_AGENTS_SOME, [from, to, some]);
    expectSameRows(await q(AGENTS_SOME, [from, to, some]), rawSome, 'agent_stats for some agents');
    const rawTimelineSome = await q(RAW_TIMELINE_SOME, [from, to, some]);
    expectSameRows(await q(TIMELINE_SOME, [from, to, some]), rawTimelineSome, 'agent_timeline for some agents');
    compared += rawTotals.length + rawSome.length + rawTimelineSome.length;
    for (const bucket of [0, 60, 300, 3600]) {
      const raw = await q(RAW_TIMELINE_BUCKETS, [from, to, some, bucket]);
      expectSameRows(
        await q(TIMELINE_BUCKETS, [from, to, some, bucket]),
        raw,
        `agent_timeline for some agents, bucket ${bucket}`,
      );
      if (bucket === 0) expect(raw.length).toBe(rawTimelineSome.length);
      compared += raw.length;
    }
  }
  return compared;
}

/** The incrementally maintained rollups equal a rebuild from scratch. */
export async function expectSameAsRebuild(client: pg.ClientBase): Promise<void> {
  const q = query(client);
  const snapshot = async () => ({
    queue: await q('select * from metrics.queue_rollup order by width, bucket, queue'),
    arrival: await q('select * from metrics.arrival_rollup order by width, bucket, queue'),
    aht: await q('select * from metrics.queue_aht_rollup order by width, bucket, queue'),
    facts: await q('select * from metrics.agent_fact order by id'),
    last: await q('select * from metrics.agent_last order by agent_id'),
    agentRollup: await q('select * from metrics.agent_rollup order by width, bucket'),
  });
  const incremental = await snapshot();
  await client.query('begin');
  try {
    await client.query(`select public.metrics_queue_rebuild(null), public.metrics_arrival_rebuild()`);
    await client.query(`delete from metrics.agent_fact; delete from metrics.agent_last`);
    await client.query(`insert into metrics.agent_fact select * from public.metrics_agent_fact_compute(
      array(select distinct agent_id from agent_state_change), null, null)`);
    await client.query(`insert into metrics.agent_last select distinct on (agent_id) *
      from metrics.agent_fact order by agent_id, started_at desc, id desc`);
    await client.query(`select public.metrics_queue_aht_rebuild()`);
    await client.query(`select public.metrics_agent_rollup_rebuild()`);
    const rebuilt = await snapshot();
    expect(incremental.facts.length).toBeGreaterThan(1000);
    expectSameRows(incremental.queue, rebuilt.queue, 'queue_rollup');
    expectSameRows(incremental.arrival, rebuilt.arrival, 'arrival_rollup');
    expectSameRows(incremental.aht, rebuilt.aht, 'queue_aht_rollup');
    expectSameRows(incremental.facts, rebuilt.facts, 'agent_fact');
    expectSameRows(incremental.last, rebuilt.last, 'agent_last');
    expect(incremental.agentRollup.length).toBeGreaterThan(100);
    expectSameRows(incremental.agentRollup, rebuilt.agentRollup, 'agent_rollup');
  } finally {
    await client.query('rollback');
  }
}

export type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

export function query(client: pg.ClientBase): Query {
  return async (sql, params = []) => (await client.query(sql, params)).rows as Row[];
}
