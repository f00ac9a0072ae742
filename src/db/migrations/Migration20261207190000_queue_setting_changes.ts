import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, points 1, 4 and 5: a queue's analytics settings may change at run time, each queue chooses its service
 * level formula, and a configured time zone (the site's, or a queue's own) says where "today" and the intervals start.
 *
 * - `queue_setting` keeps what the queue definitions in code said at the last start-up (`configured`, JSON) apart
 *   from what is in force: start-up (src/db/queue-settings.ts) changes a setting in force only when the code's value
 *   of it changed, so a change made through the admin API (PUT /api/admin/queues/{queue}/settings) survives restarts until
 *   the next release that changes the queue's definition. `changed_by` says who made the change in force ('config',
 *   or the admin's object id); `queue_setting_history` keeps it with each threshold, so the history says who and when.
 * - `sl_formula`: which service level the queue is judged by (docs/metrics.md "Service level formulas"), default
 *   'answered_abandoned' (SL2). `metrics.queue_service_level(from, to, queues)` computes it per queue.
 * - `time_zone`: the queue's own IANA zone; NULL = the site's (`site_setting.time_zone`, written at start-up from
 *   SITE_TIME_ZONE, default UTC). `metrics.queue_zone` gives every queue its zone in force; `metrics.zone_for(queues)`
 *   the zone of a dashboard selection (the queues' zone when they share one, else the site's);
 *   `metrics.local_day_start(at, zone)` the local midnight a wallboard's "today" starts at.
 * - `metrics.repeat_callers(from, to, queues)`: the first-contact-resolution proxy, by caller, over 24 h and 7 days.
 */
export class Migration20261207190000_queue_setting_changes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "queue_setting", "queue_setting_history" in share row exclusive mode;`);
    // A zone Postgres knows (pg_timezone_names, which 'at time zone' accepts), as a check constraint can use it.
    this.addSql(`create function public.is_time_zone(p_zone text) returns boolean
      language plpgsql stable as $$
      begin
        perform now() at time zone p_zone;
        return true;
      exception when invalid_parameter_value then
        return false;
      end $$;`);
    this.addSql(`alter table "queue_setting"
      add column "configured" jsonb null,
      add column "sl_formula" varchar(24) not null default 'answered_abandoned'
        check ("sl_formula" in ('answered', 'answered_abandoned', 'abandons_within_met', 'late_abandons')),
      add column "time_zone" varchar(64) null check ("time_zone" is null or public.is_time_zone("time_zone")),
      add column "changed_by" varchar(120) null;`);
    this.addSql(`update "queue_setting" set "changed_by" = 'config', "configured" = jsonb_build_object(
      'serviceLevelSeconds', "sl_threshold_seconds", 'shortAbandonSeconds', "short_abandon_seconds");`);
    this.addSql(`alter table "queue_setting_history" add column "changed_by" varchar(120) null;`);
    this.addSql(`update "queue_setting_history" set "changed_by" = 'config';`);
    this.addSql(`create table "site_setting" (
      "id" boolean primary key default true check ("id"),
      "time_zone" varchar(64) not null default 'UTC' check (public.is_time_zone("time_zone")),
      "updated_at" timestamptz not null default now()
    );`);
    this.addSql(`insert into "site_setting" default values;`);

    // The history trigger of Migration20261207140000_short_abandons, carrying who made the change.
    this.addSql(`create or replace function public.metrics_queue_setting_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_setting_history (queue, sl_threshold_seconds, short_abandon_seconds, valid_from, changed_by)
            select n.queue, n.sl_threshold_seconds, n.short_abandon_seconds,
                   case when exists (select 1 from queue_setting_history h where h.queue = n.queue)
                        then now() else '-infinity'::timestamptz end,
                   n.changed_by
            from new_rows n
            where not exists (
              select 1 from (select h.sl_threshold_seconds, h.short_abandon_seconds from queue_setting_history h
                             where h.queue = n.queue order by h.valid_from desc limit 1) l
              where l.sl_threshold_seconds = n.sl_threshold_seconds and l.short_abandon_seconds = n.short_abandon_seconds)
          on conflict (queue, valid_from) do update set sl_threshold_seconds = excluded.sl_threshold_seconds,
            short_abandon_seconds = excluded.short_abandon_seconds, changed_by = excluded.changed_by;
        end if;
        return null;
      end $$;`);

    this.addSql(`create function metrics.site_time_zone() returns text
      language sql stable as $$ select coalesce((select time_zone from site_setting), 'UTC') $$;`);
    this.addSql(`create view metrics.queue_zone as
      select q.queue, coalesce(s.time_zone, metrics.site_time_zone()) as time_zone,
             coalesce(s.sl_formula, 'answered_abandoned') as sl_formula
      from metrics.queue_list q left join queue_setting s on s.queue = q.queue;`);
    // One zone for a dashboard's selection: the queues' own when they all have the same, else the site's.
    this.addSql(`create function metrics.zone_for(p_queues text[] default null) returns text
      language sql stable as $$
        select coalesce((select min(z.time_zone) from metrics.queue_zone z
                         where p_queues is null or cardinality(p_queues) = 0 or z.queue = any (p_queues)
                         having count(distinct z.time_zone) = 1), metrics.site_time_zone())
      $$;`);
    // The local midnight of the day `at` falls on in `zone` (a DST day's midnight at that day's own offset).
    this.addSql(`create function metrics.local_day_start(p_at timestamptz, p_zone text) returns timestamptz
      language sql stable as $$ select date_trunc('day', p_at at time zone p_zone) at time zone p_zone $$;`);

    this.addSql(`create function metrics.queue_service_level(p_from timestamptz, p_to timestamptz,
        p_queues text[] default null)
      returns table (queue varchar, sl_formula varchar, answered bigint, answered_within bigint, abandoned bigint,
                     abandoned_within bigint, short_abandons bigint, service_level double precision)
      language sql stable as $$
        with f as (
          select cf.queue, count(*) filter (where cf.is_answered) as answered,
                 count(*) filter (where cf.is_answered and cf.wait_seconds <= cf.sl_threshold_seconds) as within,
                 count(*) filter (where cf.is_abandoned) as abandoned,
                 count(*) filter (where cf.is_abandoned and cf.wait_seconds <= cf.sl_threshold_seconds) as ab_within,
                 count(*) filter (where cf.is_short_abandon) as short
          from metrics.call_fact_probe cf
          where cf.queued_at >= p_from and cf.queued_at < p_to
            and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
          group by cf.queue
        )
        select f.queue, z.sl_formula::varchar, f.answered, f.within, f.abandoned, f.ab_within, f.short,
               case coalesce(z.sl_formula, 'answered_abandoned')
                 when 'answered' then f.within::double precision / nullif(f.answered, 0)
                 when 'abandons_within_met' then
                   (f.within + f.ab_within)::double precision / nullif(f.answered + f.abandoned, 0)
                 when 'late_abandons' then
                   f.within::double precision / nullif(f.answered + f.abandoned - f.ab_within, 0)
                 else f.within::double precision / nullif(f.answered + f.abandoned, 0)
               end
        from f left join metrics.queue_zone z on z.queue = f.queue
      $$;`);

    // Repeat callers: of the calls that arrived in the range from a caller we can tell again (a number or a Teams
    // id), how many were followed by another call from the same caller within 24 h and within 7 days. Security
    // definer over "call": the reader role sees the counts, never a number (not even hashed).
    this.addSql(`create function metrics.repeat_callers(p_from timestamptz, p_to timestamptz,
        p_queues text[] default null)
      returns table (queue varchar, calls bigint, repeated_24h bigint, repeated_7d bigint,
                     repeat_rate_24h double precision, repeat_rate_7d double precision)
      language sql stable security definer set search_path = pg_catalog, public as $$
        with c as (
          select c.queue, c.arrived_at,
                 (select min(n.arrived_at) from call n
                  where n.from_id = c.from_id and n.arrived_at > c.arrived_at
                    and n.arrived_at <= c.arrived_at + interval '7 days') as next_at
          from call c
          where c.arrived_at >= p_from and c.arrived_at < p_to and c.from_id is not null and c.from_id <> ''
            and metrics.in_queues(c.queue, p_queues)
        )
        select c.queue, count(*), count(*) filter (where c.next_at <= c.arrived_at + interval '24 hours'),
               count(c.next_at),
               (count(*) filter (where c.next_at <= c.arrived_at + interval '24 hours'))::double precision / count(*),
               count(c.next_at)::double precision / count(*)
        from c group by c.queue
      $$;`);

    this.addSql(`grant select on metrics.queue_zone to switchboard_reader;`);
    for (const fn of [
      'metrics.site_time_zone()',
      'metrics.zone_for(text[])',
      'metrics.local_day_start(timestamptz, text)',
      'metrics.queue_service_level(timestamptz, timestamptz, text[])',
      'metrics.repeat_callers(timestamptz, timestamptz, text[])',
    ]) {
      this.addSql(`revoke execute on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to switchboard_reader;`);
    }
  }

  override async down(): Promise<void> {
    throw new Error('Migration20261207190000_queue_setting_changes cannot be undone in place; restore a backup');
  }
}
