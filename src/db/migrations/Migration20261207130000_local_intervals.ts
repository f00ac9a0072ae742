import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 5: interval reports in the contact center's time zone.
 *
 * `metrics.queue_stats` buckets by the UTC epoch: its hours are 30 minutes off in India (UTC+05:30) and its
 * 30-minute intervals 15 minutes off in Nepal (UTC+05:45). `metrics.queue_intervals(from, to, minutes, zone,
 * queues)` gives the same figures per interval of `minutes` (15, 30, 60, … up to a day) starting on the zone's wall
 * clock: each row's `time` is the instant the interval starts there. It regroups queue_stats' exact minute rows
 * (whole minutes from the rollups, the edges from the raw rows), since every zone's offset is a whole number of
 * minutes. On a daylight-saving day the intervals follow the wall clock: the hour the clocks skip has no interval,
 * and the hour they repeat is two intervals (the same local time at two offsets), never one of two hours. `zone` is
 * an IANA name ('Asia/Kolkata'); Postgres refuses an unknown one ("time zone … not recognized").
 */
export class Migration20261207130000_local_intervals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function metrics.queue_intervals(p_from timestamptz, p_to timestamptz, p_minutes int,
        p_zone text, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, queued bigint, answered bigint, answered_within bigint,
                     abandoned bigint, service_level double precision, service_level_abandoned double precision,
                     asa_seconds double precision, abandonment_rate double precision)
      language sql stable as $$
        with m as (
          select s.*, s."time" at time zone p_zone as local
          from metrics.queue_stats(p_from, p_to, 60, p_queues) s
          where p_minutes between 1 and 1440
        ), l as (
          select m.*, date_bin(make_interval(mins => p_minutes), m.local, timestamp '2000-01-01') as bin from m
        ), c as (
          -- the interval's start at this minute's own offset, so that a repeated local hour stays two intervals
          select l.*, l."time" - (l.local - l.bin) as cand from l
        ), b as (
          -- unless the offset changed inside the interval (a day, or an interval the clocks change in): then its
          -- start is the wall-clock start
          select c.*, case when c.cand at time zone p_zone = c.bin then c.cand else c.bin at time zone p_zone end as bucket
          from c
        )
        select b.bucket, b.queue, sum(b.queued)::bigint, sum(b.answered)::bigint, sum(b.answered_within)::bigint,
               sum(b.abandoned)::bigint,
               sum(b.answered_within)::double precision / nullif(sum(b.answered), 0),
               sum(b.answered_within)::double precision / nullif(sum(b.answered) + sum(b.abandoned), 0),
               sum(b.asa_seconds * b.answered) / nullif(sum(b.answered), 0),
               sum(b.abandoned)::double precision / nullif(sum(b.queued), 0)
        from b group by b.bucket, b.queue
      $$;`);
    this.addSql(
      `revoke execute on function metrics.queue_intervals(timestamptz, timestamptz, int, text, text[]) from public;`,
    );
    this.addSql(
      `grant execute on function metrics.queue_intervals(timestamptz, timestamptz, int, text, text[]) to switchboard_reader;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists metrics.queue_intervals(timestamptz, timestamptz, int, text, text[]);`);
  }
}
