import type { MikroORM } from '@mikro-orm/postgresql';
import { DEFAULT_SERVICE_LEVEL_TARGET, type QueueConfig } from '../contracts/queue-config.js';

/**
 * Writes each queue's service-level threshold (`serviceLevelSeconds`, flows/index.ts), short-abandon limit
 * (`shortAbandonSeconds`, default 5) and service-level target (`serviceLevelTarget`, a percentage, default 80: what
 * the Erlang C staffing panel plans for) to `queue_setting`, where the
 * metrics grade calls against it (issue 27, point 1). Run at start-up, with the queues this process routes. A row
 * is written only when the code's values differ from those of the last start-up, so a restart adds nothing; a change appends to
 * `queue_setting_history` through queue_setting's trigger (Migration20261207100000_queue_thresholds), and calls
 * queued before it keep the threshold they were graded against. Queues no longer defined keep their rows: their
 * history stays readable.
 *
 * Returns the queues whose settings were written.
 */
export async function writeQueueSettings(orm: MikroORM, queues: Record<string, QueueConfig>): Promise<string[]> {
  const names = Object.keys(queues).sort();
  if (names.length === 0) return [];
  const settings = names.map((queue) => {
    const seconds = queues[queue]!.serviceLevelSeconds;
    if (!Number.isInteger(seconds) || seconds <= 0)
      throw new Error(`queue ${queue}: serviceLevelSeconds must be a positive whole number of seconds, got ${seconds}`);
    const short = queues[queue]!.shortAbandonSeconds ?? 5;
    if (!Number.isInteger(short) || short < 0)
      throw new Error(`queue ${queue}: shortAbandonSeconds must be a whole number of seconds, 0 or more, got ${short}`);
    const target = queues[queue]!.serviceLevelTarget ?? DEFAULT_SERVICE_LEVEL_TARGET;
    if (!Number.isInteger(target) || target < 1 || target > 99)
      throw new Error(`queue ${queue}: serviceLevelTarget must be a whole percentage from 1 to 99, got ${target}`);
    return { queue, seconds, short, target };
  });
  // `configured` is what the code said at the last start-up. A setting in force changes only when the code's value
  // of it changed since then, so a change made through the admin API outlives restarts until a release changes the
  // queue's definition (then the code wins, and the history says 'config').
  const rows = await orm.em.getConnection().execute<{ queue: string }[]>(
    `insert into queue_setting (queue, sl_threshold_seconds, short_abandon_seconds, sl_target_percent, configured,
         changed_by, updated_at)
       select t.queue, t.seconds, t.short, t.target,
              jsonb_build_object('serviceLevelSeconds', t.seconds, 'shortAbandonSeconds', t.short,
                                 'serviceLevelTarget', t.target),
              'config', now()
       from jsonb_to_recordset(?::jsonb) as t(queue varchar, seconds int, short int, target int)
     on conflict (queue) do update set
       sl_threshold_seconds = case when queue_setting.configured->'serviceLevelSeconds'
           is distinct from excluded.configured->'serviceLevelSeconds'
         then excluded.sl_threshold_seconds else queue_setting.sl_threshold_seconds end,
       short_abandon_seconds = case when queue_setting.configured->'shortAbandonSeconds'
           is distinct from excluded.configured->'shortAbandonSeconds'
         then excluded.short_abandon_seconds else queue_setting.short_abandon_seconds end,
       sl_target_percent = case when queue_setting.configured->'serviceLevelTarget'
           is distinct from excluded.configured->'serviceLevelTarget'
         then excluded.sl_target_percent else queue_setting.sl_target_percent end,
       changed_by = 'config', configured = excluded.configured, updated_at = now()
       where queue_setting.configured is distinct from excluded.configured
     returning queue`,
    [JSON.stringify(settings)],
  );
  return rows.map((r) => r.queue).sort();
}

/**
 * Writes the site's time zone (SITE_TIME_ZONE) to `site_setting`, where the metrics read it for "today" and the
 * interval reports of every queue without a zone of its own (issue 27, point 5). Returns whether it changed.
 */
export async function writeSiteTimeZone(orm: MikroORM, zone: string): Promise<boolean> {
  const rows = await orm.em
    .getConnection()
    .execute<{ time_zone: string }[]>(
      `update site_setting set time_zone = ?, updated_at = now() where time_zone is distinct from ? returning time_zone`,
      [zone, zone],
    );
  return rows.length > 0;
}
