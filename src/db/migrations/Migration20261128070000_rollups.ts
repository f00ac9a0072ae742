import { Migration } from '@mikro-orm/migrations';
import { Migration20261128030000_metrics } from './Migration20261128030000_metrics.js';

/**
 * A queue-keyed rollup whose minute rows are counted from source rows and whose hour and day rows are re-summed
 * from the next smaller width: the arrival and queue AHT rollups. Their refresh and rebuild functions are generated
 * from this description (the same SQL text as when they were written out one by one).
 */
interface BucketRollup {
  /** rollup table in the metrics schema */
  table: string;
  /** refresh function: recomputes given (queue, 60 s bucket) keys */
  refresh: string;
  /** rebuild function: recomputes everything */
  rebuild: string;
  /** a refresh's minute values after (60, k.b, k.q), with their from/join over the keys k */
  refreshMinute: string;
  /** a rebuild's minute rows */
  rebuildMinute: string;
  /** the larger widths' values, re-summed from rollup rows r */
  sums: string;
}

const ARRIVAL: BucketRollup = {
  table: 'arrival_rollup',
  refresh: 'metrics_arrival_refresh',
  rebuild: 'metrics_arrival_rebuild',
  refreshMinute: `count(*)
              from (select distinct q, b from metrics_refresh_keys) k
              join call c on c.arrived_at >= k.b and c.arrived_at < k.b + interval '60 seconds' and c.queue is not distinct from k.q`,
  rebuildMinute: `select 60, to_timestamp(floor(extract(epoch from c.arrived_at) / 60) * 60), c.queue, count(*) from call c group by 2, 3;`,
  sums: 'sum(r.calls)',
};

const QUEUE_AHT: BucketRollup = {
  table: 'queue_aht_rollup',
  refresh: 'metrics_queue_aht_refresh',
  rebuild: 'metrics_queue_aht_rebuild',
  refreshMinute: `count(*), sum(f.handle_seconds)
              from (select distinct q, b from metrics_refresh_keys) k
              join metrics.agent_fact f on f.started_at >= k.b and f.started_at < k.b + interval '60 seconds'
                and f.queue is not distinct from k.q and f.state = 'onCall' and f.handled = 1`,
  rebuildMinute: `select 60, to_timestamp(floor(extract(epoch from f.started_at) / 60) * 60), f.queue, count(*), sum(f.handle_seconds)
          from metrics.agent_fact f where f.state = 'onCall' and f.handled = 1 group by 2, 3;`,
  sums: 'sum(r.handled), sum(r.handle_seconds)',
};

/** The widths by loop index w (1 = 60 s, 2 = 1 h, 3 = 1 day). */
const WIDTHS = '(array[60, 3600, 86400])';

function bucketRefreshFunction(r: BucketRollup): string {
  return `create function public.${r.refresh}(p_queue varchar[], p_bucket timestamptz[])
      returns void language plpgsql as $$
      begin
        if p_bucket is null then return; end if;
        perform pg_advisory_xact_lock(hashtextextended('switchboard.${r.table}:' || q, 0))
          from (select distinct coalesce(q, '') as q from unnest(p_queue) q order by 1) x;
        create temp table if not exists metrics_refresh_keys (q varchar(100), b timestamptz) on commit drop;
        truncate metrics_refresh_keys;
        insert into metrics_refresh_keys select distinct q, b from unnest(p_queue, p_bucket) u(q, b);
        for w in 1 .. 3 loop
          if w > 1 then
            update metrics_refresh_keys set b = to_timestamp(floor(extract(epoch from b) / (case w when 2 then 3600 else 86400 end))
                                                             * (case w when 2 then 3600 else 86400 end));
          end if;
          delete from metrics.${r.table} r using (select distinct q, b from metrics_refresh_keys) k
            where r.width = ${WIDTHS}[w] and r.bucket = k.b and r.queue is not distinct from k.q;
          if w = 1 then
            insert into metrics.${r.table}
              select 60, k.b, k.q, ${r.refreshMinute}
              group by k.b, k.q;
          else
            insert into metrics.${r.table}
              select ${WIDTHS}[w], k.b, k.q, ${r.sums}
              from (select distinct q, b from metrics_refresh_keys) k
              join metrics.${r.table} r on r.width = ${WIDTHS}[w - 1] and r.bucket >= k.b
                and r.bucket < k.b + make_interval(secs => ${WIDTHS}[w]) and r.queue is not distinct from k.q
              group by k.b, k.q;
          end if;
        end loop;
      end $$;`;
}

function bucketRebuildFunction(r: BucketRollup): string {
  return `create function public.${r.rebuild}()
      returns void language plpgsql as $$
      begin
        delete from metrics.${r.table};
        insert into metrics.${r.table}
          ${r.rebuildMinute}
        for w in 2 .. 3 loop
          insert into metrics.${r.table}
            select ${WIDTHS}[w],
                   to_timestamp(floor(extract(epoch from r.bucket) / ${WIDTHS}[w]) * ${WIDTHS}[w]),
                   r.queue, ${r.sums}
            from metrics.${r.table} r where r.width = ${WIDTHS}[w - 1]
            group by 2, 3;
        end loop;
      end $$;`;
}

/**
 * Rollups that keep every panel fast on 10 million calls, maintained synchronously by statement-level triggers, so
 * every metric stays correct to the call (today included) with the formulas and signatures of
 * Migration20261128030000_metrics unchanged. docs/metrics.md ("Rollups") describes the design.
 *
 * Queue side (tables keyed by width and bucket start; widths 60 s, 1 h, 1 day, aligned to the UTC epoch):
 * - metrics.queue_rollup     per queue and queued_at bucket: queued, answered, answered within the threshold,
 *                            abandoned, callbacks, Σ wait of answered, max wait   (queue_stats, queue_totals)
 * - metrics.arrival_rollup   per queue (NULL = never queued) and arrived_at bucket: calls   (calls_per_interval)
 * - metrics.queue_aht_rollup per queue of the onCall row and its start bucket: handled, Σ handle seconds (queue_aht)
 * A range is split by metrics.rollup_pieces into whole buckets (read from the rollups, largest first) and at most
 * two partial edges under 60 s (read from the raw rows), so any range and any time-series bucket that is a whole
 * number of minutes is exact.
 *
 * Agent side: metrics.agent_fact holds one row per agent_state_change row: its interval (the lead() values of
 * metrics.agent_interval), its own contribution (handled, handle seconds, talk, wrap-up, ready, missed offer; closed
 * intervals only) and the running sums of those contributions over the agent's earlier rows. Any agent metric over
 * [from, to) is then "value at to − value at from", each read from one row per agent (the interval containing the
 * instant) plus the clipped part of that interval: exact at any instant, with no edge buckets. metrics.agent_last
 * lists each agent's last row (the open interval).
 *
 * Correctness: every change to call, callback, queue_setting and agent_state_change recomputes, in the same
 * transaction, exactly the buckets and agent rows it touches, from the raw rows (not by adding deltas), under a
 * transaction-scoped advisory lock per queue / agent, so concurrent writers serialize on the few rows they share and
 * each recomputation sees the other's committed rows (READ COMMITTED: each statement takes a new snapshot).
 */
export class Migration20261128070000_rollups extends Migration {
  override async up(): Promise<void> {
    // No writes while the rollups are built and the triggers installed: nothing can slip between the two.
    this.addSql(`lock table "call", "callback", "queue_setting", "agent_state_change" in share row exclusive mode;`);
    this.addSql(`set local work_mem = '256MB';`);

    this.addSql(`create table metrics.queue_rollup (
      width int not null, bucket timestamptz not null, queue varchar(100) null,
      queued bigint not null, answered bigint not null, answered_within bigint not null, abandoned bigint not null,
      callbacks bigint not null, wait_answered double precision not null, max_wait double precision null
    );`);
    this.addSql(
      `create unique index queue_rollup_key on metrics.queue_rollup (width, bucket, queue) nulls not distinct;`,
    );
    this.addSql(`create table metrics.arrival_rollup (
      width int not null, bucket timestamptz not null, queue varchar(100) null, calls bigint not null
    );`);
    this.addSql(
      `create unique index arrival_rollup_key on metrics.arrival_rollup (width, bucket, queue) nulls not distinct;`,
    );
    this.addSql(`create table metrics.queue_aht_rollup (
      width int not null, bucket timestamptz not null, queue varchar(100) null, handled bigint not null,
      handle_seconds numeric not null
    );`);
    this.addSql(
      `create unique index queue_aht_rollup_key on metrics.queue_aht_rollup (width, bucket, queue) nulls not distinct;`,
    );

    this.addSql(`create table metrics.agent_fact (
      id bigint primary key, agent_id varchar(100) not null, state varchar(20) not null, queue varchar(100) null,
      started_at timestamptz not null, ended_at timestamptz null, next_state varchar(20) null, next_seconds numeric null,
      handled int not null, handle_seconds numeric not null, talk numeric not null, wrap numeric not null,
      ready numeric not null, missed int not null,
      cum_handled bigint not null, cum_handle_seconds numeric not null, cum_talk numeric not null,
      cum_wrap numeric not null, cum_ready numeric not null, cum_missed bigint not null
    );`);
    // Each agent's last fact (its open interval), with all its columns: most ranges end after it, so it is value(to)
    // without an index probe.
    this.addSql(`create table metrics.agent_last (like metrics.agent_fact);`);
    this.addSql(`alter table metrics.agent_last add primary key (agent_id);`);

    // Indexes for the raw edges: a call's callbacks are probed by call_id (callback_call_id_index exists).

    /*
     * The facts of one queued call, as metrics.call_fact defines them, with the callback test as an index probe
     * per call instead of a hash of the whole callback table: the rollup refresh and the edges read a few calls.
     */
    this.addSql(`create view metrics.call_fact_probe as
      select c.id, c.queue, c.queued_at,
             coalesce(s.sl_threshold_seconds, 20) as sl_threshold_seconds,
             cb.is_callback,
             (c.connected_at is not null) as is_answered,
             (c.outcome = 'abandoned' and c.connected_at is null and not cb.is_callback) as is_abandoned,
             case when c.connected_at is not null then extract(epoch from c.connected_at - c.queued_at)
                  else coalesce(c.wait_seconds, extract(epoch from c.ended_at - c.queued_at)) end as wait_seconds
      from call c
      left join queue_setting s on s.queue = c.queue
      cross join lateral (select exists (select 1 from callback b where b.call_id = c.id) as is_callback) cb
      where c.queued_at is not null;`);

    /*
     * Splits [from, to) into whole buckets of the given widths (largest first; each must divide the next larger)
     * and the raw remainder (width 0): at most two raw pieces, each shorter than the smallest width.
     */
    this.addSql(`create function metrics.rollup_pieces(p_from timestamptz, p_to timestamptz, p_widths int[])
      returns table (width int, piece_from timestamptz, piece_to timestamptz)
      language plpgsql immutable rows 8 as $$
      declare
        segs timestamptz[];
        nxt timestamptz[];
        w int;
        i int;
        f timestamptz;
        t timestamptz;
        a timestamptz;
        b timestamptz;
      begin
        if p_from is null or p_to is null or p_from >= p_to then return; end if;
        segs := array[p_from, p_to];
        if isfinite(p_from) and isfinite(p_to) then
          foreach w in array coalesce((select array_agg(x order by x desc) from unnest(p_widths) x where x > 0), '{}') loop
            nxt := '{}';
            for i in 1 .. coalesce(array_length(segs, 1), 0) / 2 loop
              f := segs[2 * i - 1];
              t := segs[2 * i];
              a := to_timestamp(ceil(extract(epoch from f) / w) * w);
              b := to_timestamp(floor(extract(epoch from t) / w) * w);
              if a < b then
                width := w; piece_from := a; piece_to := b;
                return next;
                if f < a then nxt := nxt || array[f, a]; end if;
                if b < t then nxt := nxt || array[b, t]; end if;
              else
                nxt := nxt || array[f, t];
              end if;
            end loop;
            segs := nxt;
          end loop;
        end if;
        for i in 1 .. coalesce(array_length(segs, 1), 0) / 2 loop
          width := 0; piece_from := segs[2 * i - 1]; piece_to := segs[2 * i];
          return next;
        end loop;
      end $$;`);

    // ---- queue rollups: refresh of given 60 s buckets, then of their hours and days ----
    this.addSql(`create function public.metrics_queue_refresh(p_queue varchar[], p_bucket timestamptz[])
      returns void language plpgsql as $$
      begin
        if p_bucket is null then return; end if;
        perform pg_advisory_xact_lock(hashtextextended('switchboard.queue_rollup:' || q, 0))
          from (select distinct coalesce(q, '') as q from unnest(p_queue) q order by 1) x;
        create temp table if not exists metrics_refresh_keys (q varchar(100), b timestamptz) on commit drop;
        truncate metrics_refresh_keys;
        insert into metrics_refresh_keys select distinct q, b from unnest(p_queue, p_bucket) u(q, b);
        delete from metrics.queue_rollup r using metrics_refresh_keys k
          where r.width = 60 and r.bucket = k.b and r.queue is not distinct from k.q;
        insert into metrics.queue_rollup
          select 60, k.b, k.q, count(*), count(*) filter (where cf.is_answered),
                 count(*) filter (where cf.is_answered and cf.wait_seconds <= cf.sl_threshold_seconds),
                 count(*) filter (where cf.is_abandoned), count(*) filter (where cf.is_callback),
                 coalesce(sum(cf.wait_seconds) filter (where cf.is_answered), 0), max(cf.wait_seconds)
          from metrics_refresh_keys k
          join metrics.call_fact_probe cf on cf.queued_at >= k.b and cf.queued_at < k.b + interval '60 seconds'
            and cf.queue is not distinct from k.q
          group by k.b, k.q;
        perform public.metrics_queue_rollup_up(3600, 60);
        perform public.metrics_queue_rollup_up(86400, 3600);
      end $$;`);
    // Re-sums the buckets of width p_width that contain the refreshed keys from the rows of width p_from_width.
    this.addSql(`create function public.metrics_queue_rollup_up(p_width int, p_from_width int)
      returns void language plpgsql as $$
      begin
        update metrics_refresh_keys set b = to_timestamp(floor(extract(epoch from b) / p_width) * p_width);
        delete from metrics.queue_rollup r using (select distinct q, b from metrics_refresh_keys) k
          where r.width = p_width and r.bucket = k.b and r.queue is not distinct from k.q;
        insert into metrics.queue_rollup
          select p_width, k.b, k.q, sum(r.queued), sum(r.answered), sum(r.answered_within), sum(r.abandoned),
                 sum(r.callbacks), sum(r.wait_answered), max(r.max_wait)
          from (select distinct q, b from metrics_refresh_keys) k
          join metrics.queue_rollup r on r.width = p_from_width and r.bucket >= k.b
            and r.bucket < k.b + make_interval(secs => p_width) and r.queue is not distinct from k.q
          group by k.b, k.q;
      end $$;`);
    for (const r of [ARRIVAL, QUEUE_AHT]) this.addSql(bucketRefreshFunction(r));

    // Whole rebuilds (the backfill below, a changed threshold, a truncated table): same formulas, set-based.
    this.addSql(`create function public.metrics_queue_rebuild(p_queues varchar[])
      returns void language plpgsql as $$
      begin
        delete from metrics.queue_rollup where p_queues is null or queue = any (p_queues);
        insert into metrics.queue_rollup
          select 60, to_timestamp(floor(extract(epoch from cf.queued_at) / 60) * 60), cf.queue, count(*),
                 count(*) filter (where cf.is_answered),
                 count(*) filter (where cf.is_answered and cf.wait_seconds <= cf.sl_threshold_seconds),
                 count(*) filter (where cf.is_abandoned), count(*) filter (where cf.is_callback),
                 coalesce(sum(cf.wait_seconds) filter (where cf.is_answered), 0), max(cf.wait_seconds)
          from metrics.call_fact cf where p_queues is null or cf.queue = any (p_queues)
          group by 2, 3;
        for w in 2 .. 3 loop
          insert into metrics.queue_rollup
            select (array[60, 3600, 86400])[w],
                   to_timestamp(floor(extract(epoch from r.bucket) / (array[60, 3600, 86400])[w]) * (array[60, 3600, 86400])[w]),
                   r.queue, sum(r.queued), sum(r.answered), sum(r.answered_within), sum(r.abandoned), sum(r.callbacks),
                   sum(r.wait_answered), max(r.max_wait)
            from metrics.queue_rollup r
            where r.width = (array[60, 3600, 86400])[w - 1] and (p_queues is null or r.queue = any (p_queues))
            group by 2, 3;
        end loop;
      end $$;`);
    for (const r of [ARRIVAL, QUEUE_AHT]) this.addSql(bucketRebuildFunction(r));

    /*
     * Agent facts of each given agent from its start row onward (rows ordered by at, id; the start row is given as
     * (at, id), '-infinity' = the agent's first row), with the running sums continued from the fact row before it.
     * The intervals are metrics.agent_interval's: lead() over the agent's rows from the start row to the last.
     */
    this
      .addSql(`create function public.metrics_agent_fact_compute(p_agents varchar[], p_at timestamptz[], p_id bigint[])
      returns setof metrics.agent_fact language sql stable as $$
        with st as (
          select s.agent_id, coalesce(s.s_at, '-infinity') as s_at, coalesce(s.s_id, 0) as s_id
          from unnest(p_agents, p_at, p_id) as s(agent_id, s_at, s_id)),
        base as (
          select st.agent_id, st.s_at, st.s_id,
                 coalesce(b.cum_handled + b.handled, 0) as h0, coalesce(b.cum_handle_seconds + b.handle_seconds, 0) as hs0,
                 coalesce(b.cum_talk + b.talk, 0) as t0, coalesce(b.cum_wrap + b.wrap, 0) as w0,
                 coalesce(b.cum_ready + b.ready, 0) as r0, coalesce(b.cum_missed + b.missed, 0) as m0
          from st left join lateral (
            select f.* from metrics.agent_fact f
            where f.agent_id = st.agent_id and (f.started_at, f.id) < (st.s_at, st.s_id)
            order by f.started_at desc, f.id desc limit 1) b on true
        ),
        iv as (
          select r.id, r.agent_id, r.state, r.queue, r.at as started_at,
                 lead(r.at) over w as ended_at, lead(r.state) over w as next_state,
                 extract(epoch from lead(r.at, 2) over w - lead(r.at) over w) as next_seconds,
                 r.h0, r.hs0, r.t0, r.w0, r.r0, r.m0
          from (
            -- the backfill (no start positions): every row, in one scan, sums from zero
            select r.id, r.agent_id, r.state, r.queue, r.at, 0::bigint as h0, 0::numeric as hs0, 0::numeric as t0,
                   0::numeric as w0, 0::numeric as r0, 0::bigint as m0
            from agent_state_change r where p_at is null
            union all
            -- a refresh: each agent's rows from its start row, through the (agent_id, at) index
            select r.id, r.agent_id, r.state, r.queue, r.at, b.h0, b.hs0, b.t0, b.w0, b.r0, b.m0
            from base b cross join lateral (
              select r.* from agent_state_change r where r.agent_id = b.agent_id and (r.at, r.id) >= (b.s_at, b.s_id)) r
            where p_at is not null) r
          window w as (partition by r.agent_id order by r.at, r.id)
        ),
        c as (
          select iv.*, extract(epoch from iv.ended_at - iv.started_at) as seconds,
                 (iv.state = 'onCall' and iv.ended_at is not null) as closed_call
          from iv
        ),
        o as (
          select c.id, c.agent_id, c.state, c.queue, c.started_at, c.ended_at, c.next_state, c.next_seconds,
                 c.h0, c.hs0, c.t0, c.w0, c.r0, c.m0,
                 c.closed_call::int as handled,
                 case when c.closed_call
                      then c.seconds + case when c.next_state = 'wrapUp' then coalesce(c.next_seconds, 0) else 0 end
                      else 0 end as handle_seconds,
                 case when c.closed_call then c.seconds else 0 end as talk,
                 case when c.state = 'wrapUp' and c.ended_at is not null then c.seconds else 0 end as wrap,
                 case when c.state in ('available', 'reserved') and c.ended_at is not null then c.seconds else 0 end as ready,
                 (c.state = 'reserved' and c.next_state is not null and c.next_state <> 'onCall')::int as missed
          from c
        )
        select o.id, o.agent_id, o.state, o.queue, o.started_at, o.ended_at, o.next_state, o.next_seconds,
               o.handled, o.handle_seconds, o.talk, o.wrap, o.ready, o.missed,
               o.h0 + coalesce(sum(o.handled) over p, 0), o.hs0 + coalesce(sum(o.handle_seconds) over p, 0),
               o.t0 + coalesce(sum(o.talk) over p, 0), o.w0 + coalesce(sum(o.wrap) over p, 0),
               o.r0 + coalesce(sum(o.ready) over p, 0), o.m0 + coalesce(sum(o.missed) over p, 0)
        from o
        window p as (partition by o.agent_id order by o.started_at, o.id rows between unbounded preceding and 1 preceding)
      $$;`);

    /*
     * After rows of these agents changed at these positions: recompute each agent's facts from the second row
     * before its earliest changed position (that row's next_seconds and the previous row's end may have changed)
     * to its last row, refresh agent_last, and the queue AHT buckets of every onCall fact that changed.
     */
    this.addSql(`create function public.metrics_agent_refresh(p_agents varchar[], p_at timestamptz[], p_id bigint[])
      returns void language plpgsql as $$
      declare
        s_agent varchar[]; s_at timestamptz[]; s_id bigint[];
        k_queue varchar[]; k_bucket timestamptz[];
      begin
        if p_agents is null then return; end if;
        perform pg_advisory_xact_lock(hashtextextended('switchboard.agent_fact:' || a, 0))
          from (select distinct a from unnest(p_agents) a order by 1) x;
        select array_agg(c.agent_id), array_agg(coalesce(sp.at, '-infinity')), array_agg(coalesce(sp.id, 0))
          into s_agent, s_at, s_id
        from (select distinct on (u.agent_id) u.agent_id, u.at, u.id from unnest(p_agents, p_at, p_id) u(agent_id, at, id)
              order by u.agent_id, u.at, u.id) c
        left join lateral (
          select t.at, t.id from (
            select r.at, r.id from agent_state_change r
            where r.agent_id = c.agent_id and (r.at, r.id) < (c.at, c.id)
            order by r.at desc, r.id desc limit 2) t
          order by t.at, t.id limit 1) sp on true;

        create temp table if not exists metrics_agent_old (queue varchar(100), started_at timestamptz, handled int, handle_seconds numeric) on commit drop;
        create temp table if not exists metrics_agent_new (queue varchar(100), started_at timestamptz, handled int, handle_seconds numeric) on commit drop;
        truncate metrics_agent_old, metrics_agent_new;
        with d as (
          delete from metrics.agent_fact f where f.id in (
            select x.id from unnest(s_agent, s_at, s_id) st(agent_id, s_at, s_id)
            cross join lateral (select g.id from metrics.agent_fact g
                                where g.agent_id = st.agent_id and (g.started_at, g.id) >= (st.s_at, st.s_id)) x)
          returning f.state, f.queue, f.started_at, f.handled, f.handle_seconds)
        insert into metrics_agent_old select d.queue, d.started_at, d.handled, d.handle_seconds from d where d.state = 'onCall';
        with i as (
          insert into metrics.agent_fact select * from public.metrics_agent_fact_compute(s_agent, s_at, s_id)
          returning state, queue, started_at, handled, handle_seconds)
        insert into metrics_agent_new select i.queue, i.started_at, i.handled, i.handle_seconds from i where i.state = 'onCall';

        delete from metrics.agent_last where agent_id = any (s_agent);
        insert into metrics.agent_last
          select l.*
          from (select distinct a from unnest(s_agent) a) g
          cross join lateral (select f.* from metrics.agent_fact f
                              where f.agent_id = g.a order by f.started_at desc, f.id desc limit 1) l;

        select array_agg(x.queue), array_agg(to_timestamp(floor(extract(epoch from x.started_at) / 60) * 60))
          into k_queue, k_bucket
        from ((select * from metrics_agent_old except select * from metrics_agent_new)
              union (select * from metrics_agent_new except select * from metrics_agent_old)) x;
        perform public.metrics_queue_aht_refresh(k_queue, k_bucket);
      end $$
      -- a refresh touches a few rows per agent: index lookups, never a scan of the whole table (the planner's
      -- estimate for the row comparisons is far too high)
      set work_mem = '64MB' set enable_hashjoin = off set enable_mergejoin = off;`);

    // ---- triggers ----
    this.addSql(`create function public.metrics_call_changed()
      returns trigger language plpgsql as $$
      declare q varchar[]; b timestamptz[]; aq varchar[]; ab timestamptz[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(n.queue), array_agg(to_timestamp(floor(extract(epoch from n.queued_at) / 60) * 60)) into q, b
            from new_rows n where n.queued_at is not null;
          select array_agg(n.queue), array_agg(to_timestamp(floor(extract(epoch from n.arrived_at) / 60) * 60)) into aq, ab
            from new_rows n;
        elsif tg_op = 'DELETE' then
          select array_agg(o.queue), array_agg(to_timestamp(floor(extract(epoch from o.queued_at) / 60) * 60)) into q, b
            from old_rows o where o.queued_at is not null;
          select array_agg(o.queue), array_agg(to_timestamp(floor(extract(epoch from o.arrived_at) / 60) * 60)) into aq, ab
            from old_rows o;
        else
          -- only rows whose metric columns changed
          select array_agg(x.queue), array_agg(to_timestamp(floor(extract(epoch from x.queued_at) / 60) * 60)) into q, b
          from (select o.queue, o.queued_at, n.queue as nq, n.queued_at as nqa
                from old_rows o join new_rows n on n.id = o.id
                where (o.queue, o.queued_at, o.connected_at, o.outcome, o.wait_seconds, o.ended_at)
                      is distinct from (n.queue, n.queued_at, n.connected_at, n.outcome, n.wait_seconds, n.ended_at)) y
          cross join lateral (values (y.queue, y.queued_at), (y.nq, y.nqa)) x(queue, queued_at)
          where x.queued_at is not null;
          select array_agg(x.queue), array_agg(to_timestamp(floor(extract(epoch from x.arrived_at) / 60) * 60)) into aq, ab
          from (select o.queue, o.arrived_at, n.queue as nq, n.arrived_at as na
                from old_rows o join new_rows n on n.id = o.id
                where (o.queue, o.arrived_at) is distinct from (n.queue, n.arrived_at)) y
          cross join lateral (values (y.queue, y.arrived_at), (y.nq, y.na)) x(queue, arrived_at);
        end if;
        perform public.metrics_queue_refresh(q, b);
        perform public.metrics_arrival_refresh(aq, ab);
        return null;
      end $$;`);
    this.addSql(`create function public.metrics_callback_changed()
      returns trigger language plpgsql as $$
      declare q varchar[]; b timestamptz[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (select n.call_id from new_rows n);
        elsif tg_op = 'DELETE' then
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (select o.call_id from old_rows o);
        else
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (
              select x.call_id from old_rows o join new_rows n on n.id = o.id
              cross join lateral (values (o.call_id), (n.call_id)) x(call_id)
              where o.call_id is distinct from n.call_id);
        end if;
        perform public.metrics_queue_refresh(q, b);
        return null;
      end $$;`);
    this.addSql(`create function public.metrics_queue_setting_changed()
      returns trigger language plpgsql as $$
      declare qs varchar[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(n.queue) into qs from new_rows n;
        elsif tg_op = 'DELETE' then
          select array_agg(o.queue) into qs from old_rows o;
        else
          select array_agg(x.queue) into qs from (select o.queue from old_rows o union select n.queue from new_rows n) x;
        end if;
        if qs is not null then
          perform pg_advisory_xact_lock(hashtextextended('switchboard.queue_rollup:' || q, 0))
            from (select distinct coalesce(q, '') as q from unnest(qs) q order by 1) x;
          perform public.metrics_queue_rebuild(qs);
        end if;
        return null;
      end $$;`);
    this.addSql(`create function public.metrics_agent_state_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          perform public.metrics_agent_refresh(array_agg(n.agent_id), array_agg(n.at), array_agg(n.id)) from new_rows n;
        elsif tg_op = 'DELETE' then
          perform public.metrics_agent_refresh(array_agg(o.agent_id), array_agg(o.at), array_agg(o.id)) from old_rows o;
        else
          perform public.metrics_agent_refresh(array_agg(x.agent_id), array_agg(x.at), array_agg(x.id))
          from (select o.agent_id, o.at, o.id from old_rows o union all select n.agent_id, n.at, n.id from new_rows n) x;
        end if;
        return null;
      end $$;`);
    this.addSql(`create function public.metrics_truncated()
      returns trigger language plpgsql as $$
      begin
        if tg_table_name = 'call' then
          truncate metrics.queue_rollup, metrics.arrival_rollup;
        elsif tg_table_name = 'callback' then
          perform public.metrics_queue_rebuild(null);
        else
          truncate metrics.agent_fact, metrics.agent_last, metrics.queue_aht_rollup;
        end if;
        return null;
      end $$;`);

    for (const [table, fn] of [
      ['call', 'metrics_call_changed'],
      ['callback', 'metrics_callback_changed'],
      ['queue_setting', 'metrics_queue_setting_changed'],
      ['agent_state_change', 'metrics_agent_state_changed'],
    ] as const) {
      this.addSql(`create trigger "${table}_metrics_insert" after insert on "${table}" referencing new table as new_rows
        for each statement execute function public.${fn}();`);
      this
        .addSql(`create trigger "${table}_metrics_update" after update on "${table}" referencing old table as old_rows new table as new_rows
        for each statement execute function public.${fn}();`);
      this.addSql(`create trigger "${table}_metrics_delete" after delete on "${table}" referencing old table as old_rows
        for each statement execute function public.${fn}();`);
      if (table !== 'queue_setting') {
        this.addSql(`create trigger "${table}_metrics_truncate" after truncate on "${table}"
          for each statement execute function public.metrics_truncated();`);
      }
    }

    // ---- backfill ----
    this.addSql(`select public.metrics_queue_rebuild(null);`);
    this.addSql(`select public.metrics_arrival_rebuild();`);
    this.addSql(`insert into metrics.agent_fact
      select * from public.metrics_agent_fact_compute(
        array(select distinct agent_id from agent_state_change), null, null);`);
    this.addSql(`create index agent_fact_agent_started_index on metrics.agent_fact (agent_id, started_at, id);`);
    this.addSql(`create index agent_fact_started_index on metrics.agent_fact (started_at);`);
    // handled calls by start: the queue AHT refresh and the edges of queue_aht
    this.addSql(
      `create index agent_fact_handled_started_index on metrics.agent_fact (started_at) where state = 'onCall' and handled = 1;`,
    );
    this.addSql(`insert into metrics.agent_last
      select l.* from (select distinct agent_id from agent_state_change) g
      cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = g.agent_id
                          order by f.started_at desc, f.id desc limit 1) l;`);
    this.addSql(`select public.metrics_queue_aht_rebuild();`);
    this.addSql(
      `analyze metrics.queue_rollup; analyze metrics.arrival_rollup; analyze metrics.queue_aht_rollup; analyze metrics.agent_fact; analyze metrics.agent_last;`,
    );

    // ---- the metric functions, same signatures and formulas, reading the rollups ----
    this.addSql(`create or replace function metrics.queue_stats(
        p_from timestamptz, p_to timestamptz, p_bucket_seconds double precision default 0, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, queued bigint, answered bigint, answered_within bigint,
                     abandoned bigint, callbacks bigint, service_level double precision,
                     service_level_abandoned double precision, asa_seconds double precision,
                     abandonment_rate double precision, max_wait_seconds double precision)
      language sql stable as $$
        with pc as (
          -- rollup widths usable for this bucket: each rollup bucket must fall inside one output bucket
          select * from metrics.rollup_pieces(p_from, p_to, array(
            select w from unnest(array[86400, 3600, 60]) w
            where coalesce(p_bucket_seconds, 0) <= 0 or p_bucket_seconds::numeric % w = 0))
        ), r as (
          select x.bucket as t, x.queue, x.queued, x.answered, x.answered_within, x.abandoned, x.callbacks,
                 x.wait_answered, x.max_wait
          -- lateral, fenced by offset 0 so it is not flattened: one index range scan per piece, never a scan
          from pc cross join lateral (
            select x.* from metrics.queue_rollup x
            where x.width = pc.width and x.bucket >= pc.piece_from and x.bucket < pc.piece_to offset 0) x
          where pc.width > 0 and (p_queues is null or cardinality(p_queues) = 0 or x.queue = any (p_queues))
          union all
          -- (a NULL test counts as false, as count(*) filter (where …) does)
          select cf.queued_at, cf.queue, 1, coalesce(cf.is_answered, false)::int,
                 coalesce(cf.is_answered and cf.wait_seconds <= cf.sl_threshold_seconds, false)::int,
                 coalesce(cf.is_abandoned, false)::int, coalesce(cf.is_callback, false)::int,
                 case when cf.is_answered then cf.wait_seconds else 0 end, cf.wait_seconds
          from pc cross join lateral (
            select cf.* from metrics.call_fact_probe cf where cf.queued_at >= pc.piece_from and cf.queued_at < pc.piece_to offset 0) cf
          where pc.width = 0 and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
        ), f as (
          select case when coalesce(p_bucket_seconds, 0) > 0
                      then to_timestamp(floor(extract(epoch from r.t) / p_bucket_seconds) * p_bucket_seconds)
                      else p_from end as bucket,
                 r.*
          from r
        )
        select bucket, queue, sum(queued)::bigint, sum(answered)::bigint, sum(answered_within)::bigint,
               sum(abandoned)::bigint, sum(callbacks)::bigint,
               sum(answered_within)::double precision / nullif(sum(answered), 0),
               sum(answered_within)::double precision / nullif(sum(answered) + sum(abandoned), 0),
               sum(wait_answered) / nullif(sum(answered), 0),
               sum(abandoned)::double precision / nullif(sum(queued), 0),
               max(max_wait)
        from f group by bucket, queue
        having sum(queued) > 0
      $$;`);

    this.addSql(`create or replace function metrics.calls_per_interval(
        p_from timestamptz, p_to timestamptz, p_bucket_seconds double precision, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, calls bigint)
      language sql stable as $$
        with pc as (
          select * from metrics.rollup_pieces(p_from, p_to, array(
            select w from unnest(array[86400, 3600, 60]) w where greatest(p_bucket_seconds, 1)::numeric % w = 0))
        ), r as (
          select x.bucket as t, x.queue, x.calls
          from pc cross join lateral (
            select x.* from metrics.arrival_rollup x
            where x.width = pc.width and x.bucket >= pc.piece_from and x.bucket < pc.piece_to offset 0) x
          where pc.width > 0 and (p_queues is null or cardinality(p_queues) = 0 or x.queue = any (p_queues))
          union all
          select c.arrived_at, c.queue, 1
          from pc cross join lateral (
            select c.* from metrics.call_arrival c where c.arrived_at >= pc.piece_from and c.arrived_at < pc.piece_to offset 0) c
          where pc.width = 0 and (p_queues is null or cardinality(p_queues) = 0 or c.queue = any (p_queues))
        )
        select to_timestamp(floor(extract(epoch from r.t) / greatest(p_bucket_seconds, 1)) * greatest(p_bucket_seconds, 1)),
               coalesce(r.queue, '(none)')::varchar, sum(r.calls)::bigint
        from r group by 1, 2
      $$;`);

    /*
     * Agent statistics (formulas of Migration20261128030000_metrics) as value(to) − value(from) per agent. value(x)
     * comes from the agent's last fact row starting before x: its running sums plus its own counts (counted by
     * start) plus, for time, its interval clipped at x (an open interval ends at now()). An agent is listed when an
     * interval overlaps the range; a zero-length interval starting exactly at `from` is outside the range (the
     * overlap rule), so its counts are taken back out.
     */
    this.addSql(`create or replace function metrics.agent_stats(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, calls_handled bigint, talk_seconds double precision,
                     wrap_seconds double precision, available_seconds double precision, aht_seconds double precision,
                     occupancy double precision, missed_offers bigint)
      language sql stable as $$
        with p as (
          -- value(to) (sign 1) and value(from) (sign -1) rows: the agent's last fact when it starts before the
          -- instant (no lookup), else its last fact before the instant (one index probe)
          select a.agent_id, 1 as sign, 1 as present, p_to as x, a.state, a.started_at, a.ended_at, a.handled, a.handle_seconds, a.missed, a.cum_handled,
                 a.cum_handle_seconds, a.cum_talk, a.cum_wrap, a.cum_ready, a.cum_missed
          from metrics.agent_last a where a.started_at < p_to
          union all
          select a.agent_id, 1, 1, p_to, t.state, t.started_at, t.ended_at, t.handled, t.handle_seconds, t.missed, t.cum_handled,
                 t.cum_handle_seconds, t.cum_talk, t.cum_wrap, t.cum_ready, t.cum_missed
          from metrics.agent_last a
          cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = a.agent_id and f.started_at < p_to
                              order by f.started_at desc, f.id desc limit 1) t
          where a.started_at >= p_to and coalesce(t.ended_at, 'infinity') > p_from
          union all
          select a.agent_id, -1, 0, p_from, a.state, a.started_at, a.ended_at, a.handled, a.handle_seconds, a.missed, a.cum_handled,
                 a.cum_handle_seconds, a.cum_talk, a.cum_wrap, a.cum_ready, a.cum_missed
          from metrics.agent_last a where a.started_at < p_from and p_from < p_to
          union all
          select a.agent_id, -1, 0, p_from, t.state, t.started_at, t.ended_at, t.handled, t.handle_seconds, t.missed, t.cum_handled,
                 t.cum_handle_seconds, t.cum_talk, t.cum_wrap, t.cum_ready, t.cum_missed
          from metrics.agent_last a
          cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = a.agent_id and f.started_at < p_from
                              order by f.started_at desc, f.id desc limit 1) t
          where a.started_at >= p_from and p_from < p_to
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

    // AHT per queue of the onCall row: whole buckets from queue_aht_rollup, the edges from the facts.
    this
      .addSql(`create or replace function metrics.queue_aht(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (queue varchar, calls_handled bigint, aht_seconds double precision)
      language sql stable as $$
        with pc as (select * from metrics.rollup_pieces(p_from, p_to, array[86400, 3600, 60])),
        r as (
          select x.queue, x.handled, x.handle_seconds
          from pc cross join lateral (
            select x.* from metrics.queue_aht_rollup x
            where x.width = pc.width and x.bucket >= pc.piece_from and x.bucket < pc.piece_to offset 0) x
          where pc.width > 0 and (p_queues is null or cardinality(p_queues) = 0 or x.queue = any (p_queues))
          union all
          select f.queue, f.handled, f.handle_seconds
          from pc cross join lateral (
            select f.* from metrics.agent_fact f
            where f.started_at >= pc.piece_from and f.started_at < pc.piece_to and f.state = 'onCall' and f.handled = 1 offset 0) f
          where pc.width = 0 and (p_queues is null or cardinality(p_queues) = 0 or f.queue = any (p_queues))
        )
        select r.queue, sum(r.handled)::bigint, (sum(r.handle_seconds) / nullif(sum(r.handled), 0))::double precision
        from r group by r.queue having sum(r.handled) > 0
      $$;`);

    // State timeline: the facts starting in the range, plus each agent's interval open at `from`.
    this.addSql(`create or replace function metrics.agent_timeline(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, state varchar, started_at timestamptz, ended_at timestamptz)
      language sql stable as $$
        select f.agent_id, f.state, f.started_at, f.ended_at
        from metrics.agent_fact f
        where f.started_at >= p_from and f.started_at < p_to and coalesce(f.ended_at, 'infinity') > p_from
        union all
        select a.agent_id, a.state, a.started_at, a.ended_at
        from metrics.agent_last a where a.started_at < p_from and p_from < p_to
        union all
        select t.agent_id, t.state, t.started_at, t.ended_at
        from metrics.agent_last a
        cross join lateral (select f.* from metrics.agent_fact f where f.agent_id = a.agent_id and f.started_at < p_from
                            order by f.started_at desc, f.id desc limit 1) t
        where a.started_at >= p_from and coalesce(t.ended_at, 'infinity') > p_from and p_from < p_to
      $$;`);

    // agent_interval_range: the agents from agent_last instead of a loose index scan.
    this.addSql(`create or replace function metrics.agent_interval_range(p_from timestamptz, p_to timestamptz)
      returns table (agent_id varchar, state varchar, reason varchar, queue varchar, call_id varchar,
                     started_at timestamptz, ended_at timestamptz, seconds double precision, next_state varchar,
                     next_seconds double precision)
      language sql stable as $$
        with agents as (select a.agent_id from metrics.agent_last a),
        rows as (
          select r.* from metrics.agent_state_row r where r.at >= p_from and r.at < p_to
          union all
          select b.* from agents g cross join lateral (
            select r.* from metrics.agent_state_row r where r.agent_id = g.agent_id and r.at < p_from
            order by r.at desc, r.id desc limit 1) b
          union all
          select n.* from agents g cross join lateral (
            select r.* from metrics.agent_state_row r where r.agent_id = g.agent_id and r.at >= p_to
            order by r.at, r.id limit 2) n
        ), w as (
          select r.agent_id, r.state, r.reason, r.queue, r.call_id, r.at as started_at,
                 lead(r.at) over w as ended_at,
                 extract(epoch from lead(r.at) over w - r.at)::double precision as seconds,
                 lead(r.state) over w as next_state,
                 extract(epoch from lead(r.at, 2) over w - lead(r.at) over w)::double precision as next_seconds
          from rows r
          window w as (partition by r.agent_id collate "C" order by r.at, r.id)
        )
        select * from w where w.started_at < p_to
      $$ set work_mem = '64MB';`);

    // The reader reads the rollups and calls the new functions; the maintenance functions are the writer's.
    this.addSql(`grant select on metrics.queue_rollup, metrics.arrival_rollup, metrics.queue_aht_rollup,
      metrics.agent_fact, metrics.agent_last, metrics.call_fact_probe to switchboard_reader;`);
    this.addSql(`revoke execute on function metrics.rollup_pieces(timestamptz, timestamptz, int[]) from public;`);
    this.addSql(
      `grant execute on function metrics.rollup_pieces(timestamptz, timestamptz, int[]) to switchboard_reader;`,
    );
    for (const fn of [
      'metrics_queue_refresh(varchar[], timestamptz[])',
      'metrics_queue_rollup_up(int, int)',
      'metrics_arrival_refresh(varchar[], timestamptz[])',
      'metrics_queue_aht_refresh(varchar[], timestamptz[])',
      'metrics_queue_rebuild(varchar[])',
      'metrics_arrival_rebuild()',
      'metrics_queue_aht_rebuild()',
      'metrics_agent_fact_compute(varchar[], timestamptz[], bigint[])',
      'metrics_agent_refresh(varchar[], timestamptz[], bigint[])',
      'metrics_call_changed()',
      'metrics_callback_changed()',
      'metrics_queue_setting_changed()',
      'metrics_agent_state_changed()',
      'metrics_truncated()',
    ]) {
      this.addSql(`revoke execute on function public.${fn} from public;`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['call', 'callback', 'queue_setting', 'agent_state_change']) {
      for (const op of ['insert', 'update', 'delete', 'truncate'])
        this.addSql(`drop trigger if exists "${table}_metrics_${op}" on "${table}";`);
    }
    for (const fn of [
      'metrics_call_changed()',
      'metrics_callback_changed()',
      'metrics_queue_setting_changed()',
      'metrics_agent_state_changed()',
      'metrics_truncated()',
      'metrics_agent_refresh(varchar[], timestamptz[], bigint[])',
      'metrics_agent_fact_compute(varchar[], timestamptz[], bigint[])',
      'metrics_queue_refresh(varchar[], timestamptz[])',
      'metrics_queue_rollup_up(int, int)',
      'metrics_arrival_refresh(varchar[], timestamptz[])',
      'metrics_queue_aht_refresh(varchar[], timestamptz[])',
      'metrics_queue_rebuild(varchar[])',
      'metrics_arrival_rebuild()',
      'metrics_queue_aht_rebuild()',
    ]) {
      this.addSql(`drop function if exists public.${fn};`);
    }
    // The metric functions go back to the metrics migration's raw definitions (same signatures), then the
    // rollups they no longer read are dropped.
    const metrics = new Migration20261128030000_metrics(this.driver, this.config);
    await metrics.up();
    const rewritten = [
      'queue_stats',
      'calls_per_interval',
      'agent_stats',
      'queue_aht',
      'agent_timeline',
      'agent_interval_range',
    ];
    for (const sql of metrics.getQueries()) {
      if (
        typeof sql === 'string' &&
        rewritten.some((fn) => sql.startsWith(`create or replace function metrics.${fn}(`))
      )
        this.addSql(sql);
    }
    this.addSql(`drop function if exists metrics.rollup_pieces(timestamptz, timestamptz, int[]);`);
    this.addSql(`drop view if exists metrics.call_fact_probe;`);
    this.addSql(`drop table if exists metrics.queue_rollup, metrics.arrival_rollup, metrics.queue_aht_rollup,
      metrics.agent_fact, metrics.agent_last;`);
  }
}
