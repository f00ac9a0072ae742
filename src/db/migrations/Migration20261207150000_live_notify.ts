import { Migration } from '@mikro-orm/migrations';

/**
 * The Teams tabs are live, not polled (issue 23, point 5): every write to the live tables notifies channel
 * `switchboard_live` with the table's name, once per statement, and the web process that LISTENs pushes the new state
 * to the open tabs. The payload carries no data, so nothing personal travels on the channel.
 */
export class Migration20261207150000_live_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function switchboard_live_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('switchboard_live', tg_table_name);
        return null;
      end $$;`);
    for (const table of ['agent_live', 'queue_live']) {
      this.addSql(`create trigger ${table}_notify after insert or update or delete on ${table}
        for each statement execute function switchboard_live_notify();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['agent_live', 'queue_live']) this.addSql(`drop trigger ${table}_notify on ${table};`);
    this.addSql('drop function switchboard_live_notify();');
  }
}
