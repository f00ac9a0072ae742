import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED } from '../../devkit/analytics/fixture.js';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { DAY, VARS, panelRunner, type PanelRunner } from '../helpers/dashboards.js';

// Issue 27, point 5: the Queue performance charts bucket on the contact center's wall clock ($zone), not on UTC, on
// the known-answer dataset (devkit/analytics/fixture.ts, fixture-zones.ts). Expected buckets worked out by hand below.

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
