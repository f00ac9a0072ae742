import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 24, point 4: a transferred call's parts, one per agent (`segments`: agent, queue, connected and ended at, and
 * how each part ended: warmTransfer, blindTransfer, agent, caller, call), in the order the caller met them. Null for
 * a call never transferred: its one agent is `agent_id`. JSON on the call row, as the CDR is written whole each time.
 */
export class Migration20261207230000_call_segments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "call" add column if not exists "segments" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "call" drop column if exists "segments";`);
  }
}
