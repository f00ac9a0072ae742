import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 5: the time-series charts bucket on the contact center's wall clock too.
 *
 * The charts ("Service level over time", "Calls per interval" and the like) grouped by Grafana's interval on the UTC
 * epoch: hourly buckets in India (UTC+05:30) started 30 minutes off the interval table, a daily bucket was UTC's day.
 * Grafana's `$__interval` is any length (it depends on the range and the panel's width), so it is first rounded up to
 * a length that divides a local day (`metrics.local_interval_minutes`), then every bucket starts on the zone's wall
 * clock (`metrics.local_bin`), the same rule as `metrics.queue_intervals` (Migration20261207130000_local_intervals):
 * a skipped spring-forward hour has no bucket, a repeated fall-back hour is two, and a day bucket is the local day
 * (23 or 25 hours on a daylight-saving day). Longer than a day is a day: the chart has more points, never wrong ones.
 *
 * - `metrics.local_interval_minutes(bucket_seconds)`: 1, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720 or 1440.
 * - `metrics.local_bin(at, minutes, zone)`: the instant the local interval holding `at` starts.
 * - `metrics.calls_per_local_interval(from, to, bucket_seconds, zone, queues)`: arrivals per local interval (what
 *   `metrics.calls_per_interval` gives per UTC bucket), from its exact minute rows (every zone's offset is whole
 *   minutes). The service-level, ASA and abandonment charts read `metrics.queue_intervals` with the rounded length.
 */
export class Migration20261208010000_local_series extends Migration {
  override up(): void {
    this.addSql(`create function metrics.local_interval_minutes(p_bucket_seconds double precision) returns int
      language sql immutable as $$
        select coalesce(
          (select m from unnest(array[1, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440]) m
           where m * 60 >= coalesce(p_bucket_seconds, 0) order by m limit 1),
          1440)
      $$;`);
    // One expression (no CTE), so that Postgres inlines it into the queries that call it per row. `bin` is the local
    // interval's wall-clock start; the candidate is the start at this instant's own offset (a repeated local hour
    // stays two intervals), unless the offset changed inside the interval (a day, or the interval the clocks change
    // in): then the wall-clock start at its own offset.
    const local = `(p_at at time zone p_zone)`;
    const bin = `date_bin(make_interval(mins => p_minutes), ${local}, timestamp '2000-01-01')`;
    const candidate = `(p_at - (${local} - ${bin}))`;
    this.addSql(`create function metrics.local_bin(p_at timestamptz, p_minutes int, p_zone text) returns timestamptz
      language sql stable as $$
        select case when ${candidate} at time zone p_zone = ${bin} then ${candidate} else ${bin} at time zone p_zone end
      $$;`);
    this.addSql(`create function metrics.calls_per_local_interval(p_from timestamptz, p_to timestamptz,
        p_bucket_seconds double precision, p_zone text, p_queues text[] default null)
      returns table ("time" timestamptz, queue varchar, calls bigint)
      language sql stable as $$
        select metrics.local_bin(c."time", metrics.local_interval_minutes(p_bucket_seconds), p_zone), c.queue,
               sum(c.calls)::bigint
        from metrics.calls_per_interval(p_from, p_to, 60, p_queues) c
        group by 1, 2
      $$;`);
    for (const fn of [
      'metrics.local_interval_minutes(double precision)',
      'metrics.local_bin(timestamptz, int, text)',
      'metrics.calls_per_local_interval(timestamptz, timestamptz, double precision, text, text[])',
    ]) {
      this.addSql(`revoke execute on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to switchboard_reader;`);
    }
  }

  override down(): void {
    this.addSql(
      `drop function if exists metrics.calls_per_local_interval(timestamptz, timestamptz, double precision, text, text[]);`,
    );
    this.addSql(`drop function if exists metrics.local_bin(timestamptz, int, text);`);
    this.addSql(`drop function if exists metrics.local_interval_minutes(double precision);`);
  }
}
