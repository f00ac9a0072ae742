import { Migration } from '@mikro-orm/migrations';

/** The view's columns before this migration (Migration20261207120000_queue_exits), which `down` puts back. */
const COLUMNS_BEFORE = `
      select c.id, c.workflow_id, c.from_kind, c.from_id, c.from_name, c.to_id, c.queue, c.agent_id, c.outcome,
             c.arrived_at, c.queued_at, c.connected_at, c.ended_at,
             case when c.connected_at is not null and c.queued_at is not null
                  then extract(epoch from c.connected_at - c.queued_at) else c.wait_seconds end as wait_seconds,
             v.recording_url,
             (case when c.connected_at is not null and c.queued_at is not null
                   then extract(epoch from c.connected_at - c.queued_at) else c.wait_seconds end)
               + coalesce((select sum(x.wait_seconds) from queue_exit x where x.call_id = c.id and x.to_queue is not null), 0)
               as total_wait_seconds`;

/** Where each call's row comes from, in both versions. */
const FROM = `
      from call c
      left join lateral (select recording_url from voicemail vm where vm.call_id = c.id
                         and vm.recording_url is not null order by vm.recorded_at limit 1) v on true;`;

/**
 * Issue 24, point 2: the call explorer shows how each call was put through (`connected_by`) and, for a conference,
 * its exact talk (`talk_seconds`: connected_at to talk_ended_at, when Graph's roster showed the agent or caller gone)
 * and who ended it (`talk_ended_by`). A call put through by transfer has no talk end here (Switchboard left the call;
 * only the agent's presence tells, in the agent-state intervals), so null. The view's earlier columns stay as they
 * were (create or replace view only adds at the end).
 */
export class Migration20261207233000_call_explorer_talk extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace view metrics.call_explorer as ${COLUMNS_BEFORE},
             c.connected_by,
             extract(epoch from c.talk_ended_at - c.connected_at) as talk_seconds,
             c.talk_ended_by ${FROM}`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists metrics.call_explorer;`);
    this.addSql(`create view metrics.call_explorer as ${COLUMNS_BEFORE} ${FROM}`);
    this.addSql(`grant select on metrics.call_explorer to switchboard_reader;`);
  }
}
