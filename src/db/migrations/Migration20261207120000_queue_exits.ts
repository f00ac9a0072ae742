import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 2: a call that moves between queues is counted in each of them, and flow-out has its own figures.
 *
 * The CDR keeps the queue a call was in last (`call.queue`, `queued_at`: the queue verb overwrites them when a queue's
 * overflow, timeout or no-agents action sends the caller on), so the queue it left never counted it. The call's
 * timeline has the truth: every time a queue gives a caller up the workflow writes a `queueExit` entry (queue, reason,
 * action, seconds waited there; workflows/flow/queue.ts). A trigger on `call_event` keeps those in `queue_exit`, one
 * row per exit, with when the caller entered that queue (left − waited).
 *
 * - `metrics.queue_stats` (and so `queue_totals` and every queue panel) adds each exit that sent the caller to another
 *   queue as a segment of the queue it left: queued there at its entry, neither answered nor abandoned there (it left
 *   by overflow, timeout or no agents), its wait in the longest wait. The call's own row counts its last queue, where
 *   it was answered, abandoned or flowed out for good. So each queue counts its own segments.
 * - `metrics.flow_out(from, to, queues)`: per queue, by when the caller left it, overflowed out, timed out, no agents,
 *   sent to another queue, and received from another queue.
 * - `metrics.call_explorer` gains `total_wait_seconds`: the caller's wait across every queue of the call.
 */
export class Migration20261207120000_queue_exits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "call_event" in share row exclusive mode;`);
    this.addSql(`create table "queue_exit" (
      "call_id" varchar(64) not null,
      "seq" int not null,
      "queue" varchar(100) not null,
      "reason" varchar(20) not null,
      "action" varchar(20) not null,
      "to_queue" varchar(100) null,
      "entered_at" timestamptz not null,
      "left_at" timestamptz not null,
      "wait_seconds" double precision not null,
      primary key ("call_id", "seq")
    );`);
    this.addSql(
      `create index "queue_exit_entered_at_index" on "queue_exit" ("entered_at") where "to_queue" is not null;`,
    );
    this.addSql(`create index "queue_exit_left_at_index" on "queue_exit" ("left_at");`);

    // The exits of the given timeline rows (call_event's payload: {queue, reason, action, waitSeconds}).
    const exits = (rows: string) => `select n.call_id, n.seq, n.payload->>'queue', n.payload->>'reason',
             coalesce(n.payload->'action'->>'type', 'disconnect'),
             case when n.payload->'action'->>'type' = 'queue' then n.payload->'action'->>'queue' end,
             n.at - make_interval(secs => coalesce((n.payload->>'waitSeconds')::double precision, 0)), n.at,
             coalesce((n.payload->>'waitSeconds')::double precision, 0)
      from ${rows} n
      where n.type = 'queueExit' and n.payload->>'queue' is not null and n.payload->>'reason' is not null`;
    this.addSql(`insert into queue_exit ${exits('call_event')};`);
    this.addSql(`create function public.metrics_call_event_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          delete from queue_exit x using old_rows o where x.call_id = o.call_id and x.seq = o.seq and o.type = 'queueExit';
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_exit ${exits('new_rows')}
          on conflict (call_id, seq) do update set queue = excluded.queue, reason = excluded.reason,
            action = excluded.action, to_queue = excluded.to_queue, entered_at = excluded.entered_at,
            left_at = excluded.left_at, wait_seconds = excluded.wait_seconds;
        end if;
        return null;
      end $$;`);
    this
      .addSql(`create trigger "call_event_metrics_insert" after insert on "call_event" referencing new table as new_rows
      for each statement execute function public.metrics_call_event_changed();`);
    this.addSql(`create trigger "call_event_metrics_update" after update on "call_event"
      referencing old table as old_rows new table as new_rows
      for each statement execute function public.metrics_call_event_changed();`);
    this
      .addSql(`create trigger "call_event_metrics_delete" after delete on "call_event" referencing old table as old_rows
      for each statement execute function public.metrics_call_event_changed();`);
    this.addSql(`revoke execute on function public.metrics_call_event_changed() from public;`);

    this.addSql(`create view metrics.queue_exit_list as
      select call_id, seq, queue, reason, action, to_queue, entered_at, left_at, wait_seconds from queue_exit;`);

    // queue_stats: the segments callers left for another queue, as segments of the queue they left.
    const [stats] = await this.execute(
      `select pg_get_functiondef('metrics.queue_stats(timestamptz, timestamptz, double precision, text[])'::regprocedure) as def`,
    );
    this.addSql(withMovedSegments(String((stats as { def: string }).def)));

    this.addSql(`create function metrics.flow_out(p_from timestamptz, p_to timestamptz, p_queues text[] default null)
      returns table (queue varchar, overflowed bigint, timed_out bigint, no_agents bigint, sent_on bigint,
                     received bigint)
      language sql stable as $$
        with x as (select * from metrics.queue_exit_list x where x.left_at >= p_from and x.left_at < p_to),
        k as (
          select x.queue, x.reason, (x.to_queue is not null)::int as sent, 0 as received from x
          union all
          select x.to_queue, null, 0, 1 from x where x.to_queue is not null
        )
        select k.queue::varchar, count(*) filter (where k.reason = 'overflow'), count(*) filter (where k.reason = 'timeout'),
               count(*) filter (where k.reason = 'noAgents'), sum(k.sent)::bigint, sum(k.received)::bigint
        from k where p_queues is null or cardinality(p_queues) = 0 or k.queue = any (p_queues)
        group by k.queue
      $$;`);

    // The caller's wait over every queue of the call: its last queue's plus each queue it was sent on from.
    this.addSql(`create or replace view metrics.call_explorer as
      select c.id, c.workflow_id, c.from_kind, c.from_id, c.from_name, c.to_id, c.queue, c.agent_id, c.outcome,
             c.arrived_at, c.queued_at, c.connected_at, c.ended_at,
             case when c.connected_at is not null and c.queued_at is not null
                  then extract(epoch from c.connected_at - c.queued_at) else c.wait_seconds end as wait_seconds,
             v.recording_url,
             (case when c.connected_at is not null and c.queued_at is not null
                   then extract(epoch from c.connected_at - c.queued_at) else c.wait_seconds end)
               + coalesce((select sum(x.wait_seconds) from queue_exit x where x.call_id = c.id and x.to_queue is not null), 0)
               as total_wait_seconds
      from call c
      left join lateral (select recording_url from voicemail vm where vm.call_id = c.id
                         and vm.recording_url is not null order by vm.recorded_at limit 1) v on true;`);

    this.addSql(`grant select on metrics.queue_exit_list, metrics.call_explorer to switchboard_reader;`);
    this.addSql(`revoke execute on function metrics.flow_out(timestamptz, timestamptz, text[]) from public;`);
    this.addSql(`grant execute on function metrics.flow_out(timestamptz, timestamptz, text[]) to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    throw new Error('Migration20261207120000_queue_exits cannot be undone in place; restore a backup');
  }
}

/** metrics.queue_stats with the moved-out segments among its raw rows (few: only calls sent on to another queue). */
export function withMovedSegments(def: string): string {
  const at = '        ), f as (';
  if (!def.includes(at)) throw new Error('metrics.queue_stats: expected to find "), f as ("');
  return def.replace(
    at,
    `          union all
          -- a segment of the queue the caller left for another: queued there, neither answered nor abandoned
          select x.entered_at, x.queue, 1, 0, 0, 0, 0, 0, x.wait_seconds
          from metrics.queue_exit_list x
          where x.to_queue is not null and x.entered_at >= p_from and x.entered_at < p_to
            and (p_queues is null or cardinality(p_queues) = 0 or x.queue = any (p_queues))
${at}`,
  );
}
