import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURE_DAY, FIXTURE_NOW } from '../../devkit/analytics/fixture.js';
import { ALL, expandQuery, type MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { DASHBOARDS_DIR, renderAll } from '../../dashboards/generate.js';
import type { AnalyticsDatabase, Row } from './analytics-db.js';

/**
 * The generated dashboards' panels run as Grafana runs them (macros and variables expanded, as the read-only role)
 * against the known-answer fixture (devkit/analytics/fixture.ts): what the dashboard tests share.
 */

export interface Target {
  rawSql: string;
}
export interface Panel {
  title: string;
  type: string;
  targets?: Target[];
}
export interface DashboardJson {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { type: string; name: string; query?: string; current?: { value: string | string[] } }[] };
}

// $agent is left at its default, All: every agent the variable's query lists (Grafana expands All to its options).
// $queue lists every queue the variable's query gives: what All sends. $zone is what its query gives for both queues:
// the site's zone, as sales and support keep different clocks (devkit/analytics/fixture-zones.ts).
export const VARS = {
  queue: ['sales', 'support'],
  caller: '',
  call: 'fx-001',
  agent: ALL,
  zone: 'Asia/Kolkata',
  interval_minutes: '30',
};
export const OPTIONS = { agent: ['s1', 's2', 't1', 't2'] };
export const DAY: MacroContext = {
  from: FIXTURE_DAY.from,
  to: FIXTURE_DAY.to,
  interval: '1h',
  vars: VARS,
  options: OPTIONS,
};
/** The wallboard's "now": its time range is today so far, so $__timeTo() is now. */
export const WALLBOARD: MacroContext = {
  from: FIXTURE_DAY.from,
  to: FIXTURE_NOW,
  interval: '1m',
  vars: VARS,
  options: OPTIONS,
};
export const EMPTY: MacroContext = {
  from: new Date('2020-01-01T00:00:00Z'),
  to: new Date('2020-01-02T00:00:00Z'),
  interval: '1h',
  vars: VARS,
  options: OPTIONS,
};

/** The generated dashboards, by file name, as on disk. */
export async function loadGenerated(): Promise<Record<string, DashboardJson>> {
  const out: Record<string, DashboardJson> = {};
  for (const file of Object.keys(renderAll()).filter((f) => f.startsWith('generated/'))) {
    out[path.basename(file)] = JSON.parse(await readFile(path.join(DASHBOARDS_DIR, file), 'utf8')) as DashboardJson;
  }
  return out;
}

export interface PanelRunner {
  dashboards: Record<string, DashboardJson>;
  panel(file: string, title: string): Panel;
  run(file: string, title: string, ctx?: MacroContext): Promise<Row[]>;
  /** The single value a stat panel shows (first column of the first row). */
  value(file: string, title: string, ctx?: MacroContext): Promise<number | null>;
}

export async function panelRunner(adb: AnalyticsDatabase): Promise<PanelRunner> {
  const dashboards = await loadGenerated();
  const panel = (file: string, title: string): Panel => {
    const p = dashboards[file]?.panels.find((x) => x.title === title);
    if (!p) throw new Error(`no panel '${title}' in ${file}`);
    return p;
  };
  const run = (file: string, title: string, ctx: MacroContext = DAY) =>
    adb.asReader(expandQuery(panel(file, title).targets![0]!.rawSql, ctx));
  return {
    dashboards,
    panel,
    run,
    async value(file, title, ctx = DAY) {
      const rows = await run(file, title, ctx);
      if (rows.length === 0) return null;
      const v = Object.values(rows[0]!)[0];
      return v === null || v === undefined ? null : Number(v);
    },
  };
}
