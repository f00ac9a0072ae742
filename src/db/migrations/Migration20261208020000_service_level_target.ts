import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 6: each queue's service-level target, for staffing. A target is the share of calls to be answered
 * within the queue's threshold ("80 % within 30 s": target 80, threshold 30), the goal Erlang C staffs for; the
 * Staffing (Erlang C) panel used a fixed 80 %.
 *
 * - `queue_setting.sl_target_percent`: a whole percentage, 1 to 99 (Erlang C needs a target strictly between 0 and
 *   1: 100 % would need infinitely many agents), default 80, the industry's usual 80/20 goal. Written at start-up
 *   from the queue's `serviceLevelTarget` in code (src/db/queue-settings.ts; `configured` gains it, so the code wins
 *   only when its value changes) and through the admin API (PUT /api/admin/queues/{queue}/settings), like the
 *   threshold.
 * - `queue_setting_history` keeps it with the threshold and short-abandon limit: a change of any of the three appends
 *   a row (with who made it). The history's trigger recomputes the queue's rollups on every row, a target change
 *   included: a needless but harmless rebuild of one queue, as rare as an admin's change.
 * - `metrics.queue_threshold` (the queue's settings in force now) gains `sl_target_percent`: staffing plans for the
 *   target and threshold the queue has now, also over past intervals' traffic (what they would have needed).
 */
export class Migration20261208020000_service_level_target extends Migration {
  override up(): void {
    this.addSql(`lock table "queue_setting", "queue_setting_history" in share row exclusive mode;`);
    const column = `"sl_target_percent" int not null default 80 check ("sl_target_percent" between 1 and 99)`;
    this.addSql(`alter table "queue_setting" add column ${column};`);
    this.addSql(`alter table "queue_setting_history" add column ${column};`);
    this.addSql(`update "queue_setting" set "configured" = "configured" || jsonb_build_object('serviceLevelTarget', 80)
      where "configured" is not null;`);
    this.addSql(`create or replace view metrics.queue_threshold_history as
      select h.queue, h.sl_threshold_seconds, h.valid_from,
             coalesce(lead(h.valid_from) over (partition by h.queue order by h.valid_from), 'infinity') as valid_to,
             h.short_abandon_seconds, h.sl_target_percent
      from queue_setting_history h;`);
    // The trigger of Migration20261207190000_queue_setting_changes, with the target.
    this.addSql(`create or replace function public.metrics_queue_setting_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_setting_history (queue, sl_threshold_seconds, short_abandon_seconds, sl_target_percent,
                                             valid_from, changed_by)
            select n.queue, n.sl_threshold_seconds, n.short_abandon_seconds, n.sl_target_percent,
                   case when exists (select 1 from queue_setting_history h where h.queue = n.queue)
                        then now() else '-infinity'::timestamptz end,
                   n.changed_by
            from new_rows n
            where not exists (
              select 1 from (select h.sl_threshold_seconds, h.short_abandon_seconds, h.sl_target_percent
                             from queue_setting_history h
                             where h.queue = n.queue order by h.valid_from desc limit 1) l
              where l.sl_threshold_seconds = n.sl_threshold_seconds and l.short_abandon_seconds = n.short_abandon_seconds
                and l.sl_target_percent = n.sl_target_percent)
          on conflict (queue, valid_from) do update set sl_threshold_seconds = excluded.sl_threshold_seconds,
            short_abandon_seconds = excluded.short_abandon_seconds, sl_target_percent = excluded.sl_target_percent,
            changed_by = excluded.changed_by;
        end if;
        return null;
      end $$;`);
    this.addSql(`create or replace view metrics.queue_threshold as
      -- Service-level threshold and target per queue: queue_setting's, else 20 s and 80 %.
      select q.queue, coalesce(s.sl_threshold_seconds, 20) as sl_threshold_seconds,
             coalesce(s.sl_target_percent, 80) as sl_target_percent
      from (select distinct r.queue from metrics.arrival_rollup r where r.width = 86400 and r.queue is not null
            union select queue from queue_setting) q
      left join queue_setting s on s.queue = q.queue;`);
  }

  override down(): void {
    throw new Error('Migration20261208020000_service_level_target cannot be undone in place; restore a backup');
  }
}
