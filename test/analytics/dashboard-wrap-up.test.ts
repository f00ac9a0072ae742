import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { panelRunner, VARS, type PanelRunner } from '../helpers/dashboards.js';

// Agent performance's "Wrap-up codes" panel (issue 23, point 3) on a known answer: calls by wrap-up code per agent,
// run as Grafana runs it (macros expanded, as the read-only role) against rows written here.

const FILE = 'agent-performance.json';
const PANEL = 'Wrap-up codes';
const DAY: MacroContext = {
  from: new Date('2026-12-01T00:00:00Z'),
  to: new Date('2026-12-02T00:00:00Z'),
  interval: '1h',
  vars: { ...VARS, agent: ['adele', 'megan'] },
  options: { agent: ['adele', 'megan', 'alex'] },
};

let adb: AnalyticsDatabase;
let panels: PanelRunner;

/** A call taken by `agent`, wrapped up with `code` at `at`. */
async function wrapped(id: string, agent: string, code: string, at: string, note: string | null = null) {
  await adb.client.query(
    `insert into call (id, workflow_id, queue, agent_id, arrived_at, updated_at) values ($1, $2, 'support', $3, $4::timestamptz - interval '5 minutes', now())`,
    [id, `call-${id}`, agent, at],
  );
  await adb.client.query(`insert into call_wrap_up (call_id, agent_id, code, note, at) values ($1, $2, $3, $4, $5)`, [
    id,
    agent,
    code,
    note,
    at,
  ]);
}

beforeAll(async () => {
  adb = await startAnalyticsDatabase('dashboard-wrap-up');
  panels = await panelRunner(adb);
  // adele: 3 resolved, 1 escalated in the day; megan: 2 escalated; alex (not selected): 1 resolved.
  await wrapped('w1', 'adele', 'resolved', '2026-12-01T09:00:00Z', 'asked about an invoice');
  await wrapped('w2', 'adele', 'resolved', '2026-12-01T10:00:00Z');
  await wrapped('w3', 'adele', 'escalated', '2026-12-01T11:00:00Z');
  await wrapped('w4', 'adele', 'resolved', '2026-12-01T23:59:59Z');
  await wrapped('w5', 'megan', 'escalated', '2026-12-01T00:00:00Z');
  await wrapped('w6', 'megan', 'escalated', '2026-12-01T12:00:00Z');
  await wrapped('w7', 'alex', 'resolved', '2026-12-01T12:00:00Z');
  // Outside the range: the day before, and the first instant of the next day (the range is half-open).
  await wrapped('w8', 'adele', 'escalated', '2026-11-30T23:59:59Z');
  await wrapped('w9', 'megan', 'resolved', '2026-12-02T00:00:00Z');
  // A call with no wrap-up code is not counted.
  await adb.client.query(
    `insert into call (id, workflow_id, queue, agent_id, arrived_at, updated_at) values ('w10', 'call-w10', 'support', 'adele', '2026-12-01T13:00:00Z', now())`,
  );
}, 120_000);

afterAll(async () => {
  await adb?.stop();
});

describe('Agent performance: Wrap-up codes', () => {
  it('counts the calls of each selected agent by wrap-up code within the range', async () => {
    const rows = await panels.run(FILE, PANEL, DAY);
    expect(rows).toEqual([
      { agent_id: 'adele', code: 'resolved', calls: 3 },
      { agent_id: 'adele', code: 'escalated', calls: 1 },
      { agent_id: 'megan', code: 'escalated', calls: 2 },
    ]);
  });

  it('gives nothing for a range with no wrap-up', async () => {
    const rows = await panels.run(FILE, PANEL, {
      ...DAY,
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-02T00:00:00Z'),
    });
    expect(rows).toEqual([]);
  });

  it("never shows the agent's note: the reader role cannot read the table that holds it", async () => {
    await expect(adb.asReader('select note from call_wrap_up')).rejects.toThrow(/permission denied/);
    const view = await adb.asReader(
      `select column_name from information_schema.columns where table_schema = 'metrics' and table_name = 'call_wrap_up' order by column_name`,
    );
    expect(view.map((r) => r.column_name)).toEqual(['agent_id', 'at', 'call_id', 'code']);
  });
});
