import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { panelRunner, VARS, type PanelRunner } from '../helpers/dashboards.js';

// Queue performance's "CSAT (post-call survey)" panel (issue 24, point 5) on a known answer: survey_response rows
// written here, the panel run as Grafana runs it (macros expanded, as the read-only role) against real Postgres.

const FILE = 'queue-performance.json';
const PANEL = 'CSAT (post-call survey)';
const DAY: MacroContext = {
  from: new Date('2026-12-01T00:00:00Z'),
  to: new Date('2026-12-02T00:00:00Z'),
  interval: '1h',
  vars: { ...VARS, queue: ['sales', 'support'] },
  options: {},
};

let adb: AnalyticsDatabase;
let panels: PanelRunner;

type Row = [question: number, status: string, answer: string | null];

/** A call in `queue` and its survey rows, answered at `at`. */
async function surveyed(id: string, queue: string, at: string, rows: Row[]) {
  await adb.client.query(
    `insert into call (id, workflow_id, queue, agent_id, arrived_at, updated_at) values ($1, $2, $3, 'adele', $4::timestamptz - interval '5 minutes', now())`,
    [id, `call-${id}`, queue, at],
  );
  for (const [question, status, answer] of rows) {
    await adb.client.query(
      `insert into survey_response (call_id, question_index, queue, agent_id, answer, status, answered_at) values ($1, $2, $3, 'adele', $4, $5, $6)`,
      [id, question, queue, answer, status, at],
    );
  }
}

beforeAll(async () => {
  adb = await startAnalyticsDatabase('dashboard-csat');
  panels = await panelRunner(adb);
  // support: ratings 5, 4, 2 (2 satisfied of 3), one asked without a key, one who hung up at the question, one who
  // left before the agent. Question 2's answers never count.
  await surveyed('s1', 'support', '2026-12-01T09:00:00Z', [
    [1, 'answered', '5'],
    [2, 'answered', '1'],
  ]);
  await surveyed('s2', 'support', '2026-12-01T10:00:00Z', [
    [1, 'answered', '4'],
    [2, 'answered', '2'],
  ]);
  await surveyed('s3', 'support', '2026-12-01T23:59:59Z', [[1, 'answered', '2']]);
  await surveyed('s4', 'support', '2026-12-01T11:00:00Z', [
    [1, 'noAnswer', null],
    [2, 'answered', '1'],
  ]);
  await surveyed('s5', 'support', '2026-12-01T12:00:00Z', [[1, 'hungUp', null]]);
  await surveyed('s6', 'support', '2026-12-01T13:00:00Z', [[0, 'callerLeft', null]]);
  // sales: one rating of 3, one caller who left first.
  await surveyed('s7', 'sales', '2026-12-01T14:00:00Z', [[1, 'answered', '3']]);
  await surveyed('s8', 'sales', '2026-12-01T15:00:00Z', [[0, 'callerLeft', null]]);
  // Not counted: a queue not selected, the day before, and the first instant of the next day (half-open range).
  await surveyed('s9', 'billing', '2026-12-01T09:00:00Z', [[1, 'answered', '5']]);
  await surveyed('s10', 'support', '2026-11-30T23:59:59Z', [[1, 'answered', '1']]);
  await surveyed('s11', 'support', '2026-12-02T00:00:00Z', [[1, 'answered', '1']]);
}, 120_000);

afterAll(async () => {
  await adb?.stop();
});

describe('Queue performance: CSAT (post-call survey)', () => {
  it('per selected queue: surveyed, satisfied (4–5), CSAT, mean rating, no answer, callers who left first', async () => {
    expect(await panels.run(FILE, PANEL, DAY)).toEqual([
      { queue: 'sales', surveyed: 1, satisfied: 0, csat: 0, avg_rating: 3, no_answer: 0, caller_left: 1 },
      {
        queue: 'support',
        surveyed: 3,
        satisfied: 2,
        csat: 2 / 3,
        avg_rating: 3.67,
        no_answer: 2,
        caller_left: 1,
      },
    ]);
  });

  it('gives nothing for a range with no survey', async () => {
    const rows = await panels.run(FILE, PANEL, {
      ...DAY,
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-02T00:00:00Z'),
    });
    expect(rows).toEqual([]);
  });

  it("a call's survey rows go with it (on delete cascade): what retention and erasure rely on", async () => {
    await adb.client.query(`delete from call where id = 's1'`);
    const left = await adb.client.query(`select count(*)::int as n from survey_response where call_id = 's1'`);
    expect(left.rows).toEqual([{ n: 0 }]);
  });
});
