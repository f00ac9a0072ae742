import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 24, point 2: how the agent was put through (`connected_by`: transfer, or conference when Switchboard stays in
 * the call) and, for a conference, the exact end of the talk from Graph's roster (`talk_ended_at`) and who left
 * first (`talk_ended_by`: agent, caller, or call when the call itself ended). Null for calls put through by transfer:
 * Switchboard leaves those and learns their end only from the agent's presence.
 */
export class Migration20261207200000_call_talk_end extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "call" add column if not exists "connected_by" varchar(20) null;`);
    this.addSql(`alter table "call" add column if not exists "talk_ended_at" timestamptz null;`);
    this.addSql(`alter table "call" add column if not exists "talk_ended_by" varchar(20) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "call" drop column if exists "talk_ended_by";`);
    this.addSql(`alter table "call" drop column if exists "talk_ended_at";`);
    this.addSql(`alter table "call" drop column if exists "connected_by";`);
  }
}
