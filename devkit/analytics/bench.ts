import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { migrate, openDatabase } from '../../src/db/orm.js';
import { seedHistory } from './seed.js';
import { ALL, expandQuery, type MacroContext } from './grafana-macros.js';
import { loadPanelQueries, loadVariableQueries } from './panels.js';

/**
 * Panel benchmark: seeds `calls` calls of 30-day history into a fresh embedded Postgres (or `databaseUrl`), then
 * runs every panel query of the generated dashboards `runs` times (after one warm-up run) over "last 24 h" and
 * "last 7 days", with Grafana's macros expanded, and reports panel_query_ms p50/p95 over all runs and per panel.
 * `$agent` is left at the dashboard's default, All, which Grafana expands to every option its query returns; the
 * dashboards' variable queries are timed too (Grafana runs them on load and on every new time range).
 *
 * CLI: `npm run bench:dashboards` (env BENCH_CALLS, default 1,000,000; BENCH_RUNS, default 10;
 * BENCH_DATABASE_URL to use an existing database; BENCH_SEED=0 to measure the data already there). It prints a
 * table per panel, then one JSON line: {"panel_query_ms_p50":…,"panel_query_ms_p95":…,"rows":…,…}.
 */
export interface BenchOptions {
  /** An existing database; default: a fresh embedded Postgres, removed afterwards. */
  databaseUrl?: string;
  /** Calls to seed (30 days of history ending now). */
  calls: number;
  /** Timed runs per panel and range (default 10). */
  runs?: number;
  /** false: do not seed, measure the data already in `databaseUrl` (ranges end at its last arrival). */
  seed?: boolean;
  onProgress?: (msg: string) => void;
}

export interface BenchResult {
  panel_query_ms_p50: number;
  panel_query_ms_p95: number;
  /** Calls in the database when measured. */
  rows: number;
  /** Per panel, keyed `<range> <dashboard file> / <panel title>` (range: 24h or 7d). */
  per_panel: Record<string, { p50: number; p95: number }>;
  /** Per dashboard file, over all its panels' runs in both ranges. */
  per_dashboard: Record<string, { p50: number; p95: number }>;
  panel_query_ms_max: number;
  agent_state_changes: number;
  seed_seconds: number | null;
  runs: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function benchPanels(opts: BenchOptions): Promise<BenchResult> {
  const runs = opts.runs ?? 10;
  const progress = opts.onProgress ?? (() => {});
  let url = opts.databaseUrl;
  let stop: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!url) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-'));
    const db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    url = db.url;
    stop = db.stop;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    const orm = await openDatabase(url);
    try {
      await migrate(orm);
    } finally {
      await orm.close();
    }
    await client.connect();
    let end = new Date();
    let seedSeconds: number | null = null;
    if (opts.seed !== false) {
      const t0 = Date.now();
      let last = 0;
      await seedHistory(client, {
        calls: opts.calls,
        days: 30,
        end,
        onProgress: (d) => {
          if (d === opts.calls || Date.now() - last > 5000) {
            last = Date.now();
            progress(`seeding ${d}/${opts.calls}`);
          }
        },
        onRebuild: () => progress(`rows in after ${((Date.now() - t0) / 1000).toFixed(1)} s; rebuilding the rollups`),
      });
      seedSeconds = (Date.now() - t0) / 1000;
      progress(
        `seeded ${opts.calls} calls in ${seedSeconds.toFixed(1)} s (${Math.round(opts.calls / seedSeconds)} calls/s)`,
      );
    } else {
      const { rows } = await client.query<{ end: Date | null }>('select max(arrived_at) as end from call');
      end = new Date((rows[0]?.end ?? new Date()).getTime() + 1000);
    }
    const counts = await client.query<{ calls: string; changes: string }>(
      'select (select count(*) from call) as calls, (select count(*) from agent_state_change) as changes',
    );
    const vars = {
      queue: ['sales', 'support', 'billing', 'vip'],
      caller: '+1425000',
      call: 'none',
      agent: ALL,
      zone: 'UTC',
      interval_minutes: '30',
    };
    const variables = await loadVariableQueries(path.join(root, 'dashboards'));
    const agentQuery = variables.find((v) => v.name === 'agent');
    const options = {
      agent: agentQuery
        ? (await client.query<Record<string, string>>(agentQuery.rawSql)).rows.map((r) => Object.values(r)[0]!)
        : [],
    };
    const ranges: [string, MacroContext][] = [
      ['24h', { from: new Date(end.getTime() - 86400_000), to: end, interval: '5m', vars, options }],
      ['7d', { from: new Date(end.getTime() - 7 * 86400_000), to: end, interval: '1h', vars, options }],
    ];
    const queries = [...(await loadPanelQueries(path.join(root, 'dashboards'))), ...variables];
    const all: number[] = [];
    const perPanel: Record<string, { p50: number; p95: number }> = {};
    const byDashboard = new Map<string, number[]>();
    for (const [label, ctx] of ranges) {
      for (const q of queries) {
        const sql = expandQuery(q.rawSql, ctx);
        await client.query(sql); // warm-up
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const s = performance.now();
          await client.query(sql);
          times.push(performance.now() - s);
        }
        all.push(...times);
        byDashboard.set(q.dashboard, [...(byDashboard.get(q.dashboard) ?? []), ...times]);
        const key = `${label} ${q.dashboard} / ${q.panel}`;
        perPanel[key] = { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)) };
        progress(`${key}: p50 ${perPanel[key].p50} ms, p95 ${perPanel[key].p95} ms`);
      }
    }
    return {
      panel_query_ms_p50: round(percentile(all, 50)),
      panel_query_ms_p95: round(percentile(all, 95)),
      rows: Number(counts.rows[0]!.calls),
      per_panel: perPanel,
      per_dashboard: Object.fromEntries(
        [...byDashboard].map(([d, xs]) => [d, { p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)) }]),
      ),
      panel_query_ms_max: round(Math.max(0, ...all)),
      agent_state_changes: Number(counts.rows[0]!.changes),
      seed_seconds: seedSeconds,
      runs,
    };
  } finally {
    await client.end().catch(() => {});
    await stop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const result = await benchPanels({
    databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
    calls: Number(process.env.BENCH_CALLS ?? 1_000_000),
    runs: Number(process.env.BENCH_RUNS ?? 10),
    seed: process.env.BENCH_SEED !== '0',
    onProgress: (msg) => process.stderr.write(`${msg}\n`),
  });
  const lines = Object.entries(result.per_panel).map(([k, v]) => `${v.p50}\t${v.p95}\t${k}`);
  process.stderr.write(`p50_ms\tp95_ms\tpanel\n${lines.join('\n')}\n`);
  const dashboards = Object.entries(result.per_dashboard).map(([k, v]) => `${v.p50}\t${v.p95}\t${k}`);
  process.stderr.write(`p50_ms\tp95_ms\tdashboard\n${dashboards.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
