import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 23: the wrap-up code and note an agent gives a call after it (Teams agent tab, PUT /calls/{id}/wrap-up).
 * One row per call: saving again replaces it (the agent corrects a pick). It goes with its call when retention
 * deletes the call. The note may hold what the caller said, so the reader role (Grafana) sees only
 * metrics.call_wrap_up: call, agent, code and when, never the note.
 */
export class Migration20261207180000_call_wrap_up extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "call_wrap_up" (
      "call_id" varchar(64) not null primary key references "call" ("id") on delete cascade,
      "agent_id" varchar(100) not null,
      "code" varchar(50) not null,
      "note" varchar(500) null,
      "at" timestamptz not null default now()
    );`);
    this.addSql(`create index "call_wrap_up_at_index" on "call_wrap_up" ("at");`);
    this.addSql(`create or replace view metrics.call_wrap_up as
      select call_id, agent_id, code, at from call_wrap_up;`);
    this.addSql(`grant select on metrics.call_wrap_up to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists metrics.call_wrap_up;`);
    this.addSql(`drop table if exists "call_wrap_up";`);
  }
}
