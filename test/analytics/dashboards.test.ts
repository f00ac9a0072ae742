import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { migrate, openDatabase } from '../../src/db/orm.js';
import { EXPECTED, FIXTURE_DAY, FIXTURE_NOW, writeFixture } from '../../devkit/analytics/fixture.js';
import { ALL, expandQuery, intervalSeconds, type MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { DASHBOARDS_DIR, renderAll } from '../../dashboards/generate.js';
import { TIMELINE_MAX_AGENTS } from '../../dashboards/dashboards.js';

// Every panel of the generated dashboards, run as Grafana runs it (macros and variables expanded, as the
// read-only role) against real Postgres holding a dataset whose answers are known in advance.

interface Target {
  rawSql: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { type: string; name: string; query?: string; current?: { value: string | string[] } }[] };
}

let db: EmbeddedDatabase;
let dataDir: string;
let client: pg.Client;
const dashboards: Record<string, DashboardJson> = {};

// $agent is left at its default, All: every agent the variable's query lists (Grafana expands All to its options).
const VARS = { queue: ['sales', 'support'], caller: '', call: 'fx-001', agent: ALL };
const OPTIONS = { agent: ['s1', 's2', 't1', 't2'] };
const DAY: MacroContext = { from: FIXTURE_DAY.from, to: FIXTURE_DAY.to, interval: '1h', vars: VARS, options: OPTIONS };
// The wallboard's "now": its time range is today so far, so $__timeTo() is now.
const WALLBOARD: MacroContext = {
  from: FIXTURE_DAY.from,
  to: FIXTURE_NOW,
  interval: '1m',
  vars: VARS,
  options: OPTIONS,
};
const EMPTY: MacroContext = {
  from: new Date('2020-01-01T00:00:00Z'),
  to: new Date('2020-01-02T00:00:00Z'),
  interval: '1h',
  vars: VARS,
  options: OPTIONS,
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-dashboards-'));
  db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const orm = await openDatabase(db.url);
  try {
    expect(await migrate(orm)).toContain('Migration20261128030000_metrics');
  } finally {
    await orm.close();
  }
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await writeFixture(client);
  for (const file of Object.keys(renderAll()).filter((f) => f.startsWith('generated/'))) {
    dashboards[path.basename(file)] = JSON.parse(
      await readFile(path.join(DASHBOARDS_DIR, file), 'utf8'),
    ) as DashboardJson;
  }
});

afterAll(async () => {
  await client?.end();
  await db?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs SQL as the read-only role Grafana uses. */
async function asReader(sql: string): Promise<Record<string, unknown>[]> {
  await client.query('begin');
  try {
    await client.query('set local role switchboard_reader');
    const res = await client.query(sql);
    return res.rows as Record<string, unknown>[];
  } finally {
    await client.query('rollback');
  }
}

function panel(file: string, title: string): Panel {
  const p = dashboards[file]?.panels.find((x) => x.title === title);
  if (!p) throw new Error(`no panel '${title}' in ${file}`);
  return p;
}

async function run(file: string, title: string, ctx: MacroContext = DAY): Promise<Record<string, unknown>[]> {
  return asReader(expandQuery(panel(file, title).targets![0]!.rawSql, ctx));
}

/** The single value a stat panel shows (first column of the first row). */
async function value(file: string, title: string, ctx: MacroContext = DAY): Promise<number | null> {
  const rows = await run(file, title, ctx);
  if (rows.length === 0) return null;
  const v = Object.values(rows[0]!)[0];
  return v === null || v === undefined ? null : Number(v);
}

describe('generated dashboards', () => {
  it('are up to date with dashboards/*.ts (run `npm run dashboards` when this fails)', async () => {
    const expected = renderAll();
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(7);
    for (const [rel, content] of Object.entries(expected)) {
      const onDisk = await readFile(path.join(DASHBOARDS_DIR, rel), 'utf8').catch(() => '(missing)');
      expect(onDisk, `dashboards/${rel} is stale`).toBe(content);
    }
  });

  it('carry a Postgres query on every panel, through the custom dataquery type', () => {
    expect(Object.keys(dashboards).sort()).toEqual(
      [
        'agent-performance.json',
        'call-explorer.json',
        'queue-performance.json',
        'voicemail-callbacks.json',
        'wallboard.json',
      ].sort(),
    );
    for (const d of Object.values(dashboards)) {
      for (const p of d.panels) {
        expect(p.targets?.length, `${d.title} / ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets!) {
          expect(t).toMatchObject({
            datasource: { type: 'grafana-postgresql-datasource' },
            rawQuery: true,
            editorMode: 'code',
          });
        }
      }
    }
    expect((dashboards['wallboard.json'] as unknown as { refresh: string }).refresh).toBe('5s');
    // Agent performance opens on every agent: the table lists them all, the timeline draws the first few.
    const agent = dashboards['agent-performance.json']!.templating!.list.find((v) => v.name === 'agent');
    expect(agent).toMatchObject({
      type: 'query',
      query: 'select agent_id from metrics.agent_list order by 1',
      current: { value: [ALL] },
    });
  });
});

describe('every panel query', () => {
  it('runs as the read-only role, over data and over an empty range, and every variable query runs', async () => {
    let ran = 0;
    for (const [file, d] of Object.entries(dashboards)) {
      for (const p of d.panels) {
        for (const t of p.targets ?? []) {
          for (const ctx of [DAY, EMPTY, { ...DAY, vars: { ...VARS, queue: ['support'], agent: ['t2'] } }]) {
            const sql = expandQuery(t.rawSql, ctx);
            expect(sql, `${file} / ${p.title}: unexpanded macro`).not.toMatch(/\$__|\$\{|\$[a-z]/);
            await expect(asReader(sql), `${file} / ${p.title}`).resolves.toBeInstanceOf(Array);
            ran++;
          }
        }
      }
      for (const v of d.templating?.list ?? []) {
        if (v.type === 'query') {
          const rows = await asReader(expandQuery(v.query!, DAY));
          const want: Record<string, string[]> = { queue: ['sales', 'support'], agent: OPTIONS.agent };
          expect(
            rows.map((r) => r[v.name === 'agent' ? 'agent_id' : v.name]),
            `${file} $${v.name}`,
          ).toEqual(want[v.name]);
        }
      }
    }
    expect(ran).toBeGreaterThan(40);
  });

  it('shows zeros or no data, never an error, on an empty time range', async () => {
    const q = 'queue-performance.json';
    expect(await value(q, 'Queued', EMPTY)).toBe(0);
    expect(await value(q, 'Service level (SL1)', EMPTY)).toBeNull();
    expect(await value(q, 'ASA', EMPTY)).toBeNull();
    expect(await value(q, 'Abandonment rate', EMPTY)).toBeNull();
    expect(await run(q, 'Service level over time (SL1)', EMPTY)).toEqual([]);
    expect(await value('agent-performance.json', 'Calls handled', EMPTY)).toBe(0);
    expect(await value('agent-performance.json', 'AHT', EMPTY)).toBeNull();
    expect(await value('voicemail-callbacks.json', 'Callbacks requested', EMPTY)).toBe(0);
  });
});

const TIMELINE = `Agent state timeline (first ${TIMELINE_MAX_AGENTS} selected agents)`;
// A $__interval shorter than any interval of the fixture (the shortest lasts 5 s): the timeline gives every change.
const FINE: MacroContext = { ...DAY, interval: '1s' };

/**
 * The timeline's rule computed here from the raw intervals (metrics.agent_interval, read as the owner): per agent and
 * bucket of `seconds` (epoch-aligned), among the intervals starting in it (clipped to `from`), the state with the most
 * time inside the bucket (ties: the one starting first), at the first start; rows ordered by time, then agent.
 */
async function downsampled(from: Date, to: Date, seconds: number): Promise<[string, string, string][]> {
  const res = await client.query(
    `select agent_id, state, greatest(started_at, $1) as s, least(coalesce(ended_at, least(now(), $2)), $2) as e
     from metrics.agent_interval where started_at < $2 and coalesce(ended_at, 'infinity') > $1 order by agent_id, s`,
    [from, to],
  );
  const groups = new Map<string, { agent: string; first: number; held: Map<string, { t: number; first: number }> }>();
  for (const r of res.rows as { agent_id: string; state: string; s: Date; e: Date }[]) {
    const s = r.s.getTime();
    const k = Math.floor(s / 1000 / seconds);
    const end = Math.min(r.e.getTime(), (k + 1) * seconds * 1000);
    const key = `${r.agent_id} ${k}`;
    const g = groups.get(key) ?? { agent: r.agent_id, first: s, held: new Map() };
    groups.set(key, g);
    g.first = Math.min(g.first, s);
    const h = g.held.get(r.state) ?? { t: 0, first: s };
    h.t += Math.max(0, end - s);
    h.first = Math.min(h.first, s);
    g.held.set(r.state, h);
  }
  const rows: [number, string, string][] = [];
  for (const g of groups.values()) {
    const [state] = [...g.held].sort(([sa, a], [sb, b]) => b.t - a.t || a.first - b.first || (sa < sb ? -1 : 1))[0]!;
    rows.push([g.first, g.agent, state]);
  }
  rows.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  return rows.map(([t, agent, state]) => [new Date(t).toISOString(), agent, state]);
}

describe('numbers on the known-answer dataset', () => {
  const q = 'queue-performance.json';

  it('queue performance: SL1, SL2, ASA, abandonment, AHT over all queues', async () => {
    const t = EXPECTED.totals;
    expect(await value(q, 'Queued')).toBe(EXPECTED.all.queued);
    expect(await value(q, 'Answered')).toBe(EXPECTED.all.answered);
    expect(await value(q, 'Abandoned')).toBe(EXPECTED.all.abandoned);
    expect(await value(q, 'Callbacks (flow-out)')).toBe(EXPECTED.all.callbacks);
    expect(await value(q, 'Service level (SL1)')).toBeCloseTo(t.sl1, 12);
    expect(await value(q, 'Service level (SL2)')).toBeCloseTo(t.sl2, 12);
    expect(await value(q, 'ASA')).toBeCloseTo(t.asa, 9);
    expect(await value(q, 'Abandonment rate')).toBeCloseTo(t.abandonment, 12);
    expect(await value(q, 'AHT')).toBeCloseTo(t.aht, 9);
    expect(await value(q, 'Longest wait in range')).toBe(60);
  });

  it('queue performance per queue, with per-queue thresholds and the $queue filter', async () => {
    const rows = await run(q, 'Per queue');
    expect(rows.map((r) => r.queue)).toEqual(['sales', 'support']);
    for (const [i, e] of [EXPECTED.sales, EXPECTED.support].entries()) {
      const r = rows[i]!;
      expect(Number(r.queued)).toBe(e.queued);
      expect(Number(r.answered)).toBe(e.answered);
      expect(Number(r.answered_within)).toBe(e.answeredWithin);
      expect(Number(r.abandoned)).toBe(e.abandoned);
      expect(r.service_level).toBeCloseTo(e.sl1, 12);
      expect(r.service_level_abandoned).toBeCloseTo(e.sl2, 12);
      expect(r.asa_seconds).toBeCloseTo(e.asa, 9);
      expect(r.abandonment_rate).toBeCloseTo(e.abandonment, 12);
      expect(r.aht_seconds).toBeCloseTo(e.aht, 9);
    }
    const support = { ...DAY, vars: { ...VARS, queue: ['support'] } };
    expect(await value(q, 'Service level (SL1)', support)).toBeCloseTo(EXPECTED.support.sl1, 12);
    expect(await value(q, 'Queued', support)).toBe(EXPECTED.support.queued);
    expect(await value(q, 'AHT', support)).toBeCloseTo(EXPECTED.support.aht, 9);
  });

  it('time series: buckets add up to the totals; calls per interval counts every arrival', async () => {
    const sl = await run(q, 'Service level over time (SL1)');
    expect(sl.length).toBeGreaterThan(1);
    expect(sl.every((r) => r.time instanceof Date && typeof r.queue === 'string')).toBe(true);
    const calls = await run(q, 'Calls per interval');
    expect(calls.reduce((s, r) => s + Number(r.calls), 0)).toBe(EXPECTED.totals.callsArrived - 4); // $queue excludes never-queued
    const everything = await run(q, 'Calls per interval', { ...DAY, vars: { ...VARS, queue: [] } });
    expect(everything.reduce((s, r) => s + Number(r.calls), 0)).toBe(EXPECTED.totals.callsArrived);
  });

  it('wallboard: waiting now, longest wait, agents by state, today', async () => {
    const w = 'wallboard.json';
    expect(await value(w, 'Waiting now', WALLBOARD)).toBe(EXPECTED.live.salesWaiting);
    expect(await value(w, 'Longest current wait', WALLBOARD)).toBe(EXPECTED.live.salesLongestWait);
    expect(await value(w, 'Agents available', WALLBOARD)).toBe(EXPECTED.live.available);
    expect(await value(w, 'Agents on call', WALLBOARD)).toBe(EXPECTED.live.onCall);
    expect(await value(w, 'Agents in wrap-up', WALLBOARD)).toBe(EXPECTED.live.wrapUp);
    expect(await value(w, 'Agents away', WALLBOARD)).toBe(EXPECTED.live.away);
    expect(await value(w, 'Service level today (SL1)', WALLBOARD)).toBeCloseTo(EXPECTED.totals.sl1, 12);
    expect(await value(w, 'Abandonment today', WALLBOARD)).toBeCloseTo(EXPECTED.totals.abandonment, 12);
    const queues = await run(w, 'Queues now', WALLBOARD);
    expect(queues.map((r) => [r.queue, r.waiting, r.longest_wait_seconds])).toEqual([
      ['sales', 3, 95],
      ['support', 0, 0],
    ]);
  });

  it('agent performance: calls handled, AHT, occupancy, missed offers, state timeline', async () => {
    const a = 'agent-performance.json';
    expect(await value(a, 'Calls handled')).toBe(EXPECTED.all.answered);
    expect(await value(a, 'AHT')).toBeCloseTo(EXPECTED.totals.aht, 9);
    expect(await value(a, 'Occupancy')).toBeCloseTo(EXPECTED.occupancyAll, 12);
    expect(await value(a, 'Missed offers')).toBe(2);
    const rows = await run(a, 'Agents');
    expect(rows.map((r) => r.agent_id)).toEqual(['s1', 's2', 't1', 't2']);
    for (const r of rows) {
      const e = EXPECTED.agents[r.agent_id as keyof typeof EXPECTED.agents];
      expect(Number(r.calls_handled)).toBe(e.handled);
      expect(r.aht_seconds).toBeCloseTo(e.aht, 9);
      expect(r.occupancy).toBeCloseTo(e.occupancy, 12);
      expect(Number(r.missed_offers)).toBe(e.missed);
    }
    // $__interval of 1 s: no interval holds two changes, so every change is a row.
    const timeline = await run(a, TIMELINE, FINE);
    expect(timeline.length).toBe(4 + 2 * 2 + 64 * 4); // signedOut each, s1's two missed offers, 4 states per call
    expect(new Set(timeline.map((r) => r.agent_id))).toEqual(new Set(['s1', 's2', 't1', 't2']));
  });

  it('agent performance: the state timeline gives, per agent and $__interval, the state held longest from its first change', async () => {
    const a = 'agent-performance.json';
    // 1 h (the day's context): s1 works from 09:00 to 10:34:10 (2 missed offers of 75 s, 20 calls of 275 s). From 09:00
    // it is on calls 2,245 s of the hour (12 × 180 + the 85 s of the 13th call's talk before 10:00), available 900,
    // wrap-up 360, reserved 95; from 10:01:35 (the 13th call's wrap-up) signed out 1,550 s (10:34:10 to 11:00), on
    // calls 7 × 180 = 1,260, the rest less.
    const s1 = await run(a, TIMELINE, { ...DAY, vars: { ...VARS, agent: ['s1'] } });
    expect(s1.map((r) => [(r.time as Date).toISOString(), r.agent_id, r.state])).toEqual([
      ['2026-11-20T09:00:00.000Z', 's1', 'onCall'],
      ['2026-11-20T10:01:35.000Z', 's1', 'signedOut'],
    ]);
    // Every agent, against the same rule applied here to the raw intervals (metrics.agent_interval).
    for (const interval of ['1h', '5m', '1m', '10s']) {
      const ctx = { ...DAY, interval };
      const got = await run(a, TIMELINE, ctx);
      const want = await downsampled(FIXTURE_DAY.from, FIXTURE_DAY.to, intervalSeconds(interval));
      expect(
        got.map((r) => [(r.time as Date).toISOString(), r.agent_id, r.state]),
        interval,
      ).toEqual(want);
      expect(got.length, interval).toBeLessThan(264);
    }
  });

  it('agent performance: the table and the timeline show the agents selected in $agent; the totals stay for all', async () => {
    const a = 'agent-performance.json';
    const some = { ...DAY, vars: { ...VARS, agent: ['t2', 's1'] } };
    const rows = await run(a, 'Agents', some);
    expect(rows.map((r) => r.agent_id)).toEqual(['s1', 't2']);
    expect(rows.map((r) => Number(r.calls_handled))).toEqual([EXPECTED.agents.s1.handled, EXPECTED.agents.t2.handled]);
    expect(rows[1]!.occupancy).toBeCloseTo(EXPECTED.agents.t2.occupancy, 12);
    const s1 = await run(a, TIMELINE, { ...FINE, vars: { ...VARS, agent: ['s1'] } });
    expect(s1.length).toBe(1 + 2 * 2 + 20 * 4); // signedOut, two missed offers, 4 states per call
    expect(s1.every((r) => r.agent_id === 's1')).toBe(true);
    // Rows start at the range start at the earliest, in time order: what the state-timeline panel draws.
    const times = s1.map((r) => (r.time as Date).getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(await value(a, 'Calls handled', some)).toBe(EXPECTED.all.answered);
    // A selection naming an agent with no history shows nothing for it, without an error.
    expect(await run(a, 'Agents', { ...DAY, vars: { ...VARS, agent: ['nobody'] } })).toEqual([]);
    expect(await run(a, TIMELINE, { ...DAY, vars: { ...VARS, agent: ['nobody'] } })).toEqual([]);
  });

  it('call explorer: search by number or name, the path, workflow and recording', async () => {
    const c = 'call-explorer.json';
    expect((await run(c, 'Calls')).length).toBe(EXPECTED.totals.callsArrived);
    const byNumber = await run(c, 'Calls', { ...DAY, vars: { ...VARS, caller: '+14255550007' } });
    expect(byNumber.map((r) => [r.id, r.workflow_id])).toEqual([['fx-007', 'call-fx-007']]);
    const byName = await run(c, 'Calls', { ...DAY, vars: { ...VARS, caller: "caller 9'" } }); // a quote is data, not SQL
    expect(byName).toEqual([]);
    const withRecording = (await run(c, 'Calls')).filter((r) => r.recording_url);
    expect(withRecording).toHaveLength(4);
    const path = await run(c, 'Call path');
    expect(path.map((r) => r.type)).toEqual(['incoming', 'ended']);
  });

  it('voicemail and callbacks', async () => {
    const v = 'voicemail-callbacks.json';
    expect(await value(v, 'Callbacks requested')).toBe(EXPECTED.callbacks.requested);
    expect(await value(v, 'Callbacks completed')).toBe(EXPECTED.callbacks.completed);
    expect(await value(v, 'Callbacks failed')).toBe(EXPECTED.callbacks.failed);
    expect(await value(v, 'Callbacks pending')).toBe(EXPECTED.callbacks.pending);
    expect(await value(v, 'Voicemails')).toBe(EXPECTED.voicemails.total);
    expect(await value(v, 'Voicemails not handled')).toBe(EXPECTED.voicemails.unhandled);
    expect(await run(v, 'Voicemail list')).toHaveLength(4);
    expect(await run(v, 'Callback list')).toHaveLength(8);
  });
});

describe('read-only role', () => {
  it('reads the metric views and nothing else', async () => {
    expect(await asReader('select count(*)::int as n from metrics.call_explorer')).toEqual([
      { n: EXPECTED.totals.callsArrived },
    ]);
    for (const table of [
      'call',
      'call_event',
      'agent_state_change',
      'agent_live',
      'queue_live',
      'callback',
      'voicemail',
      'queue_setting',
      'mikro_orm_migrations',
    ]) {
      await expect(asReader(`select * from ${table} limit 1`), table).rejects.toThrow(/permission denied/);
    }
    await expect(
      asReader(`insert into metrics.call_path (call_id, seq, type, at) values ('x', 1, 'x', now())`),
    ).rejects.toThrow(/permission denied/);
    await expect(asReader(`update queue_setting set sl_threshold_seconds = 1`)).rejects.toThrow(/permission denied/);
    const login = await client.query(`select rolcanlogin from pg_roles where rolname = 'switchboard_reader'`);
    expect(login.rows).toEqual([{ rolcanlogin: false }]);
  });
});
