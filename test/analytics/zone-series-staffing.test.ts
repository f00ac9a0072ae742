import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED } from '../../devkit/analytics/fixture.js';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { queues } from '../../flows/index.js';
import { writeQueueSettings } from '../../src/db/queue-settings.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { DAY, VARS, panelRunner, type PanelRunner } from '../helpers/dashboards.js';

// Issue 27, point 5: the Queue performance charts bucket on the contact center's wall clock ($zone), not on UTC; point
// 6: the Erlang C staffing panel plans for each queue's own service-level target. On the known-answer dataset
// (devkit/analytics/fixture.ts, fixture-zones.ts); expected figures worked out by hand below.

let adb: AnalyticsDatabase;
let panels: PanelRunner;
const q = 'queue-performance.json';

beforeAll(async () => {
  adb = await startAnalyticsDatabase('zone-series-staffing', { fixture: true });
  panels = await panelRunner(adb);
});

afterAll(async () => {
  await adb?.stop();
});

/** A chart's points as [bucket start, queue, value]. */
async function points(title: string, column: string, ctx: MacroContext) {
  return (await panels.run(q, title, ctx)).map((r) => [
    (r.time as Date).toISOString(),
    r.queue,
    r[column] === null ? null : Number(r[column]),
  ]);
}

describe('the charts bucket on the $zone wall clock (issue 27, point 5)', () => {
  it('rounds Grafana’s interval up to a length that divides a local day', async () => {
    const minutes = async (seconds: number) =>
      Number((await adb.asReader(`select metrics.local_interval_minutes($1) as m`, [seconds]))[0]!.m);
    // 20 s → 1 min; 20 min → 30; 45 min → 60; 90 min → 120; 5 h → 6 h; 1 day and 2 days → the day.
    const rounded: number[] = [];
    for (const s of [20, 1200, 2700, 5400, 18_000, 86_400, 172_800]) rounded.push(await minutes(s));
    expect(rounded).toEqual([1, 30, 60, 120, 360, 1440, 1440]);
  });

  it('starts hourly points on the half hour in India (the site, UTC+05:30)', async () => {
    // Arrivals 11:00Z–12:00Z, all sales (the overflow chains' record keeps their last queue): the chains at 11:00,
    // 11:05, 11:10Z (16:30–16:40 IST) → the 16:00 IST hour, 10:30Z; the time-outs at 11:30 and 11:50Z and the short
    // abandons at 11:40 and 11:45Z (17:00–17:20 IST) → the 17:00 IST hour, 11:30Z. UTC hours would say 7 at 11:00Z.
    const india: MacroContext = {
      ...DAY,
      from: new Date('2026-11-20T11:00:00Z'),
      to: new Date('2026-11-20T12:00:00Z'),
      vars: { ...VARS, zone: 'Asia/Kolkata' },
    };
    expect(await points('Calls per interval', 'calls', india)).toEqual([
      ['2026-11-20T10:30:00.000Z', 'sales', 3],
      ['2026-11-20T11:30:00.000Z', 'sales', 4],
    ]);
    // Abandonment per queued segment, the interval table's hours (EXPECTED.zones.indiaHours): sales 3 of 3 in the
    // 16:00 IST hour, 0 of 4 in the 17:00; support's 3 chain segments 0 of 3.
    expect(await points('Abandonment rate over time', 'abandonment_rate', india)).toEqual([
      ['2026-11-20T10:30:00.000Z', 'sales', 1],
      ['2026-11-20T10:30:00.000Z', 'support', 0],
      ['2026-11-20T11:30:00.000Z', 'sales', 0],
    ]);
  });

  it('makes a daily point India’s day, not UTC’s', async () => {
    // The UTC day 2026-11-20 with a one-day interval: India's 20 November runs 18:30Z on the 19th to 18:30Z on the
    // 20th and holds every queued call of the day (the last arrives at 11:50Z): sales 57, support 40 (support's 3
    // overflow segments are sales calls by arrival); the 4 after-hours calls (20:00–20:30Z, no queue) fall on India's
    // 21 November, from 18:30Z on the 20th, and only with no queue selected.
    const days: MacroContext = { ...DAY, interval: '1d', vars: { ...VARS, queue: [], zone: 'Asia/Kolkata' } };
    expect(await points('Calls per interval', 'calls', days)).toEqual([
      ['2026-11-19T18:30:00.000Z', 'sales', 57],
      ['2026-11-19T18:30:00.000Z', 'support', 40],
      ['2026-11-20T18:30:00.000Z', '(none)', 4],
    ]);
    expect(57 + 40 + 4).toBe(EXPECTED.totals.callsArrived);
  });

  it('keeps New York’s repeated hour as two points and its 25-hour fall-back day as one', async () => {
    const sales = { ...VARS, queue: ['sales'], zone: 'America/New_York' };
    // Sales' hours (fixture-zones.ts, N1–N7): 23:00 EDT (03:00Z) N1, 00:00 EDT (04:00Z) N2, 01:00 EDT (05:00Z) N3
    // waited 30 s (over 20 s), 01:00 EST (06:00Z) N4 within and N5 abandoned, 23:00 EST (04:00Z on the 2nd) N6,
    // 00:00 EST 2 Nov (05:00Z) N7. SL1 = within ÷ answered: 1, 1, 0, 1, 1, 1.
    const hours: MacroContext = {
      ...DAY,
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T12:00:00Z'),
      vars: sales,
    };
    expect(await points('Service level over time (SL1)', 'service_level', hours)).toEqual([
      ['2026-11-01T03:00:00.000Z', 'sales', 1],
      ['2026-11-01T04:00:00.000Z', 'sales', 1],
      ['2026-11-01T05:00:00.000Z', 'sales', 0],
      ['2026-11-01T06:00:00.000Z', 'sales', 1],
      ['2026-11-02T04:00:00.000Z', 'sales', 1],
      ['2026-11-02T05:00:00.000Z', 'sales', 1],
    ]);
    // Days: 31 Oct from 04:00Z (N1), the 25-hour 1 Nov from 04:00Z (N2–N6: 3 within of 4 answered), 2 Nov from
    // 05:00Z (N7). Arrivals, 8 s before queueing, fall on the same days: 1, 5, 1.
    const days: MacroContext = {
      ...DAY,
      interval: '1d',
      from: new Date('2026-10-30T00:00:00Z'),
      to: new Date('2026-11-03T00:00:00Z'),
      vars: sales,
    };
    expect(await points('Service level over time (SL1)', 'service_level', days)).toEqual([
      ['2026-10-31T04:00:00.000Z', 'sales', 1],
      ['2026-11-01T04:00:00.000Z', 'sales', 3 / 4],
      ['2026-11-02T05:00:00.000Z', 'sales', 1],
    ]);
    expect(await points('Calls per interval', 'calls', days)).toEqual([
      ['2026-10-31T04:00:00.000Z', 'sales', 1],
      ['2026-11-01T04:00:00.000Z', 'sales', 5],
      ['2026-11-02T05:00:00.000Z', 'sales', 1],
    ]);
  });
});

describe('staffing for the queue’s service-level target (issue 27, point 6)', () => {
  // Sales' half hours in India over 11:00Z–12:00Z (16:30 and 17:00 IST): 3 queued (the overflow chains' sales
  // segments at 11:00:13–11:10:13Z) and 4 (the time-out at 11:30:08, the short abandons at 11:40:08 and 11:45:08, the
  // second time-out at 11:50:08), the day's last. AHT over the range: sales' 210 s (talk 180 + wrap-up 30, EXPECTED.sales.aht);
  // threshold 45 s (sales' since 10:15). Traffic A = calls × 210 ÷ 1,800: 0.35 and 0.4667 Erlangs. Erlang C by its
  // factorial form, C(N, A) = (A^N/N! · N/(N − A)) ÷ (Σ_{k<N} A^k/k! + A^N/N! · N/(N − A)), and
  // SL = 1 − C · e^(−(N − A) · 45 ÷ 210):
  //   A = 0.35:   N = 1: C = 0.35,    SL = 1 − 0.35 · e^(−0.1393) = 69.55 %; N = 2: C = 0.05213, SL = 96.34 %.
  //   A = 0.4667: N = 1: C = 0.4667,  SL = 58.37 %; N = 2: C = 0.08829, SL = 93.64 %; N = 3: C = 0.01257, SL = 99.27 %.
  // So at 80 % (the default): 2 and 2 agents; at 95 %: 2 (96.34 %) and 3 (93.64 % falls short); at 50 %: 1 and 1.
  // Over the fixture's day (the AHT is the range's: sales' agents handled their calls 09:00–10:40Z), the two half hours.
  const halfHours: MacroContext = {
    ...DAY,
    vars: { ...VARS, queue: ['sales'], zone: 'Asia/Kolkata', interval_minutes: '30' },
  };
  const staffing = async () =>
    (await panels.run(q, 'Staffing (Erlang C)', halfHours))
      .filter((r) => (r.time as Date) >= new Date('2026-11-20T11:00:00Z'))
      .map((r) => [
        (r.time as Date).toISOString(),
        Number(r.calls),
        Number(r.aht_seconds),
        Number(r.sl_target_percent),
        Number(r.sl_threshold_seconds),
        Number(r.agents_needed),
      ]);
  const sales = (target: number) => ({
    sales: { ...queues.sales!, serviceLevelSeconds: 45, serviceLevelTarget: target },
  });

  it('needs more agents at a 95 % target than at the default 80 %, as the queue’s definition says', async () => {
    expect(await staffing()).toEqual([
      ['2026-11-20T11:00:00.000Z', 3, 210, 80, 45, 2],
      ['2026-11-20T11:30:00.000Z', 4, 210, 80, 45, 2],
    ]);
    // Start-up writes the queue's target from its definition in code, with a history row.
    expect(await writeQueueSettings(adb.orm, sales(95))).toEqual(['sales']);
    expect(await staffing()).toEqual([
      ['2026-11-20T11:00:00.000Z', 3, 210, 95, 45, 2],
      ['2026-11-20T11:30:00.000Z', 4, 210, 95, 45, 3],
    ]);
    expect(await writeQueueSettings(adb.orm, sales(50))).toEqual(['sales']);
    expect((await staffing()).map((r) => r[5])).toEqual([1, 1]);
    const history = await adb.client.query<{ sl_target_percent: number; changed_by: string }>(
      `select sl_target_percent, changed_by from queue_setting_history where queue = 'sales' order by valid_from`,
    );
    expect(history.rows.map((h) => [h.sl_target_percent, h.changed_by])).toEqual([
      [80, null],
      [80, null],
      [95, 'config'],
      [50, 'config'],
    ]);
  });

  it('refuses a target Erlang C cannot staff for, naming the queue', async () => {
    await expect(writeQueueSettings(adb.orm, sales(100))).rejects.toThrow(
      'queue sales: serviceLevelTarget must be a whole percentage from 1 to 99, got 100',
    );
    await expect(writeQueueSettings(adb.orm, sales(0))).rejects.toThrow(
      'queue sales: serviceLevelTarget must be a whole percentage from 1 to 99, got 0',
    );
    await expect(writeQueueSettings(adb.orm, sales(87.5))).rejects.toThrow(/got 87\.5/);
  });
});
