import { Migration } from '@mikro-orm/migrations';

/**
 * The supervisor's list of waiting calls and an agent's call card come from the call table: its writes notify
 * `switchboard_live` too, so a call that ends or is answered leaves the tabs at once instead of at the next agent or
 * queue change. Once per statement, with the table's name only, as live_notify does.
 */
export class Migration20261207150100_live_notify_calls extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create trigger call_notify after insert or update or delete on call
      for each statement execute function switchboard_live_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger call_notify on call;');
  }
}
