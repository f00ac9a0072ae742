import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 5: `metrics.site_time_zone()` (Migration20261207190000_queue_setting_changes) reads `site_setting`,
 * which the dashboards' read-only role may not: the function now runs as its owner (security definer, with a fixed
 * search_path), so the reader gets the zone and nothing else of the table.
 */
export class Migration20261207190100_site_zone_reader extends Migration {
  override up(): void {
    this.addSql(`create or replace function metrics.site_time_zone() returns text
      language sql stable security definer set search_path = pg_catalog, public as $$
        select coalesce((select time_zone from site_setting), 'UTC')
      $$;`);
  }

  override down(): void {
    this.addSql(`create or replace function metrics.site_time_zone() returns text
      language sql stable security invoker reset search_path as $$
        select coalesce((select time_zone from site_setting), 'UTC')
      $$;`);
  }
}
