import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, points 2 and 3: calls, callbacks, voicemails and missed offers counted as a supervisor reads them
 * (docs/metrics.md gives each definition with its source).
 *
 * - A completed callback is an answered call of its queue (`call_fact.is_answered`, new column
 *   `is_callback_answered`); its wait is the caller's time on hold before they asked to be called back (the CDR's
 *   `wait_seconds`). It stays a callback (flow-out) too. A callback row's status change now refreshes the rollups
 *   (before, only a change of its call did).
 * - Missed offers are agent non-response only: an offer (reserved) that ended because the agent did not answer
 *   (the agent's next row has reason `missedOffer`, or `missedOffers` when it paused them). The other members of an
 *   attendant ring (`offerCancelled`), a caller who hung up while it rang and an expired lease
 *   (`reservationExpired`) are no longer misses. The agent facts are recomputed.
 * - Voicemails: `voicemail_list` gains the box, the status (recorded / empty / failed) and the line the call came in
 *   on (`call.to_id`); `voicemail_stats` counts recorded, empty and failed messages apart, "not handled" counts only
 *   recorded messages, and a voicemail without a queue (after hours) is counted when every queue is selected (the
 *   dashboards' All). `voicemail_by_line` lists them per line.
 * - Callbacks: `callback_stats` adds the mean time to callback (requested → completed) and the mean attempts of
 *   completed callbacks.
 * - Waiting now: `metrics.waiting_now` splits the calls a queue holds into callers on hold and callbacks pending (a
 *   callback keeps the caller's place in the queue until an agent is free, so `queue_live` counts it as waiting).
 */
export class Migration20261207110000_counted_where_they_belong extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "call", "callback", "agent_state_change" in share row exclusive mode;`);

    for (const view of ['call_fact', 'call_fact_probe'] as const) this.addSql(callFactView(view));

    this.addSql(`create or replace function public.metrics_callback_changed()
      returns trigger language plpgsql as $$
      declare q varchar[]; b timestamptz[];
      begin
        if tg_op = 'INSERT' then
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (select n.call_id from new_rows n);
        elsif tg_op = 'DELETE' then
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (select o.call_id from old_rows o);
        else
          -- a completed callback is an answered call: its status matters as well as its call
          select array_agg(c.queue), array_agg(to_timestamp(floor(extract(epoch from c.queued_at) / 60) * 60)) into q, b
            from call c where c.queued_at is not null and c.id in (
              select x.call_id from old_rows o join new_rows n on n.id = o.id
              cross join lateral (values (o.call_id), (n.call_id)) x(call_id)
              where (o.call_id, o.status) is distinct from (n.call_id, n.status));
        end if;
        perform public.metrics_queue_refresh(q, b);
        return null;
      end $$;`);

    // The raw intervals say why each ended, for the formula's raw form (docs/metrics.md).
    this.addSql(`create or replace view metrics.agent_interval as
      select agent_id, state, reason, queue, call_id, at as started_at,
             lead(at) over w as ended_at,
             extract(epoch from lead(at) over w - at) as seconds,
             lead(state) over w as next_state,
             extract(epoch from lead(at, 2) over w - lead(at) over w) as next_seconds,
             lead(reason) over w as next_reason
      from agent_state_change
      window w as (partition by agent_id order by at, id);`);
    const [compute] = await this.execute(
      `select pg_get_functiondef('public.metrics_agent_fact_compute(varchar[], timestamptz[], bigint[])'::regprocedure) as def`,
    );
    this.addSql(nonResponseMisses(String((compute as { def: string }).def)));

    /*
     * Whether a row of `queue` belongs to a selection: no selection or an empty one is every queue; a row without a
     * queue (an after-hours voicemail) belongs when every listed queue is selected, which is what the dashboards'
     * All sends (Grafana expands it to the $queue variable's options, metrics.queue_list).
     */
    this.addSql(`create function metrics.in_queues(p_queue varchar, p_queues text[])
      returns boolean language sql stable as $$
        select p_queues is null or cardinality(p_queues) = 0 or p_queue = any (p_queues)
               or (p_queue is null and array(select l.queue::text from metrics.queue_list l) <@ p_queues)
      $$;`);

    this.addSql(`create or replace view metrics.voicemail_list as
      select v.id, v.call_id, v.queue, v.from_id, v.from_name, v.recorded_at, v.duration_seconds, v.recording_url,
             v.handled_at, v.handled_by, v.box, v.status, c.to_id as line
      from voicemail v left join call c on c.id = v.call_id;`);
    this.addSql(`drop function if exists metrics.voicemail_stats(timestamptz, timestamptz, text[]);`);
    this
      .addSql(`create function metrics.voicemail_stats(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (voicemails bigint, unhandled bigint, recorded bigint, empty bigint, failed bigint)
      language sql stable as $$
        select count(*), count(*) filter (where status = 'recorded' and handled_at is null),
               count(*) filter (where status = 'recorded'), count(*) filter (where status = 'empty'),
               count(*) filter (where status = 'failed')
        from metrics.voicemail_list
        where recorded_at >= p_from and recorded_at < p_to and metrics.in_queues(queue, p_queues)
      $$;`);
    this
      .addSql(`create function metrics.voicemail_by_line(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (line varchar, voicemails bigint, unhandled bigint, empty bigint, failed bigint)
      language sql stable as $$
        select coalesce(line, '(unknown)')::varchar, count(*),
               count(*) filter (where status = 'recorded' and handled_at is null),
               count(*) filter (where status = 'empty'), count(*) filter (where status = 'failed')
        from metrics.voicemail_list
        where recorded_at >= p_from and recorded_at < p_to and metrics.in_queues(queue, p_queues)
        group by 1
      $$;`);
    this.addSql(`drop function if exists metrics.callback_stats(timestamptz, timestamptz, text[]);`);
    this
      .addSql(`create function metrics.callback_stats(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (requested bigint, completed bigint, failed bigint, pending bigint, completion_rate double precision,
                     time_to_callback_seconds double precision, attempts_per_completed double precision)
      language sql stable as $$
        select count(*), count(*) filter (where status = 'completed'), count(*) filter (where status = 'failed'),
               count(*) filter (where status in ('requested', 'dialing')),
               (count(*) filter (where status = 'completed'))::double precision / nullif(count(*), 0),
               avg(extract(epoch from completed_at - requested_at)) filter (where status = 'completed')::double precision,
               avg(attempts) filter (where status = 'completed')::double precision
        from metrics.callback_list
        where requested_at >= p_from and requested_at < p_to and metrics.in_queues(queue, p_queues)
      $$;`);

    this.addSql(`create function metrics.waiting_now(p_now timestamptz default now())
      returns table (queue varchar, on_hold int, callbacks_pending int)
      language sql stable as $$
        select q.queue, greatest(0, q.calls_waiting - coalesce(p.n, 0))::int, coalesce(p.n, 0)::int
        from metrics.queue_live q
        left join (select b.queue, count(*) as n from metrics.callback_list b where b.status = 'requested'
                   group by b.queue) p on p.queue = q.queue
      $$;`);

    for (const fn of [
      'voicemail_stats(timestamptz, timestamptz, text[])',
      'voicemail_by_line(timestamptz, timestamptz, text[])',
      'in_queues(varchar, text[])',
      'callback_stats(timestamptz, timestamptz, text[])',
      'waiting_now(timestamptz)',
    ]) {
      this.addSql(`revoke execute on function metrics.${fn} from public;`);
      this.addSql(`grant execute on function metrics.${fn} to switchboard_reader;`);
    }
    this.addSql(`grant select on metrics.voicemail_list to switchboard_reader;`);
    // Every rollup from the new facts, in this transaction (the tables are locked).
    this.addSql(`select public.metrics_rebuild_all();`);
  }

  override async down(): Promise<void> {
    // Irreversible in place: the previous definitions live in Migration20261207100000_queue_thresholds and
    // Migration20261128030000_metrics; a rollback restores a backup (docs/operations.md).
    throw new Error('Migration20261207110000_counted_where_they_belong cannot be undone; restore a backup');
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

/** The call facts with the threshold history (Migration20261207100000_queue_thresholds) and answered callbacks. */
function callFactView(name: 'call_fact' | 'call_fact_probe'): string {
  const extra =
    name === 'call_fact' ? 'c.arrived_at, c.queued_at, c.connected_at, c.outcome, c.agent_id,' : 'c.queued_at,';
  return `create or replace view metrics.${name} as
      select c.id, c.queue, ${extra}
             coalesce(h.sl_threshold_seconds, 20) as sl_threshold_seconds,
             cb.is_callback,
             -- answered: an agent took the call, or called the caller back
             (c.connected_at is not null or cb.is_callback_answered) as is_answered,
             (c.outcome = 'abandoned' and c.connected_at is null and not cb.is_callback) as is_abandoned,
             case when c.connected_at is not null then extract(epoch from c.connected_at - c.queued_at)
                  else coalesce(c.wait_seconds, extract(epoch from c.ended_at - c.queued_at)) end as wait_seconds,
             cb.is_callback_answered
      from call c
      left join metrics.queue_threshold_history h
        on h.queue = c.queue and c.queued_at >= h.valid_from and c.queued_at < h.valid_to
      cross join lateral (${CALLBACK[name]}) cb
      where c.queued_at is not null;`;
}

/** Agent non-response reasons (workflows/agent/state.ts): the offer ended because the agent did not answer. */
export const NON_RESPONSE_REASONS = ['missedOffer', 'missedOffers'] as const;

/** metrics_agent_fact_compute with `missed` = an offer whose next row says the agent did not answer. */
export function nonResponseMisses(def: string): string {
  const edits: [string, string][] = [
    [
      'lead(r.at) over w as ended_at, lead(r.state) over w as next_state,',
      'lead(r.at) over w as ended_at, lead(r.state) over w as next_state, lead(r.reason) over w as next_reason,',
    ],
    [
      'select r.id, r.agent_id, r.state, r.queue, r.at, 0::bigint as h0,',
      'select r.id, r.agent_id, r.state, r.queue, r.reason, r.at, 0::bigint as h0,',
    ],
    [
      'select r.id, r.agent_id, r.state, r.queue, r.at, b.h0,',
      'select r.id, r.agent_id, r.state, r.queue, r.reason, r.at, b.h0,',
    ],
    [
      "(c.state = 'reserved' and c.next_state is not null and c.next_state <> 'onCall')::int as missed",
      `coalesce(c.state = 'reserved' and c.next_reason in (${NON_RESPONSE_REASONS.map((r) => `'${r}'`).join(', ')}), false)::int as missed`,
    ],
  ];
  let out = def;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`metrics_agent_fact_compute: expected to find "${from}"`);
    out = out.replace(from, to);
  }
  return out;
}
