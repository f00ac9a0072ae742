import { Migration } from '@mikro-orm/migrations';

export class Migration20261128010000_agents extends Migration {
  override async up(): Promise<void> {
    const states = `('signedOut', 'available', 'reserved', 'onCall', 'wrapUp', 'away')`;
    this.addSql(`create table "agent_state_change" (
      "id" bigserial primary key,
      "key" varchar(200) not null,
      "agent_id" varchar(100) not null,
      "state" varchar(20) not null,
      "reason" varchar(100) null,
      "queue" varchar(100) null,
      "call_id" varchar(64) null,
      "at" timestamptz not null,
      constraint "agent_state_change_key_unique" unique ("key"),
      constraint "agent_state_change_state_check" check ("state" in ${states})
    );`);
    this.addSql(`create index "agent_state_change_agent_id_at_index" on "agent_state_change" ("agent_id", "at");`);
    this.addSql(`create index "agent_state_change_at_index" on "agent_state_change" ("at");`);

    this.addSql(`create table "agent_live" (
      "agent_id" varchar(100) primary key,
      "state" varchar(20) not null,
      "since" timestamptz not null,
      "call_id" varchar(64) null,
      "updated_at" timestamptz not null,
      constraint "agent_live_state_check" check ("state" in ${states})
    );`);

    this.addSql(`create table "queue_live" (
      "queue" varchar(100) primary key,
      "calls_waiting" int not null default 0,
      "oldest_waiting_since" timestamptz null,
      "agents_available" int not null default 0,
      "agents_reserved" int not null default 0,
      "agents_on_call" int not null default 0,
      "agents_wrap_up" int not null default 0,
      "agents_away" int not null default 0,
      "agents_signed_out" int not null default 0,
      "updated_at" timestamptz not null
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "queue_live";`);
    this.addSql(`drop table if exists "agent_live";`);
    this.addSql(`drop table if exists "agent_state_change";`);
  }
}
