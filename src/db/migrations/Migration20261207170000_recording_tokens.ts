import { Migration } from '@mikro-orm/migrations';

/**
 * Recording access tokens never enter a Temporal history (issue 22, point 1): the web process keeps the token of a
 * recordOperation notification here, under a hash of its recordingLocation, and signals the call workflow without it;
 * the voicemail activity takes it from here to download the recording, and deletes it (src/recordings/recording-tokens.ts).
 * A token nobody took is deleted a day later.
 */
export class Migration20261207170000_recording_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "recording_token" (
      "location_hash" varchar(64) primary key,
      "call_id" varchar(200) not null,
      "token" text not null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create index "recording_token_created_at_index" on "recording_token" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "recording_token";`);
  }
}
