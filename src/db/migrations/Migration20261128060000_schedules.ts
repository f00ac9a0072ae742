import { Migration } from '@mikro-orm/migrations';

/**
 * Holidays and special dates admins add at run time to the schedules defined in flows/schedules.ts. One row per
 * schedule and date: it replaces the code definition's hours for that date.
 */
export class Migration20261128060000_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "schedule_exception" (
      "id" bigserial primary key,
      "schedule" varchar(100) not null,
      "date" varchar(10) not null,
      "name" varchar(200) not null,
      "kind" varchar(20) not null,
      "hours" jsonb null,
      "created_by" varchar(200) not null,
      "created_at" timestamptz not null default now(),
      constraint "schedule_exception_kind_check" check ("kind" in ('holiday', 'specialHours')),
      constraint "schedule_exception_date_check" check ("date" ~ '^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$'),
      constraint "schedule_exception_hours_check" check (("kind" = 'holiday') = ("hours" is null))
    );`);
    this.addSql(
      `create unique index "schedule_exception_schedule_date_unique" on "schedule_exception" ("schedule", "date");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "schedule_exception";`);
  }
}
