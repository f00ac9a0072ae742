import { Migration } from '@mikro-orm/migrations';

/** Recordings, voicemail and callback details, recording access audit, and retention runs. */
export class Migration20261128050000_recordings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "recording" (
      "id" bigserial primary key,
      "call_id" varchar(64) null,
      "kind" varchar(20) not null default 'voicemail',
      "storage_key" varchar(64) not null,
      "sha256" varchar(64) not null,
      "size_bytes" int not null,
      "duration_ms" int not null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create index "recording_call_id_index" on "recording" ("call_id");`);
    this.addSql(`create index "recording_storage_key_index" on "recording" ("storage_key");`);

    // The voicemail and callback tables were created with the metrics; these are the columns their issue needs.
    this.addSql(`alter table "voicemail"
      add column "box" varchar(100) null,
      add column "status" varchar(20) not null default 'recorded',
      add column "recording_id" bigint null references "recording" ("id") on delete set null,
      add column "size_bytes" int null,
      add column "sha256" varchar(64) null,
      add column "error" varchar(500) null,
      add column "notified_at" timestamptz null,
      add constraint "voicemail_status_check" check ("status" in ('recorded', 'empty', 'failed'));`);
    this.addSql(
      `create unique index "voicemail_call_id_unique" on "voicemail" ("call_id") where "call_id" is not null;`,
    );
    this.addSql(`alter table "callback"
      add column "workflow_id" varchar(120) null,
      add column "last_error" varchar(500) null,
      add column "from_id" varchar(100) null;`);

    this.addSql(`create table "recording_access" (
      "id" bigserial primary key,
      "recording_id" bigint not null,
      "action" varchar(20) not null,
      "actor_id" varchar(100) not null,
      "actor_name" varchar(200) not null,
      "ip" varchar(64) not null,
      "at" timestamptz not null default now()
    );`);

    this.addSql(`create table "retention_run" (
      "id" bigserial primary key,
      "ran_at" timestamptz not null default now(),
      "cutoff" timestamptz not null,
      "calls" int not null,
      "events" int not null,
      "voicemails" int not null,
      "callbacks" int not null,
      "recordings" int not null,
      "files" int not null
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "retention_run";`);
    this.addSql(`drop table if exists "recording_access";`);
    this.addSql(`alter table "callback" drop column "workflow_id", drop column "last_error", drop column "from_id";`);
    this.addSql(`drop index if exists "voicemail_call_id_unique";`);
    this
      .addSql(`alter table "voicemail" drop constraint "voicemail_status_check", drop column "box", drop column "status",
      drop column "recording_id", drop column "size_bytes", drop column "sha256", drop column "error", drop column "notified_at";`);
    this.addSql(`drop table if exists "recording";`);
  }
}
