import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';

// Issue 27, point 4: the service level by each queue's chosen formula (metrics.queue_service_level; docs/metrics.md,
// "Service level formulas") and the repeat-caller rate within 24 h and 7 days (metrics.repeat_callers), on hand-placed
// calls whose answers are worked out below. Run as the dashboards' read-only role.

let adb: AnalyticsDatabase;
const T = Date.parse('2031-03-03T09:00:00Z');
const at = (hours: number) => new Date(T + hours * 3600_000);

let n = 0;
async function queued(queue: string, queuedAt: Date, wait: number, answered: boolean, fromId?: string): Promise<void> {
  const id = `slf-${++n}`;
  const end = new Date(queuedAt.getTime() + wait * 1000);
  await adb.client.query(
    `insert into call (id, workflow_id, queue, outcome, wait_seconds, from_id, arrived_at, queued_at, connected_at,
                       ended_at, updated_at)
     values ($1::varchar, 'call-' || $1::varchar, $2, $3, $4, $5, $6, $6, $7, $8, $8)`,
    [id, queue, answered ? 'connected' : 'abandoned', wait, fromId ?? null, queuedAt, answered ? end : null, end],
  );
}

beforeAll(async () => {
  adb = await startAnalyticsDatabase('sl-formulas');
  // Queue q1: threshold 20 s, short abandons under 5 s.
  await adb.client.query(
    `insert into queue_setting (queue, sl_threshold_seconds, short_abandon_seconds, updated_at) values ('q1', 20, 5, now())`,
  );
  // Answered after 10, 15 and 30 s: 3 answered, 2 within 20 s.
  for (const wait of [10, 15, 30]) await queued('q1', at(1), wait, true);
  // Abandoned after 8 s (within the threshold) and 40 s (after it): 2 abandoned, 1 within.
  for (const wait of [8, 40]) await queued('q1', at(1), wait, false);
  // Abandoned after 3 s: a short abandon, in no formula.
  await queued('q1', at(1), 3, false);
});

afterAll(async () => {
  await adb?.stop();
});

async function serviceLevel(formula: string): Promise<Record<string, unknown>> {
  await adb.client.query(`update queue_setting set sl_formula = $1 where queue = 'q1'`, [formula]);
  const [row] = await adb.asReader(`select * from metrics.queue_service_level($1, $2, array['q1']::text[])`, [
    at(0),
    at(24),
  ]);
  return row!;
}

describe('service level by the queue’s formula (issue 27, point 4)', () => {
  it('answered within ÷ answered (SL1): 2/3', async () => {
    const row = await serviceLevel('answered');
    expect(row).toMatchObject({
      queue: 'q1',
      sl_formula: 'answered',
      answered: '3',
      answered_within: '2',
      abandoned: '2',
      abandoned_within: '1',
      short_abandons: '1',
    });
    expect(row.service_level).toBeCloseTo(2 / 3, 10);
  });

  it('answered within ÷ (answered + abandoned), the default (SL2): 2/5', async () => {
    expect((await serviceLevel('answered_abandoned')).service_level).toBeCloseTo(0.4, 10);
  });

  it('(answered within + abandoned within) ÷ (answered + abandoned): 3/5', async () => {
    expect((await serviceLevel('abandons_within_met')).service_level).toBeCloseTo(0.6, 10);
  });

  it('answered within ÷ (answered + abandoned after the threshold): 2/4', async () => {
    expect((await serviceLevel('late_abandons')).service_level).toBeCloseTo(0.5, 10);
  });

  it('refuses a formula it does not know', async () => {
    await expect(adb.client.query(`update queue_setting set sl_formula = 'best' where queue = 'q1'`)).rejects.toThrow(
      /queue_setting_sl_formula_check/,
    );
  });

  it('gives no data, not an error, for an empty range', async () => {
    expect(await adb.asReader(`select * from metrics.queue_service_level($1, $2, null)`, [at(-48), at(-24)])).toEqual(
      [],
    );
  });
});

describe('the Teams Queues app’s service levels, over offered calls (issue 27, point 4)', () => {
  // learn.microsoft.com "Auto attendant and Call queue real-time metrics" (aa-cq-real-time-reports): sl_met_*_abandon
  // divide by tot_offered_calls. Queue q3 (20 s, short under 5 s): answered after 10, 15, 30 s; abandoned after 8 and
  // 40 s; a short abandon (3 s); a call timed out there (60 s); a call timed out after 50 s and sent on to q4; a call
  // that overflowed to q4 (the full queue rejected it: not offered). Offered = 7 own rows − 1 short + 1 sent on after
  // its time-out = 7. Within 2, abandoned within 1: negative 2/7, positive (2 + 1)/7, no-abandon 2/(7 − 1).
  beforeAll(async () => {
    await adb.client.query(
      `insert into queue_setting (queue, sl_threshold_seconds, short_abandon_seconds, updated_at) values ('q3', 20, 5, now())`,
    );
    for (const wait of [10, 15, 30]) await queued('q3', at(30), wait, true);
    for (const wait of [8, 40, 3]) await queued('q3', at(30), wait, false);
    const row = async (id: string, queue: string, outcome: string, queuedAt: Date, wait: number) =>
      adb.client.query(
        `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, ended_at, updated_at)
         values ($1::varchar, 'call-' || $1::varchar, $2, $3, $4, $5, $5, $6, $6)`,
        [id, queue, outcome, wait, queuedAt, new Date(queuedAt.getTime() + wait * 1000)],
      );
    await row('slf-timeout', 'q3', 'queueDisconnected', at(30), 60);
    for (const [id, reason, waited] of [
      ['slf-sent-on', 'timeout', 50],
      ['slf-overflow', 'overflow', 2],
    ] as const) {
      const left = new Date(at(30).getTime() + waited * 1000);
      await row(id, 'q4', 'abandoned', left, 30);
      await adb.client.query(
        `insert into call_event (call_id, seq, type, at, payload) values ($1, 1, 'queueExit', $2, $3)`,
        [
          id,
          left,
          JSON.stringify({ queue: 'q3', reason, action: { type: 'queue', queue: 'q4' }, waitSeconds: waited }),
        ],
      );
    }
  });

  async function teams(formula: string): Promise<Record<string, unknown>> {
    await adb.client.query(`update queue_setting set sl_formula = $1 where queue = 'q3'`, [formula]);
    const [row] = await adb.asReader(`select * from metrics.queue_service_level($1, $2, array['q3']::text[])`, [
      at(29),
      at(31),
    ]);
    return row!;
  }

  it('sl_met_negative_abandon: answered within ÷ offered, 2/7', async () => {
    const row = await teams('teams_negative_abandon');
    expect(row).toMatchObject({ answered: '3', answered_within: '2', abandoned_within: '1', short_abandons: '1' });
    expect(row).toMatchObject({ offered: '7' });
    expect(row.service_level).toBeCloseTo(2 / 7, 12);
  });

  it('sl_met_positive_abandon: (answered + abandoned within) ÷ offered, 3/7; sl_met_no_abandon: 2/6', async () => {
    expect((await teams('teams_positive_abandon')).service_level).toBeCloseTo(3 / 7, 12);
    expect((await teams('teams_no_abandon')).service_level).toBeCloseTo(2 / 6, 12);
    // The same calls by SL2 (answered + abandoned): 2/5.
    expect((await teams('answered_abandoned')).service_level).toBeCloseTo(2 / 5, 12);
  });
});

describe('repeat callers within 24 h and 7 days (issue 27, point 4)', () => {
  beforeAll(async () => {
    // Caller A: at +0 h, +2 h and +72 h. B: once at +1 h. C: at +5 h and 8 days later. An anonymous caller twice.
    for (const h of [0, 2, 72]) await queued('q2', at(h), 10, true, '+14255550101');
    await queued('q2', at(1), 10, true, '+14255550102');
    for (const h of [5, 5 + 8 * 24]) await queued('q2', at(h), 10, true, '+14255550103');
    for (const h of [6, 7]) await queued('q2', at(h), 10, true);
  });

  it('counts the calls followed by another from the same caller', async () => {
    // Range [+0 h, +96 h): A's three calls, B's, C's first = 5 calls with a caller (the anonymous two are out).
    // A at +0 h is followed 2 h later (24 h and 7 days); A at +2 h 70 h later (7 days only); A at +72 h, B and C
    // (next one 8 days later) are not. So 1 and 2 of 5.
    const [row] = await adb.asReader(`select * from metrics.repeat_callers($1, $2, array['q2']::text[])`, [
      at(0),
      at(96),
    ]);
    expect(row).toMatchObject({ queue: 'q2', calls: '5', repeated_24h: '1', repeated_7d: '2' });
    expect(row!.repeat_rate_24h).toBeCloseTo(0.2, 10);
    expect(row!.repeat_rate_7d).toBeCloseTo(0.4, 10);
  });

  it('shows the reader counts, never a number', async () => {
    await expect(adb.asReader(`select from_id from call limit 1`)).rejects.toThrow(/permission denied/);
  });
});
