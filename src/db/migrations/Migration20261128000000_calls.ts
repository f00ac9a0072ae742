import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000000_calls extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "call" (
      "id" varchar(64) not null,
      "workflow_id" varchar(100) not null,
      "from_kind" varchar(20) null,
      "from_id" varchar(100) null,
      "from_name" varchar(200) null,
      "to_id" varchar(100) null,
      "queue" varchar(100) null,
      "agent_id" varchar(100) null,
      "outcome" varchar(20) null,
      "wait_seconds" double precision null,
      "end_code" int null,
      "end_subcode" int null,
      "arrived_at" timestamptz not null,
      "answered_at" timestamptz null,
      "queued_at" timestamptz null,
      "offered_at" timestamptz null,
      "connected_at" timestamptz null,
      "ended_at" timestamptz null,
      "updated_at" timestamptz not null,
      constraint "call_pkey" primary key ("id"),
      constraint "call_outcome_check" check ("outcome" in ('connected', 'abandoned', 'disconnected', 'failed'))
    );`);
    this.addSql(`create index "call_arrived_at_index" on "call" ("arrived_at");`);
    this.addSql(`create index "call_from_id_index" on "call" ("from_id");`);

    this.addSql(`create table "call_event" (
      "id" bigserial primary key,
      "call_id" varchar(64) not null references "call" ("id") on delete cascade,
      "seq" int not null,
      "type" varchar(60) not null,
      "at" timestamptz not null,
      "payload" jsonb null,
      constraint "call_event_call_id_seq_unique" unique ("call_id", "seq")
    );`);
    this.addSql(`create index "call_event_at_index" on "call_event" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "call_event";`);
    this.addSql(`drop table if exists "call";`);
  }
}
