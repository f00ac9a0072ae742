import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { DEFAULT_SERVICE_LEVEL_TARGET } from '../contracts/queue-config.js';
import type { AdminCatalog } from './catalog.js';
import { audit, HttpError } from './common.js';
import type { Handler } from './handler.js';
import type { routes } from './routes.js';
import type { queueSettings, queueSettingsBody } from './schemas.js';

/**
 * Admin API: a queue's analytics settings (issue 27, points 1, 4, 5 and 6). The threshold, short-abandon limit and
 * service-level target (the percentage Erlang C staffing plans for) start
 * as the queue's definition in code (written at start-up, src/db/queue-settings.ts); a change here is written to
 * `queue_setting` the same way, so its trigger appends to `queue_setting_history` (with who made it) and only calls
 * queued from then on are graded against it. It outlives restarts until a release changes the queue's definition.
 * The service-level formula and the queue's own time zone exist only here (code has no say in them).
 */

type Body = z.infer<typeof queueSettingsBody>;
type View = z.infer<typeof queueSettings>;

interface SettingRow {
  queue: string;
  sl_threshold_seconds: number;
  short_abandon_seconds: number;
  sl_target_percent: number;
  sl_formula: View['serviceLevelFormula'];
  time_zone: string | null;
  changed_by: string | null;
}

/** Raw SQL in the entity manager's transaction, when it has one (the row lock and the update commit together). */
function sql<T>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}

/** A queue the admin API knows: defined in code, or with settings in Postgres (a queue since removed keeps them). */
async function knownQueue(
  em: EntityManager,
  configuredQueues: AdminCatalog['queues'],
  queue: string,
): Promise<boolean> {
  if (Object.hasOwn(configuredQueues, queue)) return true;
  const rows = await sql(em, `select 1 from queue_setting where queue = ?`, [queue]);
  return rows.length > 0;
}

async function view(em: EntityManager, configuredQueues: AdminCatalog['queues'], queue: string): Promise<View> {
  const [row] = await sql<SettingRow & { effective_zone: string }>(
    em,
    `select s.*, coalesce(s.time_zone, metrics.site_time_zone()) as effective_zone from queue_setting s where s.queue = ?`,
    [queue],
  );
  const history = await sql<{
    sl_threshold_seconds: number;
    short_abandon_seconds: number;
    sl_target_percent: number;
    valid_from: Date | string;
    changed_by: string | null;
  }>(
    em,
    `select sl_threshold_seconds, short_abandon_seconds, sl_target_percent, valid_from, changed_by from queue_setting_history
     where queue = ? order by valid_from`,
    [queue],
  );
  // A queue defined in code whose settings no worker has written yet: its definition, the site's zone.
  const code = configuredQueues[queue];
  const [site] = await sql<{ zone: string }>(em, `select metrics.site_time_zone() as zone`);
  return {
    queue,
    serviceLevelSeconds: row?.sl_threshold_seconds ?? code?.serviceLevelSeconds ?? 20,
    shortAbandonSeconds: row?.short_abandon_seconds ?? code?.shortAbandonSeconds ?? 5,
    serviceLevelTarget: row?.sl_target_percent ?? code?.serviceLevelTarget ?? DEFAULT_SERVICE_LEVEL_TARGET,
    serviceLevelFormula: row?.sl_formula ?? 'answered_abandoned',
    timeZone: row?.time_zone ?? null,
    effectiveTimeZone: row?.effective_zone ?? site!.zone,
    changedBy: row?.changed_by ?? null,
    history: history.map((h) => {
      const from = new Date(h.valid_from);
      return {
        serviceLevelSeconds: h.sl_threshold_seconds,
        shortAbandonSeconds: h.short_abandon_seconds,
        serviceLevelTarget: h.sl_target_percent,
        // The first row applies to the queue's whole past ('-infinity').
        validFrom: Number.isFinite(from.getTime()) ? from.toISOString() : null,
        changedBy: h.changed_by,
      };
    }),
  };
}

const getQueueSettings: Handler = async ({ params }, { em, catalog }) => {
  const queue = String(params.queue);
  if (!(await knownQueue(em, catalog.queues, queue))) throw new HttpError(404, 'NotFound', `no such queue: ${queue}`);
  return view(em, catalog.queues, queue);
};

const putQueueSettings: Handler = async ({ params, body }, { caller, em, catalog }) => {
  const queue = String(params.queue);
  const b = body as Body;
  if (!(await knownQueue(em, catalog.queues, queue))) throw new HttpError(404, 'NotFound', `no such queue: ${queue}`);
  if (b.timeZone) {
    const [ok] = await sql<{ ok: boolean }>(em, `select public.is_time_zone(?) as ok`, [b.timeZone]);
    if (!ok?.ok)
      throw new HttpError(
        400,
        'ValidationError',
        `body.timeZone: '${b.timeZone}' is not a time zone Postgres knows (an IANA name such as Europe/Paris)`,
      );
  }
  return em.transactional(async (tx) => {
    const code = catalog.queues[queue];
    // A queue no worker has written yet starts from its definition in code, as start-up would write it.
    if (code) {
      const short = code.shortAbandonSeconds ?? 5;
      const target = code.serviceLevelTarget ?? DEFAULT_SERVICE_LEVEL_TARGET;
      await sql(
        tx,
        `insert into queue_setting (queue, sl_threshold_seconds, short_abandon_seconds, sl_target_percent, configured,
           changed_by, updated_at)
         values (?, ?, ?, ?, jsonb_build_object('serviceLevelSeconds', ?::int, 'shortAbandonSeconds', ?::int,
           'serviceLevelTarget', ?::int), 'config', now())
         on conflict (queue) do nothing`,
        [queue, code.serviceLevelSeconds, short, target, code.serviceLevelSeconds, short, target],
      );
    }
    const [before] = await sql<SettingRow>(tx, `select * from queue_setting where queue = ? for update`, [queue]);
    const after = {
      sl_threshold_seconds: b.serviceLevelSeconds ?? before!.sl_threshold_seconds,
      short_abandon_seconds: b.shortAbandonSeconds ?? before!.short_abandon_seconds,
      sl_target_percent: b.serviceLevelTarget ?? before!.sl_target_percent,
      sl_formula: b.serviceLevelFormula ?? before!.sl_formula,
      time_zone: b.timeZone === undefined ? before!.time_zone : b.timeZone,
    };
    await sql(
      tx,
      `update queue_setting set sl_threshold_seconds = ?, short_abandon_seconds = ?, sl_target_percent = ?,
         sl_formula = ?, time_zone = ?, changed_by = ?, updated_at = now() where queue = ?`,
      [
        after.sl_threshold_seconds,
        after.short_abandon_seconds,
        after.sl_target_percent,
        after.sl_formula,
        after.time_zone,
        caller.objectId,
        queue,
      ],
    );
    const summary = (r: Omit<SettingRow, 'queue' | 'changed_by'>) => ({
      serviceLevelSeconds: r.sl_threshold_seconds,
      shortAbandonSeconds: r.short_abandon_seconds,
      serviceLevelTarget: r.sl_target_percent,
      serviceLevelFormula: r.sl_formula,
      timeZone: r.time_zone,
    });
    audit(tx, caller, 'queue.settings', `queue:${queue}`, summary(before!), summary(after));
    return view(tx, catalog.queues, queue);
  });
};

export const queueSettingsHandlers: Record<
  Extract<keyof typeof routes, 'getQueueSettings' | 'putQueueSettings'>,
  Handler
> = { getQueueSettings, putQueueSettings };
