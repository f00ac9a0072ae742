import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 4: short abandons. A caller who hangs up within the queue's `shortAbandonSeconds` (default 5; the
 * queue definitions in flows/, written at start-up by src/db/queue-settings.ts) of entering it is a short abandon:
 * not abandoned (so out of the abandonment rate and out of SL2's answered + abandoned), counted on its own. It stays
 * in queued. The limit is kept in `queue_setting_history` with the threshold, so a change applies from its time on.
 *
 * - `call_fact` / `call_fact_probe`: `is_abandoned` leaves short abandons out; new column `is_short_abandon`.
 * - `metrics.short_abandons(from, to, queues)`: per queue, by `queued_at`.
 */
export class Migration20261207140000_short_abandons extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "queue_setting", "call", "callback" in share row exclusive mode;`);
    this.addSql(`alter table "queue_setting"
      add column "short_abandon_seconds" int not null default 5 check ("short_abandon_seconds" >= 0);`);
    this.addSql(`alter table "queue_setting_history"
      add column "short_abandon_seconds" int not null default 5 check ("short_abandon_seconds" >= 0);`);
    this.addSql(`create or replace view metrics.queue_threshold_history as
      select h.queue, h.sl_threshold_seconds, h.valid_from,
             coalesce(lead(h.valid_from) over (partition by h.queue order by h.valid_from), 'infinity') as valid_to,
             h.short_abandon_seconds
      from queue_setting_history h;`);
    this.addSql(`create or replace function public.metrics_queue_setting_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_setting_history (queue, sl_threshold_seconds, short_abandon_seconds, valid_from)
            select n.queue, n.sl_threshold_seconds, n.short_abandon_seconds,
                   case when exists (select 1 from queue_setting_history h where h.queue = n.queue)
                        then now() else '-infinity'::timestamptz end
            from new_rows n
            where not exists (
              select 1 from (select h.sl_threshold_seconds, h.short_abandon_seconds from queue_setting_history h
                             where h.queue = n.queue order by h.valid_from desc limit 1) l
              where l.sl_threshold_seconds = n.sl_threshold_seconds and l.short_abandon_seconds = n.short_abandon_seconds)
          on conflict (queue, valid_from) do update set sl_threshold_seconds = excluded.sl_threshold_seconds,
            short_abandon_seconds = excluded.short_abandon_seconds;
        end if;
        return null;
      end $$;`);
    for (const view of ['call_fact', 'call_fact_probe'] as const) this.addSql(callFactView(view));
    this
      .addSql(`create function metrics.short_abandons(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (queue varchar, short_abandons bigint)
      language sql stable as $$
        select cf.queue, count(*) from metrics.call_fact_probe cf
        where cf.queued_at >= p_from and cf.queued_at < p_to and cf.is_short_abandon
          and (p_queues is null or cardinality(p_queues) = 0 or cf.queue = any (p_queues))
        group by cf.queue
      $$;`);
    this.addSql(`revoke execute on function metrics.short_abandons(timestamptz, timestamptz, text[]) from public;`);
    this.addSql(
      `grant execute on function metrics.short_abandons(timestamptz, timestamptz, text[]) to switchboard_reader;`,
    );
    this.addSql(`select public.metrics_queue_rebuild(null);`);
  }

  override async down(): Promise<void> {
    throw new Error('Migration20261207140000_short_abandons cannot be undone in place; restore a backup');
  }
}

const CALLBACK = {
  call_fact: `select c.id in (select b.call_id from callback b where b.call_id is not null) as is_callback,
                     c.id in (select b.call_id from callback b where b.call_id is not null and b.status = 'completed')
                       as is_callback_answered`,
  call_fact_probe: `select exists (select 1 from callback b where b.call_id = c.id) as is_callback,
                           exists (select 1 from callback b where b.call_id = c.id and b.status = 'completed')
                             as is_callback_answered`,
};

/** The call facts of Migration20261207110000_counted_where_they_belong, with short abandons apart. */
function callFactView(name: 'call_fact' | 'call_fact_probe'): string {
  const extra =
    name === 'call_fact' ? 'c.arrived_at, c.queued_at, c.connected_at, c.outcome, c.agent_id,' : 'c.queued_at,';
  const abandoned = `(c.outcome = 'abandoned' and c.connected_at is null and not cb.is_callback)`;
  const wait = `case when c.connected_at is not null then extract(epoch from c.connected_at - c.queued_at)
                  else coalesce(c.wait_seconds, extract(epoch from c.ended_at - c.queued_at)) end`;
  const short = `coalesce(${wait} < coalesce(h.short_abandon_seconds, 5), false)`;
  return `create or replace view metrics.${name} as
      select c.id, c.queue, ${extra}
             coalesce(h.sl_threshold_seconds, 20) as sl_threshold_seconds,
             cb.is_callback,
             (c.connected_at is not null or cb.is_callback_answered) as is_answered,
             (${abandoned} and not ${short}) as is_abandoned,
             ${wait} as wait_seconds,
             cb.is_callback_answered,
             (${abandoned} and ${short}) as is_short_abandon
      from call c
      left join metrics.queue_threshold_history h
        on h.queue = c.queue and c.queued_at >= h.valid_from and c.queued_at < h.valid_to
      cross join lateral (${CALLBACK[name]}) cb
      where c.queued_at is not null;`;
}
