import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 1: each call is graded against the service-level threshold its queue had when the call entered it.
 *
 * `queue_setting` holds each queue's current threshold (written at start-up from the queue definitions in flows/,
 * src/db/queue-settings.ts). Every change of it appends a row to `queue_setting_history` (queue, threshold,
 * valid_from), and `metrics.call_fact` / `metrics.call_fact_probe` take the threshold of the history row in force at
 * the call's `queued_at`, so a change regrades nothing that came before it, as Teams' historical reports keep the
 * threshold an interval was graded against. A queue's first row applies from the beginning of time: before this
 * migration the configured threshold never reached Postgres (every queue was graded against the 20 s default), so
 * the threshold the queue was configured with is the better truth for its past too. A queue with no row at all
 * keeps the 20 s default.
 *
 * The rollups (Migration20261128070000_rollups) read those two views, so they need no change; a history row
 * recomputes its queue's rollups (the old trigger on queue_setting did that, now the history's trigger does, and
 * queue_setting's trigger only writes the history).
 */
export class Migration20261207100000_queue_thresholds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "queue_setting", "call" in share row exclusive mode;`);
    this.addSql(`create table "queue_setting_history" (
      "id" bigserial primary key,
      "queue" varchar(100) not null,
      "sl_threshold_seconds" int not null check ("sl_threshold_seconds" > 0),
      "valid_from" timestamptz not null,
      "recorded_at" timestamptz not null default now(),
      unique ("queue", "valid_from")
    );`);
    // The thresholds already set keep applying to everything before them.
    this.addSql(`insert into queue_setting_history (queue, sl_threshold_seconds, valid_from)
      select queue, sl_threshold_seconds, '-infinity' from queue_setting;`);

    // Each row with the end of its validity: the next row's start (the reader role reads it, not the table).
    this.addSql(`create view metrics.queue_threshold_history as
      select h.queue, h.sl_threshold_seconds, h.valid_from,
             coalesce(lead(h.valid_from) over (partition by h.queue order by h.valid_from), 'infinity') as valid_to
      from queue_setting_history h;`);

    this.addSql(this.callFactView('call_fact', FACT_CALLBACK));
    this.addSql(this.callFactView('call_fact_probe', PROBE_CALLBACK));

    // queue_setting's trigger writes the history; the history's trigger recomputes the queue's rollups.
    this.addSql(`create or replace function public.metrics_queue_setting_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_setting_history (queue, sl_threshold_seconds, valid_from)
            select n.queue, n.sl_threshold_seconds,
                   case when exists (select 1 from queue_setting_history h where h.queue = n.queue)
                        then now() else '-infinity'::timestamptz end
            from new_rows n
            where n.sl_threshold_seconds is distinct from (
              select h.sl_threshold_seconds from queue_setting_history h where h.queue = n.queue
              order by h.valid_from desc limit 1)
          on conflict (queue, valid_from) do update set sl_threshold_seconds = excluded.sl_threshold_seconds;
        end if;
        return null;
      end $$;`);
    this.addSql(`create function public.metrics_queue_history_changed()
      returns trigger language plpgsql as $$
      declare qs varchar[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(distinct n.queue) into qs from new_rows n;
        elsif tg_op = 'DELETE' then
          select array_agg(distinct o.queue) into qs from old_rows o;
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
    this.addSql(`create trigger "queue_setting_history_metrics_insert" after insert on "queue_setting_history"
      referencing new table as new_rows for each statement execute function public.metrics_queue_history_changed();`);
    this.addSql(`create trigger "queue_setting_history_metrics_update" after update on "queue_setting_history"
      referencing old table as old_rows new table as new_rows
      for each statement execute function public.metrics_queue_history_changed();`);
    this.addSql(`create trigger "queue_setting_history_metrics_delete" after delete on "queue_setting_history"
      referencing old table as old_rows for each statement execute function public.metrics_queue_history_changed();`);
    this.addSql(`revoke execute on function public.metrics_queue_history_changed() from public;`);
    this.addSql(`grant select on metrics.queue_threshold_history to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    for (const op of ['insert', 'update', 'delete'])
      this.addSql(`drop trigger if exists "queue_setting_history_metrics_${op}" on "queue_setting_history";`);
    this.addSql(`drop function if exists public.metrics_queue_history_changed();`);
    // The trigger of Migration20261128070000_rollups: a change regrades the whole queue.
    this.addSql(`create or replace function public.metrics_queue_setting_changed()
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
    this.addSql(this.callFactView('call_fact', FACT_CALLBACK, 'current'));
    this.addSql(this.callFactView('call_fact_probe', PROBE_CALLBACK, 'current'));
    this.addSql(`drop view if exists metrics.queue_threshold_history;`);
    this.addSql(`drop table if exists "queue_setting_history";`);
    this.addSql(`select public.metrics_queue_rebuild(null);`);
  }

  /**
   * metrics.call_fact (whole-table form: the callback test as one hash) or metrics.call_fact_probe (an index probe
   * per call), with the threshold in force when the call was queued, or (down) the queue's current one.
   */
  private callFactView(name: string, callback: string, threshold: 'history' | 'current' = 'history'): string {
    const extra =
      name === 'call_fact' ? 'c.arrived_at, c.queued_at, c.connected_at, c.outcome, c.agent_id,' : 'c.queued_at,';
    const join =
      threshold === 'history'
        ? `left join metrics.queue_threshold_history h
             on h.queue = c.queue and c.queued_at >= h.valid_from and c.queued_at < h.valid_to`
        : 'left join queue_setting h on h.queue = c.queue';
    return `create or replace view metrics.${name} as
      select c.id, c.queue, ${extra}
             coalesce(h.sl_threshold_seconds, 20) as sl_threshold_seconds,
             cb.is_callback,
             (c.connected_at is not null) as is_answered,
             (c.outcome = 'abandoned' and c.connected_at is null and not cb.is_callback) as is_abandoned,
             case when c.connected_at is not null then extract(epoch from c.connected_at - c.queued_at)
                  else coalesce(c.wait_seconds, extract(epoch from c.ended_at - c.queued_at)) end as wait_seconds
      from call c
      ${join}
      cross join lateral (${callback}) cb
      where c.queued_at is not null;`;
  }
}

const FACT_CALLBACK = 'select c.id in (select b.call_id from callback b where b.call_id is not null) as is_callback';
const PROBE_CALLBACK = 'select exists (select 1 from callback b where b.call_id = c.id) as is_callback';
