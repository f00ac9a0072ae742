import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 22, point 2: each retention run also records how many recording access tokens it removed (secrets that
 * download a caller's message), as it records every other kind it deletes.
 */
export class Migration20261207210000_retention_run_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "retention_run" add column if not exists "recording_tokens" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "retention_run" drop column if exists "recording_tokens";`);
  }
}
