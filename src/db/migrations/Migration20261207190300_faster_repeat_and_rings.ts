import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 4: the same figures as Migration20261207190000's `repeat_callers` and 190200's `ring_outcomes`,
 * read in one range scan each instead of one probe per row. Measured by the panel benchmark at 100,000 calls over
 * 30 days (BENCH_RUNS=3), the probes took 5.5 s (repeat callers) and 3.6 s (rings) for 7 days: a caller with many
 * calls, or an agent's next row found through (agent_id, at) without the id, made each probe read far more than one
 * row. Now each is a window function over the rows of the range (and, for repeat callers, the 7 days after it):
 * `lead()` per caller by arrival, per agent by (at, id). A ring's outcome is its agent's next row, which comes
 * within seconds; rows up to a day after the range are read so that an offer at its very end still finds it.
 */
export class Migration20261207190300_faster_repeat_and_rings extends Migration {
  override up(): void {
    this.addSql(`create or replace function metrics.repeat_callers(p_from timestamptz, p_to timestamptz,
        p_queues text[] default null)
      returns table (queue varchar, calls bigint, repeated_24h bigint, repeated_7d bigint,
                     repeat_rate_24h double precision, repeat_rate_7d double precision)
      language sql stable security definer set search_path = pg_catalog, public as $$
        with w as (
          select c.queue, c.arrived_at,
                 lead(c.arrived_at) over (partition by c.from_id order by c.arrived_at, c.id) as next_at
          from call c
          where c.arrived_at >= p_from and c.arrived_at < p_to + interval '7 days'
            and c.from_id is not null and c.from_id <> ''
        ), c as (
          select w.queue, w.arrived_at,
                 case when w.next_at <= w.arrived_at + interval '7 days' then w.next_at end as next_at
          from w
          where w.arrived_at < p_to and metrics.in_queues(w.queue, p_queues)
        )
        select c.queue, count(*), count(*) filter (where c.next_at <= c.arrived_at + interval '24 hours'),
               count(c.next_at),
               (count(*) filter (where c.next_at <= c.arrived_at + interval '24 hours'))::double precision / count(*),
               count(c.next_at)::double precision / count(*)
        from c group by c.queue
      $$;`);
    this.addSql(`create or replace function metrics.ring_outcomes(p_from timestamptz, p_to timestamptz,
        p_agents text[] default null)
      returns table (agent_id varchar, offers bigint, taken bigint, not_answered bigint, cancelled bigint,
                     expired bigint, other bigint)
      language sql stable as $$
        with w as (
          select r.agent_id, r.state, r.at,
                 lead(r.state) over (partition by r.agent_id order by r.at, r.id) as next_state,
                 lead(r.reason) over (partition by r.agent_id order by r.at, r.id) as next_reason
          from metrics.agent_state_row r
          where r.at >= p_from and r.at < p_to + interval '1 day'
            and (p_agents is null or cardinality(p_agents) = 0 or r.agent_id = any (p_agents))
        )
        select w.agent_id, count(*),
               count(*) filter (where w.next_state = 'onCall'),
               count(*) filter (where w.next_state is distinct from 'onCall'
                                  and w.next_reason in ('missedOffer', 'missedOffers')),
               count(*) filter (where w.next_state is distinct from 'onCall' and w.next_reason = 'offerCancelled'),
               count(*) filter (where w.next_state is distinct from 'onCall' and w.next_reason = 'reservationExpired'),
               count(*) filter (where w.next_state is null or (w.next_state <> 'onCall' and (w.next_reason is null
                 or w.next_reason not in ('missedOffer', 'missedOffers', 'offerCancelled', 'reservationExpired'))))
        from w
        where w.state = 'reserved' and w.at < p_to
        group by w.agent_id
      $$;`);
  }

  override down(): void {
    throw new Error('Migration20261207190300_faster_repeat_and_rings: restore 190000/190200 function bodies by hand');
  }
}
