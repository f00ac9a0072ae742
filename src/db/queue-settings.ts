import type { MikroORM } from '@mikro-orm/postgresql';
import type { QueueConfig } from '../contracts/queue-config.js';

/**
 * Writes each queue's service-level threshold (`serviceLevelSeconds`, flows/index.ts) and short-abandon limit
 * (`shortAbandonSeconds`, default 5) to `queue_setting`, where the
 * metrics grade calls against it (issue 27, point 1). Run at start-up, with the queues this process routes. A row
 * is written only when the threshold differs from the stored one, so a restart adds nothing; a change appends to
 * `queue_setting_history` through queue_setting's trigger (Migration20261207100000_queue_thresholds), and calls
 * queued before it keep the threshold they were graded against. Queues no longer defined keep their rows: their
 * history stays readable.
 *
 * Returns the queues whose threshold was written.
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
    return { queue, seconds, short };
  });
  const rows = await orm.em.getConnection().execute<{ queue: string }[]>(
    `insert into queue_setting (queue, sl_threshold_seconds, short_abandon_seconds, updated_at)
       select t.queue, t.seconds, t.short, now() from jsonb_to_recordset(?::jsonb) as t(queue varchar, seconds int, short int)
     on conflict (queue) do update set sl_threshold_seconds = excluded.sl_threshold_seconds,
       short_abandon_seconds = excluded.short_abandon_seconds, updated_at = now()
       where (queue_setting.sl_threshold_seconds, queue_setting.short_abandon_seconds)
             is distinct from (excluded.sl_threshold_seconds, excluded.short_abandon_seconds)
     returning queue`,
    [JSON.stringify(settings)],
  );
  return rows.map((r) => r.queue).sort();
}
