import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 22: personal data only as long as promised, the audit log included.
 * - The audit log stays append-only, but retention may delete rows older than 30 days (the shortest audit period
 *   AUDIT_RETENTION_DAYS allows): no one, the application included, can change a row or remove a recent one.
 * - Privacy requests wrote the caller's number into the audit row's target (`caller:+1…`), which could then never be
 *   deleted. Those targets are replaced; new rows name the person by a keyed hash (src/privacy/subject-ref.ts).
 * - retention_run counts the tables retention now covers too.
 */
export class Migration20261207160000_privacy_retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function "audit_entry_append_only"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and old."at" < now() - interval '30 days' then
          return old;
        end if;
        raise exception 'audit_entry is append-only (only rows older than 30 days may be deleted, by retention)';
      end $$;`);
    this.addSql(`alter table "audit_entry" disable trigger "audit_entry_no_update_delete";`);
    this.addSql(`update "audit_entry" set "target" = 'subject:number-removed'
      where "action" like 'privacy.%' and "target" like 'caller:%';`);
    this.addSql(`alter table "audit_entry" enable trigger "audit_entry_no_update_delete";`);

    this.addSql(`create index if not exists "recording_access_at_index" on "recording_access" ("at");`);
    this.addSql(`alter table "retention_run"
      add column "agent_states" int not null default 0,
      add column "recording_accesses" int not null default 0,
      add column "audit_entries" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "retention_run" drop column "agent_states", drop column "recording_accesses",
      drop column "audit_entries";`);
    this.addSql(`drop index if exists "recording_access_at_index";`);
    this.addSql(`create or replace function "audit_entry_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_entry is append-only';
      end $$;`);
  }
}
