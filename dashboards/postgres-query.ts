import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';

/**
 * Grafana's Postgres query, added to the foundation SDK through its extension point: a type that declares
 * `_implementsDataqueryVariant` is a `cog.Dataquery`, so its builder plugs into any panel's `withTarget`.
 */
export const POSTGRES_DATASOURCE = { type: 'grafana-postgresql-datasource', uid: 'switchboard-postgres' } as const;

export interface PostgresQuery {
  refId?: string;
  hide?: boolean;
  datasource?: { type: string; uid: string };
  /** Raw SQL with Grafana macros ($__timeFilter, $__timeFrom()…) and template variables (${queue:sqlstring}). */
  rawSql: string;
  rawQuery: true;
  editorMode: 'code';
  format: 'table' | 'time_series';
  _implementsDataqueryVariant(): void;
}

export class PostgresQueryBuilder implements Builder<Dataquery> {
  private readonly internal: PostgresQuery;

  constructor(rawSql: string) {
    this.internal = {
      refId: 'A',
      datasource: { ...POSTGRES_DATASOURCE },
      rawSql: rawSql.replace(/\n\s+/g, '\n').trim(),
      rawQuery: true,
      editorMode: 'code',
      format: 'table',
      _implementsDataqueryVariant() {},
    };
  }

  build(): PostgresQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }

  format(format: 'table' | 'time_series'): this {
    this.internal.format = format;
    return this;
  }
}

/** Shorthand: a table-format query. */
export const sql = (text: string) => new PostgresQueryBuilder(text);
/** Shorthand: a time-series-format query (must return a `time` column). */
export const seriesSql = (text: string) => new PostgresQueryBuilder(text).format('time_series');
