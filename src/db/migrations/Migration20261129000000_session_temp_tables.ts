import { Migration } from '@mikro-orm/migrations';

/**
 * The rollup triggers' working tables live as long as the database session instead of one transaction (issue 9:
 * Postgres's CPU per call).
 *
 * Every refresh function (queue, arrival, handle-time and agent rollups) kept its keys in temp tables created
 * `on commit drop`, so each write of a call or an agent state created and dropped up to five tables: rows in
 * pg_class, pg_type and pg_attribute written and deleted, and every cached plan of the function that touches them
 * thrown away, per transaction. Now each table is created once per session (`on commit delete rows`: empty between
 * transactions) and cleared with `delete` (TRUNCATE gives a table a new file, one more catalog write) at the start
 * of each use, as before. Formulas and results are unchanged.
 *
 * The functions are rewritten from their definitions in the database (pg_get_functiondef), so this migration changes
 * exactly those three things in whichever functions the earlier migrations left, and down() puts them back.
 */
export class Migration20261129000000_session_temp_tables extends Migration {
  override async up(): Promise<void> {
    for (const def of await this.definitions('on commit drop')) this.addSql(sessionTables(def));
  }

  override async down(): Promise<void> {
    for (const def of await this.definitions('on commit delete rows')) this.addSql(transactionTables(def));
  }

  private async definitions(marker: string): Promise<string[]> {
    const rows = await this.execute(
      `select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'metrics') and p.prosrc like ? order by p.proname`,
      [`%${marker}%`],
    );
    return rows.map((r) => String((r as { def: string }).def));
  }
}

const CREATE_PER_TRANSACTION = /create temp table if not exists (\w+) (\([^;]*?\)) on commit drop;/g;
const CREATE_PER_SESSION =
  /if to_regclass\('pg_temp\.(\w+)'\) is null then create temp table \1 (\([^;]*?\)) on commit delete rows; end if;/g;

/** The definition with session-long working tables; exported for the migration's test. */
export function sessionTables(def: string): string {
  return def
    .replace(
      CREATE_PER_TRANSACTION,
      (_, table: string, columns: string) =>
        // `if not exists` would also do, but raises a NOTICE that travels to the client on every write.
        `if to_regclass('pg_temp.${table}') is null then create temp table ${table} ${columns} on commit delete rows; end if;`,
    )
    .replace(/truncate (metrics_\w+(?:, metrics_\w+)*);/g, (_, tables: string) =>
      tables
        .split(', ')
        .map((t) => `delete from ${t};`)
        .join(' '),
    );
}

/** The inverse of sessionTables. */
export function transactionTables(def: string): string {
  return def
    .replace(
      CREATE_PER_SESSION,
      (_, table: string, columns: string) => `create temp table if not exists ${table} ${columns} on commit drop;`,
    )
    .replace(
      /delete from (metrics_\w+);(?: delete from (metrics_\w+);)?/g,
      (_, a: string, b?: string) => `truncate ${b ? `${a}, ${b}` : a};`,
    );
}
