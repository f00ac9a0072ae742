import { Migration } from '@mikro-orm/migrations';

export class Migration20261128040000_admin extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "audit_entry" (
      "id" bigserial primary key,
      "at" timestamptz not null default now(),
      "actor_id" varchar(100) not null,
      "actor_name" varchar(200) not null,
      "ip" varchar(64) not null,
      "action" varchar(100) not null,
      "target" varchar(200) not null,
      "before" jsonb null,
      "after" jsonb null
    );`);
    this.addSql(`create index "audit_entry_at_index" on "audit_entry" ("at");`);
    // The audit log is append-only for everyone, the application included: no API, no bug, can rewrite history.
    this.addSql(`create function "audit_entry_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_entry is append-only';
      end $$;`);
    this.addSql(`create trigger "audit_entry_no_update_delete" before update or delete on "audit_entry"
      for each row execute function "audit_entry_append_only"();`);

    this.addSql(`create table "wrap_up_code" (
      "code" varchar(50) primary key,
      "label" varchar(200) not null,
      "active" boolean not null default true,
      "updated_at" timestamptz not null
    );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "wrap_up_code";`);
    this.addSql(`drop trigger if exists "audit_entry_no_update_delete" on "audit_entry";`);
    this.addSql(`drop function if exists "audit_entry_append_only"();`);
    this.addSql(`drop table if exists "audit_entry";`);
  }
}
