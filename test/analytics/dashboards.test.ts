import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED } from '../../devkit/analytics/fixture.js';
import { ALL, expandQuery } from '../../devkit/analytics/grafana-macros.js';
import { DASHBOARDS_DIR, renderAll } from '../../dashboards/generate.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { DAY, EMPTY, OPTIONS, panelRunner, VARS, type PanelRunner } from '../helpers/dashboards.js';

// Every panel of the generated dashboards, run as Grafana runs it (macros and variables expanded, as the
// read-only role) against real Postgres holding a dataset whose answers are known in advance. The figures of each
// dashboard are checked in dashboard-queues.test.ts and dashboard-agents.test.ts.

let adb: AnalyticsDatabase;
let panels: PanelRunner;

beforeAll(async () => {
  adb = await startAnalyticsDatabase('dashboards', { fixture: true });
  panels = await panelRunner(adb);
});

afterAll(async () => {
  await adb?.stop();
});

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
    expect(Object.keys(panels.dashboards).sort()).toEqual(
      [
        'agent-performance.json',
        'call-explorer.json',
        'queue-performance.json',
        'voicemail-callbacks.json',
        'wallboard.json',
      ].sort(),
    );
    for (const d of Object.values(panels.dashboards)) {
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
    expect((panels.dashboards['wallboard.json'] as unknown as { refresh: string }).refresh).toBe('5s');
    // Agent performance opens on every agent: the table lists them all, the timeline draws the first few.
    const agent = panels.dashboards['agent-performance.json']!.templating!.list.find((v) => v.name === 'agent');
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
    for (const [file, d] of Object.entries(panels.dashboards)) {
      for (const p of d.panels) {
        for (const t of p.targets ?? []) {
          for (const ctx of [DAY, EMPTY, { ...DAY, vars: { ...VARS, queue: ['support'], agent: ['t2'] } }]) {
            const sql = expandQuery(t.rawSql, ctx);
            expect(sql, `${file} / ${p.title}: unexpanded macro`).not.toMatch(/\$__|\$\{|\$[a-z]/);
            await expect(adb.asReader(sql), `${file} / ${p.title}`).resolves.toBeInstanceOf(Array);
            ran++;
          }
        }
      }
      for (const v of d.templating?.list ?? []) {
        if (v.type === 'query') {
          const rows = await adb.asReader(expandQuery(v.query!, DAY));
          // $zone: the configured zone; sales (New York) and support (the site's) differ, so the site's.
          const want: Record<string, string[]> = {
            queue: ['sales', 'support'],
            agent: OPTIONS.agent,
            zone: [EXPECTED.zones.all],
          };
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
    expect(await panels.value(q, 'Queued', EMPTY)).toBe(0);
    expect(await panels.value(q, 'Service level (SL1)', EMPTY)).toBeNull();
    expect(await panels.value(q, 'ASA', EMPTY)).toBeNull();
    expect(await panels.value(q, 'Abandonment rate', EMPTY)).toBeNull();
    expect(await panels.run(q, 'Service level over time (SL1)', EMPTY)).toEqual([]);
    expect(await panels.value('agent-performance.json', 'Calls handled', EMPTY)).toBe(0);
    expect(await panels.value('agent-performance.json', 'AHT', EMPTY)).toBeNull();
    expect(await panels.value('voicemail-callbacks.json', 'Callbacks requested', EMPTY)).toBe(0);
  });
});

describe('read-only role', () => {
  it('reads the metric views and nothing else', async () => {
    expect(await adb.asReader('select count(*)::int as n from metrics.call_explorer')).toEqual([
      { n: EXPECTED.totals.callsStored },
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
      await expect(adb.asReader(`select * from ${table} limit 1`), table).rejects.toThrow(/permission denied/);
    }
    await expect(
      adb.asReader(`insert into metrics.call_path (call_id, seq, type, at) values ('x', 1, 'x', now())`),
    ).rejects.toThrow(/permission denied/);
    await expect(adb.asReader(`update queue_setting set sl_threshold_seconds = 1`)).rejects.toThrow(
      /permission denied/,
    );
    const login = await adb.client.query(`select rolcanlogin from pg_roles where rolname = 'switchboard_reader'`);
    expect(login.rows).toEqual([{ rolcanlogin: false }]);
  });
});
