import { Migration } from '@mikro-orm/migrations';
import { Migration20261128090000_agent_rollups } from './Migration20261128090000_agent_rollups.js';

/**
 * The two agent panels still slower than 100 ms on 10 million calls (docs/metrics.md, "Agent panels"):
 *
 * State timeline: metrics.agent_timeline(from, to, agents, bucket_seconds) gives, per agent and bucket of
 * `bucket_seconds` (the panel passes Grafana's $__interval; buckets aligned to the UTC epoch like $__timeGroup),
 * one row: the first change in the bucket (clipped to `from`) with the state held longest, among the intervals
 * starting in the bucket, within the bucket (Σ per state, clipped to the bucket, the range and, for the open interval,
 * now(); ties go to the state that starts first). A bucket holding one change gives that change exactly, so a range
 * short enough that no bucket holds two changes gives every interval as before; `bucket_seconds` ≤ 0 or NULL gives
 * every interval. A 7-day range in 1-hour buckets is ≤ 168 rows per agent whatever the number of changes.
 *
 * Agents table: agent_stats(from, to, agents) redefined with the same formulas and rows, in one pass (below).
 * The reader may execute the new agent_timeline overload and nothing else new; down() drops it and puts back the
 * agent rollups migration's agent_stats(from, to, agents).
 */
export class Migration20261128100000_agent_panels extends Migration {
  override async up(): Promise<void> {
    this
      .addSql(`create function metrics.agent_timeline(p_from timestamptz, p_to timestamptz, p_agents text[], p_bucket_seconds double precision)
      returns table (agent_id varchar, "time" timestamptz, state varchar)
      language sql stable as $$
        with i as (
          select t.agent_id, t.state, greatest(t.started_at, p_from) as s,
                 least(coalesce(t.ended_at, least(now(), p_to)), p_to) as e, t.started_at, t.ended_at
          from metrics.agent_timeline(p_from, p_to, p_agents) t
        ), b as (
          select i.*, floor(extract(epoch from i.s) / p_bucket_seconds) as k
          from i where coalesce(p_bucket_seconds, 0) > 0
        ), g as (
          select b.agent_id, b.k, b.state, min(b.s) as first_s,
                 sum(greatest(0, extract(epoch from least(b.e, to_timestamp((b.k + 1) * p_bucket_seconds)) - b.s))) as held
          from b group by b.agent_id, b.k, b.state
        ), w as (
          select distinct on (g.agent_id, g.k) g.agent_id, g.k, g.state
          from g order by g.agent_id, g.k, g.held desc, g.first_s, g.state
        )
        select w.agent_id, f.first_s, w.state
        from w join (select g.agent_id, g.k, min(g.first_s) as first_s from g group by g.agent_id, g.k) f
          on f.agent_id = w.agent_id and f.k = w.k
        union all
        select i.agent_id, i.s, i.state from i where coalesce(p_bucket_seconds, 0) <= 0
      $$;`);

    /*
     * Agents table: the agent_rollups migration's agent_stats(from, to, agents) — value(to) − value(from) per agent,
     * from one fact each (agent_last, or a probe by (agent_id, started_at, id)) — computed in one pass over the
     * selected agents: each agent's row at `to` and at `from` are lateral single-row lookups side by side, instead of
     * four unioned scans of agent_last grouped back by agent. Same formulas, same rows.
     */
    const value = (x: string) => `f.cum_handled + f.handled as h, f.cum_handle_seconds + f.handle_seconds as hs,
                 f.cum_missed + f.missed as m, f.ended_at,
                 f.cum_talk + case when f.state = 'onCall' then k.s else 0 end as talk,
                 f.cum_wrap + case when f.state = 'wrapUp' then k.s else 0 end as wrap,
                 f.cum_ready + case when f.state in ('available', 'reserved') then k.s else 0 end as ready
               from FACT cross join lateral (
                 select greatest(0, extract(epoch from least(${x}, coalesce(f.ended_at, now())) - f.started_at)) as s) k`;
    const at = (x: string, cond: string) => `(
            select ${value(x).replace(
              'FACT',
              `(select a.state, a.started_at, a.ended_at, a.handled, a.handle_seconds, a.missed, a.cum_handled,
                     a.cum_handle_seconds, a.cum_talk, a.cum_wrap, a.cum_ready, a.cum_missed) f`,
            )}
            where a.started_at < ${x} ${cond}
            union all
            select ${value(x).replace(
              'FACT',
              `(select g.state, g.started_at, g.ended_at, g.handled, g.handle_seconds, g.missed, g.cum_handled,
                     g.cum_handle_seconds, g.cum_talk, g.cum_wrap, g.cum_ready, g.cum_missed
                   from metrics.agent_fact g
                   where a.started_at >= ${x} ${cond} and g.agent_id = a.agent_id and g.started_at < ${x}
                   order by g.started_at desc, g.id desc limit 1) f`,
            )})`;
    this.addSql(`create or replace function metrics.agent_stats(p_from timestamptz, p_to timestamptz, p_agents text[])
      returns table (agent_id varchar, calls_handled bigint, talk_seconds double precision,
                     wrap_seconds double precision, available_seconds double precision, aht_seconds double precision,
                     occupancy double precision, missed_offers bigint)
      language sql stable as $$
        with z as (
          -- a zero-length interval starting exactly at from does not overlap the range: its counts are not in it
          select f.agent_id, sum(f.handled) as h, sum(f.handle_seconds) as hs, sum(f.missed) as m
          from metrics.agent_fact f where f.started_at = p_from and f.ended_at = p_from and p_from < p_to
          group by f.agent_id
        ), s as (
          select a.agent_id,
                 t.h - coalesce(b.h, 0) - coalesce(z.h, 0) as h, t.hs - coalesce(b.hs, 0) - coalesce(z.hs, 0) as hs,
                 t.m - coalesce(b.m, 0) - coalesce(z.m, 0) as m, t.talk - coalesce(b.talk, 0) as talk,
                 t.wrap - coalesce(b.wrap, 0) as wrap, t.ready - coalesce(b.ready, 0) as ready
          from metrics.agent_last a
          -- value(to): listed when its interval at \`to\` overlaps the range
          cross join lateral ${at('p_to', '')} t
          -- value(from)
          left join lateral ${at('p_from', 'and p_from < p_to')} b on true
          left join z on z.agent_id = a.agent_id
          where (p_agents is null or a.agent_id = any (p_agents)) and coalesce(t.ended_at, 'infinity') > p_from
        )
        select s.agent_id, s.h::bigint, s.talk::double precision, s.wrap::double precision, s.ready::double precision,
               (s.hs / nullif(s.h, 0))::double precision,
               ((s.talk + s.wrap) / nullif(s.talk + s.wrap + s.ready, 0))::double precision, s.m::bigint
        from s
      $$;`);

    this.addSql(
      `revoke execute on function metrics.agent_timeline(timestamptz, timestamptz, text[], double precision) from public;`,
    );
    this.addSql(
      `grant execute on function metrics.agent_timeline(timestamptz, timestamptz, text[], double precision) to switchboard_reader;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists metrics.agent_timeline(timestamptz, timestamptz, text[], double precision);`);
    // agent_stats(from, to, agents) goes back to the agent rollups migration's definition
    const previous = new Migration20261128090000_agent_rollups(this.driver, this.config);
    await previous.up();
    const stats = previous
      .getQueries()
      .find(
        (q) =>
          typeof q === 'string' &&
          q.startsWith('create function metrics.agent_stats(p_from timestamptz, p_to timestamptz, p_agents text[])'),
      );
    if (typeof stats !== 'string')
      throw new Error('agent_stats(from, to, agents) not found in the agent rollups migration');
    this.addSql(stats.replace('create function', 'create or replace function'));
  }
}
