import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 26, point 4: what Grafana's alert rules (dashboards/alerts-contact-center.ts) read that the reader role could
 * not see yet. Neither view holds personal data.
 * - metrics.queue_staffing: queue_live with the agents being offered a call (reserved), which metrics.queue_live
 *   leaves out; an agent ringing is working the queue, so callers waiting then are not waiting for nobody.
 * - metrics.retention_status: when the retention job last ran, and when the schema was first migrated (a new
 *   installation has not run it yet: its 26 hours count from then).
 */
export class Migration20261207193000_alert_views extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create view metrics.queue_staffing as
      select queue, calls_waiting, agents_available, agents_reserved, agents_on_call, agents_wrap_up, agents_away,
             agents_signed_out
      from queue_live;`);
    this.addSql(`create view metrics.retention_status as
      select (select max(ran_at) from retention_run) as last_run_at,
             (select min(executed_at) from mikro_orm_migrations) as installed_at;`);
    this.addSql(`grant select on metrics.queue_staffing, metrics.retention_status to switchboard_reader;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists metrics.retention_status;`);
    this.addSql(`drop view if exists metrics.queue_staffing;`);
  }
}
