import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 2: a pending callback sent on to another queue is a segment of the queue it left, entered when the
 * caller entered that queue.
 *
 * `queue_exit.entered_at` was always the exit's time less the seconds waited, which holds for a caller on hold (their
 * wait is their time in the queue). A callback keeps its place after the caller hung up: its wait is the caller's
 * time on hold before they asked to be called back, not its time in the queue (docs/metrics.md), so its `queueExit`
 * says when it entered (`enteredAt`, CALLBACK_SENT_ON_SEGMENTS_PATCH in workflows/flow/callback.ts). The trigger now
 * takes that when given, and the wait as written.
 */
export class Migration20261208045000_callback_exit_entry extends Migration {
  override async up(): Promise<void> {
    this.addSql(`lock table "call_event" in share row exclusive mode;`);
    this.addSql(`create or replace function public.metrics_call_event_changed()
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
    this.addSql(`revoke execute on function public.metrics_call_event_changed() from public;`);
    // Exits written with an entry time before this migration (none are expected: the patch comes with it).
    this.addSql(`update queue_exit x set entered_at = (e.payload->>'enteredAt')::timestamptz
      from call_event e where e.call_id = x.call_id and e.seq = x.seq and e.type = 'queueExit'
        and e.payload->>'enteredAt' is not null;`);
  }

  override async down(): Promise<void> {
    // The function as Migration20261207120000_queue_exits wrote it: the entry is the exit less the wait.
    this.addSql(`create or replace function public.metrics_call_event_changed()
      returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          delete from queue_exit x using old_rows o where x.call_id = o.call_id and x.seq = o.seq and o.type = 'queueExit';
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into queue_exit ${exits('new_rows', false)}
          on conflict (call_id, seq) do update set queue = excluded.queue, reason = excluded.reason,
            action = excluded.action, to_queue = excluded.to_queue, entered_at = excluded.entered_at,
            left_at = excluded.left_at, wait_seconds = excluded.wait_seconds;
        end if;
        return null;
      end $$;`);
  }
}

/** The exits among timeline rows (payload: {queue, reason, action, waitSeconds, enteredAt?}) as queue_exit rows. */
function exits(rows: string, withEntry = true): string {
  const waited = `coalesce((n.payload->>'waitSeconds')::double precision, 0)`;
  const entered = withEntry
    ? `coalesce((n.payload->>'enteredAt')::timestamptz, n.at - make_interval(secs => ${waited}))`
    : `n.at - make_interval(secs => ${waited})`;
  return `select n.call_id, n.seq, n.payload->>'queue', n.payload->>'reason',
             coalesce(n.payload->'action'->>'type', 'disconnect'),
             case when n.payload->'action'->>'type' = 'queue' then n.payload->'action'->>'queue' end,
             ${entered}, n.at, ${waited}
      from ${rows} n
      where n.type = 'queueExit' and n.payload->>'queue' is not null and n.payload->>'reason' is not null`;
}
