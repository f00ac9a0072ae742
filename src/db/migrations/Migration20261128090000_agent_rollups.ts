import { Migration } from '@mikro-orm/migrations';
import { Migration20261128030000_metrics } from './Migration20261128030000_metrics.js';
import { Migration20261128070000_rollups } from './Migration20261128070000_rollups.js';

/** The rollup widths, smallest first: each divides the next (as in Migration20261128070000_rollups). */
export const ROLLUP_WIDTHS = [60, 3600, 86400] as const;

/**
 * SQL that re-sums the rows of `table` of width `width` whose buckets contain the keys of the temp table `keys`
 * (column `b`, already truncated to `width`) from its rows of the next smaller width: `sums` are summed, `maxes`
 * maxed. One statement pair (delete, insert) per width above the smallest; the rollup tables have no queue column
 * here (the agent rollup is global).
 */
export function resumSql(
  table: string,
  keys: string,
  width: number,
  smaller: number,
  sums: string[],
  maxes: string[] = [],
): string {
  const cols = [...sums, ...maxes];
  const aggs = [...sums.map((c) => `sum(r.${c})`), ...maxes.map((c) => `max(r.${c})`)];
  return `update ${keys} set b = to_timestamp(floor(extract(epoch from b) / ${width}) * ${width});
        delete from ${table} r using (select distinct b from ${keys}) k where r.width = ${width} and r.bucket = k.b;
        insert into ${table} (width, bucket, ${cols.join(', ')})
          select ${width}, k.b, ${aggs.join(', ')}
          from (select distinct b from ${keys}) k
          join ${table} r on r.width = ${smaller} and r.bucket >= k.b and r.bucket < k.b + interval '${width} seconds'
          group by k.b;`;
}

/**
 * The rollups migration's metrics_agent_refresh, extended: it already keeps the onCall facts it deletes and inserts
 * (for queue_aht_rollup); it now also keeps every fact of a state that counts for time, and refreshes the
 * agent_rollup minutes of the starts and ends of the facts that differ between the two — once, and only those.
 */
export function agentRefreshWithRollup(original: string): string {
  const edits: [string, string][] = [
    ['create function public.metrics_agent_refresh(', 'create or replace function public.metrics_agent_refresh('],
    [
      'k_queue varchar[]; k_bucket timestamptz[];',
      'k_queue varchar[]; k_bucket timestamptz[]; r_bucket timestamptz[];',
    ],
    [
      'truncate metrics_agent_old, metrics_agent_new;',
      `truncate metrics_agent_old, metrics_agent_new;
        create temp table if not exists metrics_agent_fact_old (state varchar(20), started_at timestamptz, ended_at timestamptz,
          handled int, handle_seconds numeric, missed int) on commit drop;
        create temp table if not exists metrics_agent_fact_new (like metrics_agent_fact_old) on commit drop;
        truncate metrics_agent_fact_old, metrics_agent_fact_new;`,
    ],
    [
      `returning f.state, f.queue, f.started_at, f.handled, f.handle_seconds)
        insert into metrics_agent_old`,
      `returning f.state, f.queue, f.started_at, f.ended_at, f.handled, f.handle_seconds, f.missed),
        e as (insert into metrics_agent_fact_old
              select d.state, d.started_at, d.ended_at, d.handled, d.handle_seconds, d.missed from d
              where d.state in ('onCall', 'wrapUp', 'available', 'reserved'))
        insert into metrics_agent_old`,
    ],
    [
      `returning state, queue, started_at, handled, handle_seconds)
        insert into metrics_agent_new`,
      `returning state, queue, started_at, ended_at, handled, handle_seconds, missed),
        e as (insert into metrics_agent_fact_new
              select i.state, i.started_at, i.ended_at, i.handled, i.handle_seconds, i.missed from i
              where i.state in ('onCall', 'wrapUp', 'available', 'reserved'))
        insert into metrics_agent_new`,
    ],
    [
      'perform public.metrics_queue_aht_refresh(k_queue, k_bucket);',
      `perform public.metrics_queue_aht_refresh(k_queue, k_bucket);

        select array_agg(distinct to_timestamp(floor(extract(epoch from t.t) / 60) * 60)) into r_bucket
        from ((select * from metrics_agent_fact_old except all select * from metrics_agent_fact_new)
              union all (select * from metrics_agent_fact_new except all select * from metrics_agent_fact_old)) x
        cross join lateral (values (x.started_at), (x.ended_at)) t(t)
        where t.t is not null;
        perform public.metrics_agent_rollup_refresh(r_bucket);`,
    ],
  ];
  let sql = original;
  for (const [from, to] of edits) {
    if (!sql.includes(from)) throw new Error(`metrics_agent_refresh: cannot find ${from}`);
    sql = sql.replace(from, to);
  }
  return sql;
}

const SUMS = ['handled', 'handle_seconds', 'missed', 'talk_n', 'talk_t', 'wrap_n', 'wrap_t', 'ready_n', 'ready_t'];

/**
 * Agent rollups: the Agent performance dashboard fast on 10 million calls, formulas unchanged
 * (docs/metrics.md, "Agent rollups").
 *
 * metrics.agent_rollup (width 60 s / 1 h / 1 day, bucket, no agent): a global rollup of the agent-state intervals
 * (metrics.agent_fact) as *events*. Each interval in a state that counts for time — onCall (talk), wrapUp (wrap-up),
 * available or reserved (ready) — is a +1 at its start and, once closed, a −1 at its end; per bucket the rollup
 * keeps, per group, n = Σ sign and t = Σ sign × epoch(event). Then the time all agents spent in a group over
 * [from, to) is exactly
 *     (to − from) × N(from) + to × n[from, to) − t[from, to)
 * where N(from) = Σ n before `from` (the agents in that group at `from`), and both sums are read from whole buckets
 * (metrics.rollup_pieces) plus sub-minute raw edges (metrics.agent_event). Open intervals are what the formulas end
 * at least(now(), to): when `to` is after now() the part after now() is taken back out, from metrics.agent_last.
 * The counts (calls handled, Σ handle time, missed offers) are the facts' own, by their start bucket; a zero-length
 * interval starting exactly at `from` is outside the range (the overlap rule) and is taken back out.
 * So agent_totals reads O(days of history + 2 × 23 hours + 2 × 59 minutes) rows, whatever the number of agents.
 *
 * Maintenance: metrics_agent_refresh (the agent_state_change triggers' refresh, the only writer of agent_fact) is
 * redefined to also compare the facts it deletes and reinserts and to recompute, once, the minutes of the starts and
 * ends of those that changed — from the facts, never deltas — then their hours and days, under a transaction-scoped
 * advisory lock per day, in the writer's transaction. A truncate of agent_fact empties the rollup.
 *
 * Per agent: agent_stats(from, to, agents) and agent_timeline(from, to, agents) take the dashboard's `$agent`
 * selection (metrics.agent_list), with the formulas of the rollups migration; the two-argument agent_stats is
 * the three-argument one for every agent.
 */
export class Migration20261128090000_agent_rollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "agent_state_change" in share row exclusive mode;`);
    this.addSql(`set local work_mem = '256MB';`);

    this.addSql(`create table metrics.agent_rollup (
      width int not null, bucket timestamptz not null,
      handled bigint not null, handle_seconds numeric not null, missed bigint not null,
      talk_n bigint not null, talk_t numeric not null, wrap_n bigint not null, wrap_t numeric not null,
      ready_n bigint not null, ready_t numeric not null
    );`);

    // The events of the intervals: +1 at the start (with the fact's counts), −1 at the end of a closed one.
    this.addSql(`create view metrics.agent_event as
      select f.started_at as t, f.handled, f.handle_seconds, f.missed,
             (f.state = 'onCall')::int as talk_n, case when f.state = 'onCall' then extract(epoch from f.started_at) else 0 end as talk_t,
             (f.state = 'wrapUp')::int as wrap_n, case when f.state = 'wrapUp' then extract(epoch from f.started_at) else 0 end as wrap_t,
             (f.state in ('available', 'reserved'))::int as ready_n,
             case when f.state in ('available', 'reserved') then extract(epoch from f.started_at) else 0 end as ready_t
      from metrics.agent_fact f where f.state in ('onCall', 'wrapUp', 'available', 'reserved')
      union all
      select f.ended_at, 0, 0, 0,
             -(f.state = 'onCall')::int, case when f.state = 'onCall' then -extract(epoch from f.ended_at) else 0 end,
             -(f.state = 'wrapUp')::int, case when f.state = 'wrapUp' then -extract(epoch from f.ended_at) else 0 end,
             -(f.state in ('available', 'reserved'))::int,
             case when f.state in ('available', 'reserved') then -extract(epoch from f.ended_at) else 0 end
      from metrics.agent_fact f where f.ended_at is not null and f.state in ('onCall', 'wrapUp', 'available', 'reserved');`);

    // Agents for the dashboard's $agent variable: every agent that ever changed state.
    this.addSql(`create view metrics.agent_list as select agent_id from metrics.agent_last;`);

    // One statement per minute, run with its bucket as a value (EXECUTE … USING plans it for that value): joined to
    // a key table, the planner estimates a generic range and may skip-scan (agent_id, started_at) over every agent.
    const minuteInsert = (keys: string) => `for k in select distinct b from ${keys} loop
          execute 'insert into metrics.agent_rollup (width, bucket, ${SUMS.join(', ')})
            select 60, $1, ${SUMS.map((c) => `sum(e.${c})`).join(', ')}
            from metrics.agent_event e where e.t >= $1 and e.t < $1 + interval ''60 seconds''
            having count(*) > 0' using k;
        end loop;`;

    // Refresh of given 60 s buckets (recomputed from the facts), then of their hours and days.
    this.addSql(`create function public.metrics_agent_rollup_refresh(p_bucket timestamptz[])
      returns void language plpgsql as $$
      declare k timestamptz;
      begin
        if p_bucket is null or cardinality(p_bucket) = 0 then return; end if;
        perform pg_advisory_xact_lock(hashtextextended('switchboard.agent_rollup:' || d, 0))
          from (select distinct to_timestamp(floor(extract(epoch from b) / 86400) * 86400)::text as d
                from unnest(p_bucket) b order by 1) x;
        create temp table if not exists metrics_agent_rollup_keys (b timestamptz) on commit drop;
        truncate metrics_agent_rollup_keys;
        insert into metrics_agent_rollup_keys select distinct b from unnest(p_bucket) b;
        delete from metrics.agent_rollup r using metrics_agent_rollup_keys k where r.width = 60 and r.bucket = k.b;
        ${minuteInsert('metrics_agent_rollup_keys')}
        ${resumSql('metrics.agent_rollup', 'metrics_agent_rollup_keys', ROLLUP_WIDTHS[1], ROLLUP_WIDTHS[0], SUMS)}
        ${resumSql('metrics.agent_rollup', 'metrics_agent_rollup_keys', ROLLUP_WIDTHS[2], ROLLUP_WIDTHS[1], SUMS)}
      end $$;`);

    // Whole rebuild (the backfill, a truncate), set-based, same definitions.
    this.addSql(`create function public.metrics_agent_rollup_rebuild()
      returns void language plpgsql as $$
      begin
        delete from metrics.agent_rollup;
        insert into metrics.agent_rollup (width, bucket, ${SUMS.join(', ')})
          select 60, to_timestamp(floor(extract(epoch from e.t) / 60) * 60), ${SUMS.map((c) => `sum(e.${c})`).join(', ')}
          from metrics.agent_event e group by 2;
        ${[1, 2]
          .map(
            (i) => `insert into metrics.agent_rollup (width, bucket, ${SUMS.join(', ')})
          select ${ROLLUP_WIDTHS[i]}, to_timestamp(floor(extract(epoch from r.bucket) / ${ROLLUP_WIDTHS[i]}) * ${ROLLUP_WIDTHS[i]}),
                 ${SUMS.map((c) => `sum(r.${c})`).join(', ')}
          from metrics.agent_rollup r where r.width = ${ROLLUP_WIDTHS[i - 1]} group by 2;`,
          )
          .join('\n        ')}
      end $$;`);

    // The agent-state refresh (the only writer of agent_fact) refreshes the minutes whose facts changed.
    const rollups = new Migration20261128070000_rollups(this.driver, this.config);
    await rollups.up();
    const refresh = rollups
      .getQueries()
      .find((q) => typeof q === 'string' && q.startsWith('create function public.metrics_agent_refresh('));
    if (typeof refresh !== 'string') throw new Error('metrics_agent_refresh not found in the rollups migration');
    this.addSql(agentRefreshWithRollup(refresh));
    this.addSql(`create function public.metrics_agent_fact_truncated()
      returns trigger language plpgsql as $$
      begin
        truncate metrics.agent_rollup;
        return null;
      end $$;`);

    /*
     * Every rollup rebuilt from the source tables, set-based (what the migrations' backfills do): for a bulk load
     * written with the metric triggers disabled (`switchboard seed` of many calls). Locks the source tables until
     * the caller's transaction ends, so nothing slips in; the agent facts are reloaded without their indexes and
     * the indexes built afterwards, as the rollups migration does.
     */
    this.addSql(`create function public.metrics_rebuild_all()
      returns void language plpgsql as $$
      begin
        lock table "call", "callback", "queue_setting", "agent_state_change" in share row exclusive mode;
        perform public.metrics_queue_rebuild(null);
        perform public.metrics_arrival_rebuild();
        alter table metrics.agent_fact disable trigger user;
        truncate metrics.agent_fact, metrics.agent_last;
        drop index metrics.agent_fact_agent_started_index, metrics.agent_fact_started_index,
          metrics.agent_fact_handled_started_index, metrics.agent_fact_ended_index;
        insert into metrics.agent_fact
          select * from public.metrics_agent_fact_compute(array(select distinct agent_id from agent_state_change), null, null);
        create index agent_fact_agent_started_index on metrics.agent_fact (agent_id, started_at, id);
        create index agent_fact_started_index on metrics.agent_fact (started_at);
        create index agent_fact_handled_started_index on metrics.agent_fact (started_at) where state = 'onCall' and handled = 1;
        create index agent_fact_ended_index on metrics.agent_fact (ended_at);
        insert into metrics.agent_last
          select distinct on (f.agent_id) f.* from metrics.agent_fact f order by f.agent_id, f.started_at desc, f.id desc;
        alter table metrics.agent_fact enable trigger user;
        perform public.metrics_queue_aht_rebuild();
        perform public.metrics_agent_rollup_rebuild();
        analyze metrics.queue_rollup; analyze metrics.arrival_rollup; analyze metrics.queue_aht_rollup;
        analyze metrics.agent_fact; analyze metrics.agent_last; analyze metrics.agent_rollup;
      end $$ set work_mem = '256MB';`);

    // ---- backfill, then indexes, then the triggers ----
    // a fact's end, for the refresh and the raw edges (the start is agent_fact_started_index)
    this.addSql(`create index agent_fact_ended_index on metrics.agent_fact (ended_at);`);
    this.addSql(`select public.metrics_agent_rollup_rebuild();`);
    this.addSql(`create unique index agent_rollup_key on metrics.agent_rollup (width, bucket);`);
    this.addSql(`analyze metrics.agent_rollup;`);
    this.addSql(`create trigger "agent_fact_rollup_truncate" after truncate on metrics.agent_fact
      for each statement execute function public.metrics_agent_fact_truncated();`);

    /*
     * AHT, occupancy and missed offers of all agents over [from, to): the formulas of agent_stats summed over the
     * agents (as before: Σ handle ÷ Σ handled, Σ(talk + wrap) ÷ Σ(talk + wrap + ready)), from the event rollup.
     * part 0 = the events before `from` (only their n: the agents in each group at `from`), part 1 = the range.
     */
    this.addSql(`create or replace function metrics.agent_totals(p_from timestamptz, p_to timestamptz)
      returns table (calls_handled bigint, aht_seconds double precision, occupancy double precision, missed_offers bigint)
      language sql stable as $$
        with pc as (
          select 0 as part, p.* from metrics.rollup_pieces(
            least(p_from, (select min(x.bucket) from metrics.agent_rollup x where x.width = 86400)), p_from,
            array[86400, 3600, 60]) p
          where p_from < p_to
          union all
          select 1, p.* from metrics.rollup_pieces(p_from, p_to, array[86400, 3600, 60]) p
        ), r as (
          select pc.part, x.handled, x.handle_seconds, x.missed, x.talk_n, x.talk_t, x.wrap_n, x.wrap_t, x.ready_n, x.ready_t
          -- one index range scan per piece (lateral, fenced by offset 0), never a scan of the table
          from pc cross join lateral (
            select x.* from metrics.agent_rollup x
            where x.width = pc.width and x.bucket >= pc.piece_from and x.bucket < pc.piece_to offset 0) x
          where pc.width > 0
          union all
          -- the raw edges (what rollup_pieces leaves under a minute), with bounds computed from the arguments so the
          -- planner sees constants and reads the few events by agent_fact (started_at) and (ended_at)
          select 0, e.handled, e.handle_seconds, e.missed, e.talk_n, e.talk_t, e.wrap_n, e.wrap_t, e.ready_n, e.ready_t
          from metrics.agent_event e
          where e.t >= to_timestamp(floor(extract(epoch from p_from) / 60) * 60) and e.t < p_from and p_from < p_to
          union all
          select 1, e.handled, e.handle_seconds, e.missed, e.talk_n, e.talk_t, e.wrap_n, e.wrap_t, e.ready_n, e.ready_t
          from metrics.agent_event e
          where e.t >= p_from and e.t < least(to_timestamp(ceil(extract(epoch from p_from) / 60) * 60), p_to)
          union all
          select 1, e.handled, e.handle_seconds, e.missed, e.talk_n, e.talk_t, e.wrap_n, e.wrap_t, e.ready_n, e.ready_t
          from metrics.agent_event e
          where e.t >= greatest(to_timestamp(floor(extract(epoch from p_to) / 60) * 60), to_timestamp(ceil(extract(epoch from p_from) / 60) * 60))
            and e.t < p_to
          union all
          -- a zero-length interval starting exactly at from does not overlap the range: its counts are not in it
          select 1, -f.handled, -f.handle_seconds, -f.missed, 0, 0, 0, 0, 0, 0
          from metrics.agent_fact f where f.started_at = p_from and f.ended_at = p_from and p_from < p_to
        ), s as (
          select coalesce(sum(r.handled) filter (where r.part = 1), 0) as h,
                 coalesce(sum(r.handle_seconds) filter (where r.part = 1), 0) as hs,
                 coalesce(sum(r.missed) filter (where r.part = 1), 0) as m,
                 coalesce(sum(r.talk_n) filter (where r.part = 0), 0) as talk_n0,
                 coalesce(sum(r.talk_n) filter (where r.part = 1), 0) as talk_n,
                 coalesce(sum(r.talk_t) filter (where r.part = 1), 0) as talk_t,
                 coalesce(sum(r.wrap_n) filter (where r.part = 0), 0) as wrap_n0,
                 coalesce(sum(r.wrap_n) filter (where r.part = 1), 0) as wrap_n,
                 coalesce(sum(r.wrap_t) filter (where r.part = 1), 0) as wrap_t,
                 coalesce(sum(r.ready_n) filter (where r.part = 0), 0) as ready_n0,
                 coalesce(sum(r.ready_n) filter (where r.part = 1), 0) as ready_n,
                 coalesce(sum(r.ready_t) filter (where r.part = 1), 0) as ready_t
          from r
        ), o as (
          -- open intervals run to least(now(), to) in the formulas, to \`to\` in the integral: the part after now()
          select coalesce(sum(k.after) filter (where a.state = 'onCall'), 0) as talk,
                 coalesce(sum(k.after) filter (where a.state = 'wrapUp'), 0) as wrap,
                 coalesce(sum(k.after) filter (where a.state in ('available', 'reserved')), 0) as ready
          from metrics.agent_last a
          cross join lateral (
            select greatest(0, extract(epoch from p_to - greatest(a.started_at, p_from)))
                   - greatest(0, extract(epoch from least(now(), p_to) - greatest(a.started_at, p_from))) as after) k
          where p_to > now() and p_from < p_to and a.ended_at is null and a.started_at < p_to
            and a.state in ('onCall', 'wrapUp', 'available', 'reserved')
        ), v as (
          select s.h, s.hs, s.m,
                 case when p_from < p_to then w.len * s.talk_n0 + w.t * s.talk_n - s.talk_t - o.talk else 0 end as talk,
                 case when p_from < p_to then w.len * s.wrap_n0 + w.t * s.wrap_n - s.wrap_t - o.wrap else 0 end as wrap,
                 case when p_from < p_to then w.len * s.ready_n0 + w.t * s.ready_n - s.ready_t - o.ready else 0 end as ready
          from s, o, (select extract(epoch from p_to) - extract(epoch from p_from) as len, extract(epoch from p_to) as t) w
        )
        select v.h::bigint, (v.hs / nullif(v.h, 0))::double precision,
               ((v.talk + v.wrap) / nullif(v.talk + v.wrap + v.ready, 0))::double precision, v.m::bigint
        from v
      $$;`);

    /*
     * Per agent, for the selected agents (NULL = every agent): the rollups migration's agent_stats (value(to) −
     * value(from) per agent from agent_fact / agent_last), with the agents filtered first.
     */
    const agentFilter = `(p_agents is null or a.agent_id = any (p_agents))`;
    this.addSql(`create function metrics.agent_stats(p_from timestamptz, p_to timestamptz, p_agents text[])
      returns table (agent_id varchar, calls_handled bigint, talk_seconds double precision,
                     wrap_seconds double precision, available_seconds double precision, aht_seconds double precision,
                     occupancy double precision, missed_offers bigint)
      language sql stable as $$
        with p as (
          select a.agent_id, 1 as sign, 1 as present, p_to as x, a.state, a.started_at, a.ended_at, a.handled, a.handle_seconds, a.missed, a.cum_handled,
                 a.cum_handle_seconds, a.cum_talk, a.cum_wrap, a.cum_ready, a.cum_missed
          from metrics.agent_last a where a.started_at < p_to and ${agentFilter}
          union all
          select a.agent_id, 1, 1, p_to, t.state, t.started_at, t.ended_at, t.handled, t.handle_seconds, t.missed, t.cum_handled,
                 t.cum_handle_seconds, t.cum_talk, t.cum_wrap, t.cum_ready, t.cum_missed
          from metrics.agent_last a
          cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = a.agent_id and f.started_at < p_to
                              order by f.started_at desc, f.id desc limit 1) t
          where a.started_at >= p_to and coalesce(t.ended_at, 'infinity') > p_from and ${agentFilter}
          union all
          select a.agent_id, -1, 0, p_from, a.state, a.started_at, a.ended_at, a.handled, a.handle_seconds, a.missed, a.cum_handled,
                 a.cum_handle_seconds, a.cum_talk, a.cum_wrap, a.cum_ready, a.cum_missed
          from metrics.agent_last a where a.started_at < p_from and p_from < p_to and ${agentFilter}
          union all
          select a.agent_id, -1, 0, p_from, t.state, t.started_at, t.ended_at, t.handled, t.handle_seconds, t.missed, t.cum_handled,
                 t.cum_handle_seconds, t.cum_talk, t.cum_wrap, t.cum_ready, t.cum_missed
          from metrics.agent_last a
          cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = a.agent_id and f.started_at < p_from
                              order by f.started_at desc, f.id desc limit 1) t
          where a.started_at >= p_from and p_from < p_to and ${agentFilter}
        ), v as (
          select p.agent_id, p.present, p.sign * (p.cum_handled + p.handled) as h,
                 p.sign * (p.cum_handle_seconds + p.handle_seconds) as hs, p.sign * (p.cum_missed + p.missed) as m,
                 p.sign * (p.cum_talk + case when p.state = 'onCall' then k.s else 0 end) as talk,
                 p.sign * (p.cum_wrap + case when p.state = 'wrapUp' then k.s else 0 end) as wrap,
                 p.sign * (p.cum_ready + case when p.state in ('available', 'reserved') then k.s else 0 end) as ready
          from p cross join lateral (
            select greatest(0, extract(epoch from least(p.x, coalesce(p.ended_at, now())) - p.started_at)) as s) k
          union all
          select f.agent_id, 0, -f.handled, -f.handle_seconds, -f.missed, 0, 0, 0
          from metrics.agent_fact f where f.started_at = p_from and f.ended_at = p_from and p_from < p_to
        ), s as (
          select v.agent_id, sum(v.h) as h, sum(v.hs) as hs, sum(v.m) as m, sum(v.talk) as talk, sum(v.wrap) as wrap,
                 sum(v.ready) as ready
          from v group by v.agent_id having max(v.present) = 1
        )
        select s.agent_id, s.h::bigint, s.talk::double precision, s.wrap::double precision, s.ready::double precision,
               (s.hs / nullif(s.h, 0))::double precision,
               ((s.talk + s.wrap) / nullif(s.talk + s.wrap + s.ready, 0))::double precision, s.m::bigint
        from s
      $$;`);
    this.addSql(`create or replace function metrics.agent_stats(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, calls_handled bigint, talk_seconds double precision,
                     wrap_seconds double precision, available_seconds double precision, aht_seconds double precision,
                     occupancy double precision, missed_offers bigint)
      language sql stable as $$
        select * from metrics.agent_stats(p_from, p_to, null::text[])
      $$;`);

    // State timeline of the selected agents (NULL = every agent): each one's facts starting in the range, by
    // (agent_id, started_at), plus its interval open at \`from\`.
    this.addSql(`create function metrics.agent_timeline(p_from timestamptz, p_to timestamptz, p_agents text[])
      returns table (agent_id varchar, state varchar, started_at timestamptz, ended_at timestamptz)
      language sql stable as $$
        select t.agent_id, t.state, t.started_at, t.ended_at
        from (select a.agent_id from metrics.agent_last a where ${agentFilter}) g
        cross join lateral (
          select f.agent_id, f.state, f.started_at, f.ended_at
          from metrics.agent_fact f
          where f.agent_id = g.agent_id and f.started_at >= p_from and f.started_at < p_to
            and coalesce(f.ended_at, 'infinity') > p_from
          union all
          select b.agent_id, b.state, b.started_at, b.ended_at
          from (select f.agent_id, f.state, f.started_at, f.ended_at from metrics.agent_fact f
                where f.agent_id = g.agent_id and f.started_at < p_from
                order by f.started_at desc, f.id desc limit 1) b
          where coalesce(b.ended_at, 'infinity') > p_from and p_from < p_to) t
      $$;`);

    /*
     * The dashboards' $queue variable (metrics.queue_list) read the distinct queues of the whole call table: ≈ 1 s
     * at 10 M calls, on every time-range change. The same set comes from the day rows of the arrival rollup (every
     * call is counted there under its queue).
     */
    this.addSql(`create or replace view metrics.queue_threshold as
      -- Service-level threshold per queue: queue_setting.sl_threshold_seconds, else 20 s.
      select q.queue, coalesce(s.sl_threshold_seconds, 20) as sl_threshold_seconds
      from (select distinct r.queue from metrics.arrival_rollup r where r.width = 86400 and r.queue is not null
            union select queue from queue_setting) q
      left join queue_setting s on s.queue = q.queue;`);

    // The reader reads the new views and calls the new functions; nobody else does.
    this.addSql(`grant select on metrics.agent_rollup, metrics.agent_event, metrics.agent_list to switchboard_reader;`);
    for (const fn of [
      'agent_stats(timestamptz, timestamptz, text[])',
      'agent_timeline(timestamptz, timestamptz, text[])',
    ]) {
      this.addSql(`revoke execute on function metrics.${fn} from public;`);
      this.addSql(`grant execute on function metrics.${fn} to switchboard_reader;`);
    }
    for (const fn of [
      'metrics_agent_rollup_refresh(timestamptz[])',
      'metrics_agent_rollup_rebuild()',
      'metrics_agent_fact_truncated()',
      'metrics_rebuild_all()',
    ]) {
      this.addSql(`revoke execute on function public.${fn} from public;`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "agent_fact_rollup_truncate" on metrics.agent_fact;`);
    // metrics_agent_refresh goes back to the rollups migration's definition
    const rollups = new Migration20261128070000_rollups(this.driver, this.config);
    await rollups.up();
    for (const sql of rollups.getQueries()) {
      if (typeof sql === 'string' && sql.startsWith('create function public.metrics_agent_refresh(')) {
        this.addSql(sql.replace('create function', 'create or replace function'));
      }
    }
    for (const fn of [
      'metrics_rebuild_all()',
      'metrics_agent_fact_truncated()',
      'metrics_agent_rollup_refresh(timestamptz[])',
      'metrics_agent_rollup_rebuild()',
    ]) {
      this.addSql(`drop function if exists public.${fn};`);
    }
    this.addSql(`drop function if exists metrics.agent_stats(timestamptz, timestamptz, text[]);`);
    this.addSql(`drop function if exists metrics.agent_timeline(timestamptz, timestamptz, text[]);`);
    // agent_stats goes back to the rollups migration's definition, agent_totals to the metrics migration's.
    const restore = async (m: Migration, fn: string) => {
      await m.up();
      for (const sql of m.getQueries()) {
        if (typeof sql === 'string' && sql.startsWith(`create or replace function metrics.${fn}(`)) this.addSql(sql);
      }
    };
    await restore(new Migration20261128070000_rollups(this.driver, this.config), 'agent_stats');
    const metrics = new Migration20261128030000_metrics(this.driver, this.config);
    await restore(metrics, 'agent_totals');
    for (const sql of metrics.getQueries()) {
      if (typeof sql === 'string' && sql.startsWith('create or replace view metrics.queue_threshold '))
        this.addSql(sql);
    }
    this.addSql(`drop view if exists metrics.agent_list;`);
    this.addSql(`drop view if exists metrics.agent_event;`);
    this.addSql(`drop table if exists metrics.agent_rollup;`);
    this.addSql(`drop index if exists metrics.agent_fact_ended_index;`);
  }
}
