import { Migration } from '@mikro-orm/migrations';

/** Calls can now leave a queue by its overflow, timeout or no-agents action. */
export class Migration20261128020000_routing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "call" drop constraint if exists "call_outcome_check";`);
    this.addSql(`alter table "call" add constraint "call_outcome_check" check ("outcome" in
      ('connected', 'abandoned', 'disconnected', 'failed', 'queueDisconnected', 'transferredOut', 'voicemail'));`);
    // Occupancy and idle time are computed per agent over time.
    this.addSql(
      `create index if not exists "agent_state_change_agent_id_state_index" on "agent_state_change" ("agent_id", "state");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "agent_state_change_agent_id_state_index";`);
    this.addSql(`alter table "call" drop constraint if exists "call_outcome_check";`);
    this.addSql(
      `alter table "call" add constraint "call_outcome_check" check ("outcome" in ('connected', 'abandoned', 'disconnected', 'failed'));`,
    );
  }
}
