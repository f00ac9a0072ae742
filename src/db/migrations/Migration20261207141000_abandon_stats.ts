import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 4: the standard abandon and transfer figures per queue, by `queued_at` (docs/metrics.md).
 *
 * `metrics.abandon_stats(from, to, queues, within_seconds)`: per queue, queued, abandoned (short abandons out, as in
 * call_fact), the mean time callers waited before abandoning, how many abandoned within `within_seconds`, the short
 * abandons, and the calls the queue transferred out (outcome `transferredOut`: the queue's timeout, overflow or
 * no-agents action sent the caller to a number or a person) with their share of queued. Read from the raw rows
 * (metrics.call_fact_probe, through the (queued_at, queue) index): meant for ranges of days, not months.
 */
export class Migration20261207141000_abandon_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create view metrics.call_outcome as select id, outcome from call;`);
    this
      .addSql(`create function metrics.abandon_stats(p_from timestamptz, p_to timestamptz, p_queues text[] default null,
        p_within_seconds double precision default 10)
      returns table (queue varchar, queued bigint, abandoned bigint, avg_abandon_seconds double precision,
                     abandoned_within bigint, short_abandons bigint, transferred_out bigint,
                     transfer_rate double precision)
      language sql stable as $$
        select cf.queue, count(*), count(*) filter (where cf.is_abandoned),
               (avg(cf.wait_seconds) filter (where cf.is_abandoned))::double precision,
               count(*) filter (where cf.is_abandoned and cf.wait_seconds <= p_within_seconds),
               count(*) filter (where cf.is_short_abandon),
               count(*) filter (where c.outcome = 'transferredOut'),
               (count(*) filter (where c.outcome = 'transferredOut'))::double precision / count(*)
        from metrics.call_fact_probe cf
        join metrics.call_outcome c on c.id = cf.id
        where cf.queued_at >= p_from and cf.queued_at < p_to
          and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
        group by cf.queue
      $$;`);
    this.addSql(`grant select on metrics.call_outcome to switchboard_reader;`);
    const fn = 'metrics.abandon_stats(timestamptz, timestamptz, text[], double precision)';
    this.addSql(`revoke execute on function ${fn} from public;`);
    this.addSql(`grant execute on function ${fn} to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists metrics.abandon_stats(timestamptz, timestamptz, text[], double precision);`);
    this.addSql(`drop view if exists metrics.call_outcome;`);
  }
}
