/**
 * Expands a Grafana Postgres panel query the way Grafana does, so tests and the benchmark run the exact SQL a
 * dashboard sends:
 * - template variables first (frontend): `$var`, `${var}`, `${var:format}` with the SQL data source's default
 *   formatting (each value single-quoted, quotes doubled, joined by commas) and `$__interval`, `$__interval_ms`;
 *   a variable set to All (`$__all`) stands for every one of its options (`options`), each formatted, or for its
 *   custom all value (`allValue`), which Grafana inserts as it is, unformatted;
 * - then the backend macros (pkg/tsdb/grafana-postgresql-datasource/macros.go): `$__time`, `$__timeEpoch`,
 *   `$__timeFilter`, `$__timeFrom`, `$__timeTo`, `$__timeGroup`, `$__timeGroupAlias`, `$__unixEpochFilter`,
 *   `$__unixEpochGroup(Alias)`.
 */
export interface MacroContext {
  from: Date;
  to: Date;
  /** Grafana's $__interval, e.g. '1m', '30s', '1h'. */
  interval?: string;
  /** Template variable values; an array is a multi-value selection; `$__all` (or `['$__all']`) is All. */
  vars?: Record<string, string | string[]>;
  /** A variable's options (what its query returned), which All stands for. */
  options?: Record<string, string[]>;
  /** A variable's custom all value, when it has one. */
  allValue?: Record<string, string>;
}

/** Grafana's value of the All option. */
export const ALL = '$__all';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Parses Grafana's interval strings ('5m', '30s', '1h', '500ms') to seconds. */
export function intervalSeconds(text: string): number {
  const m = /^\s*'?(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)'?\s*$/.exec(text);
  if (!m) throw new Error(`error parsing interval ${text}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Go's RFC3339Nano for a UTC time: no fractional part when it is zero, trailing zeros trimmed. */
function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_all, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function formatVar(value: string | string[], format: string | undefined): string {
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case undefined:
    case 'sqlstring':
      return values.map(sqlString).join(',');
    case 'csv':
      return values.join(',');
    case 'raw':
      return values.join(',');
    case 'singlequote':
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    default:
      throw new Error(`unsupported variable format ${format}`);
  }
}

export function expandVariables(sql: string, ctx: MacroContext): string {
  const interval = ctx.interval ?? '1m';
  const builtins: Record<string, string> = {
    __interval: interval,
    __interval_ms: String(Math.round(intervalSeconds(interval) * 1000)),
  };
  return sql.replace(
    /\$\{([_a-zA-Z0-9]+)(?::([a-zA-Z]+))?\}|\$([_a-zA-Z][_a-zA-Z0-9]*)(?!\()/g,
    (all, braced, format, bare) => {
      const name: string = braced ?? bare;
      if (name in builtins) return builtins[name]!;
      if (name.startsWith('__')) return all; // a macro, expanded by the backend step
      let value = ctx.vars?.[name];
      if (value === undefined) throw new Error(`template variable $${name} has no value`);
      if (value === ALL || (Array.isArray(value) && value.includes(ALL))) {
        const custom = ctx.allValue?.[name];
        if (custom !== undefined) return custom; // Grafana skips formatting of a custom all value
        value = ctx.options?.[name];
        if (value === undefined) throw new Error(`template variable $${name} is All but has no options`);
      }
      if (!braced) return formatVar(value, undefined);
      return formatVar(value, format);
    },
  );
}

export function expandMacros(sql: string, ctx: MacroContext): string {
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  const group = (args: string[], name: string) => {
    if (args.length < 2) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
    const s = intervalSeconds(args[1]!.replace(/'/g, ''));
    return s;
  };
  return sql.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (whole, name: string, rawArgs: string, offset: number) => {
    let macro = name;
    // Grafana: `$__timeGroup(...)` directly followed by ',' is the pre-5.3 alias form.
    if (macro === '__timeGroup' && sql[offset + whole.length] === ',') macro = '__timeGroupAlias';
    const args = rawArgs.split(',').map((a) => a.trim());
    const col = args[0] ?? '';
    const need = () => {
      if (!col) throw new Error(`missing time column argument for macro ${name}`);
    };
    switch (macro) {
      case '__time':
        need();
        return `${col} AS "time"`;
      case '__timeEpoch':
        need();
        return `extract(epoch from ${col}) as "time"`;
      case '__timeFilter':
        need();
        return `${col} BETWEEN '${from}' AND '${to}'`;
      case '__timeFrom':
        return `'${from}'`;
      case '__timeTo':
        return `'${to}'`;
      case '__timeGroup': {
        const s = group(args, macro);
        return `floor(extract(epoch from ${col})/${s})*${s}`;
      }
      case '__timeGroupAlias': {
        const s = group(args, macro);
        return `floor(extract(epoch from ${col})/${s})*${s} AS "time"`;
      }
      case '__unixEpochFilter':
        need();
        return `${col} >= ${Math.floor(ctx.from.getTime() / 1000)} AND ${col} <= ${Math.floor(ctx.to.getTime() / 1000)}`;
      case '__unixEpochGroup': {
        const s = group(args, macro);
        return `floor((${col})/${s})*${s}`;
      }
      case '__unixEpochGroupAlias': {
        const s = group(args, macro);
        return `floor((${col})/${s})*${s} AS "time"`;
      }
      default:
        throw new Error(`unknown macro "${name}"`);
    }
  });
}

/** Template variables, then macros: the SQL Postgres receives. */
export function expandQuery(sql: string, ctx: MacroContext): string {
  return expandMacros(expandVariables(sql, ctx), ctx);
}
