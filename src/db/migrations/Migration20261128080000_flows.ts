import { Migration } from '@mikro-orm/migrations';

/**
 * Call flows: which flow handled the call, the tags and data the flow set (for the CDR and the call explorer), and
 * the outcomes flows add: a caller who took a callback, and a call the flow itself ended (closed message, hang-up).
 */
export class Migration20261128080000_flows extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "call" add column if not exists "flow" varchar(100) null,
      add column if not exists "tags" text[] not null default '{}',
      add column if not exists "data" jsonb not null default '{}';`);
    this.addSql(`alter table "call" drop constraint if exists "call_outcome_check";`);
    this.addSql(`alter table "call" add constraint "call_outcome_check" check ("outcome" in
      ('connected', 'abandoned', 'disconnected', 'failed', 'queueDisconnected', 'transferredOut', 'voicemail', 'callback', 'ended'));`);
    this.addSql(`create index if not exists "call_tags_index" on "call" using gin ("tags");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "call_tags_index";`);
    this.addSql(`alter table "call" drop constraint if exists "call_outcome_check";`);
    this.addSql(`alter table "call" add constraint "call_outcome_check" check ("outcome" in
      ('connected', 'abandoned', 'disconnected', 'failed', 'queueDisconnected', 'transferredOut', 'voicemail'));`);
    this.addSql(
      `alter table "call" drop column if exists "flow", drop column if exists "tags", drop column if exists "data";`,
    );
  }
}
