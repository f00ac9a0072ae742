import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED, SALES_THRESHOLD_CHANGE } from '../../devkit/analytics/fixture.js';
import { FALL_BACK_DAY } from '../../devkit/analytics/fixture-zones.js';
import { expandQuery, type MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { DAY, VARS, WALLBOARD, panelRunner, type PanelRunner } from '../helpers/dashboards.js';

// Queue performance, the wallboard, the call explorer and voicemail & callbacks on the known-answer dataset
// (devkit/analytics/fixture.ts: every EXPECTED figure is worked out by hand in its comments).

let adb: AnalyticsDatabase;
let panels: PanelRunner;
const q = 'queue-performance.json';
const v = 'voicemail-callbacks.json';

beforeAll(async () => {
  adb = await startAnalyticsDatabase('dashboard-queues', { fixture: true });
  panels = await panelRunner(adb);
});

afterAll(async () => {
  await adb?.stop();
});

describe('queue performance on the known-answer dataset', () => {
  it('SL1, SL2, ASA, abandonment, AHT over all queues', async () => {
    const t = EXPECTED.totals;
    expect(await panels.value(q, 'Queued')).toBe(EXPECTED.all.queued);
    expect(await panels.value(q, 'Answered')).toBe(EXPECTED.all.answered);
    expect(await panels.value(q, 'Abandoned')).toBe(EXPECTED.all.abandoned);
    expect(await panels.value(q, 'Callbacks (flow-out)')).toBe(EXPECTED.all.callbacks);
    // Two sales callers hung up 3 s after queueing: short abandons, apart from the abandoned (issue 27, point 4).
    expect(await panels.value(q, 'Short abandons')).toBe(EXPECTED.sales.shortAbandons);
    expect(await panels.value(q, 'Service level (SL1)')).toBeCloseTo(t.sl1, 12);
    expect(await panels.value(q, 'Service level (SL2)')).toBeCloseTo(t.sl2, 12);
    expect(await panels.value(q, 'ASA')).toBeCloseTo(t.asa, 9);
    expect(await panels.value(q, 'Abandonment rate')).toBeCloseTo(t.abandonment, 12);
    expect(await panels.value(q, 'AHT')).toBeCloseTo(t.aht, 9);
    expect(await panels.value(q, 'Longest wait in range')).toBe(EXPECTED.totals.maxWait);
  });

  it('per queue, with per-queue thresholds and the $queue filter', async () => {
    const rows = await panels.run(q, 'Per queue');
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
    expect(await panels.value(q, 'Service level (SL1)', support)).toBeCloseTo(EXPECTED.support.sl1, 12);
    expect(await panels.value(q, 'Queued', support)).toBe(EXPECTED.support.queued);
    expect(await panels.value(q, 'AHT', support)).toBeCloseTo(EXPECTED.support.aht, 9);
  });

  it('grades each call against the threshold in force when it was queued (issue 27, point 1)', async () => {
    const sales = (from: Date, to: Date) => ({ ...DAY, from, to, vars: { ...VARS, queue: ['sales'] } });
    // Before 10:15 the threshold is 20 s, from 10:15 45 s. s1 (two missed offers first, 150 s; then 275 s per call)
    // queues call i at 09:00 + 205 + 275 i s, waiting 10 s: i = 0…15 before 10:15 (205 + 275 × 15 = 4,330 s <
    // 4,500), i = 16…19 after. s2 (305 s per call) queues call i at 09:00 + 85 + 305 i s waiting 10 s for i < 10,
    // and at 09:00 + 55 + 305 i s waiting 40 s for i ≥ 10: i = 0…14 before (55 + 305 × 14 = 4,325 s), 15…19 after.
    // Before: 16 + 15 = 31 answered, 16 + 10 = 26 within 20 s. After: 4 + 5 = 9 answered, all within 45 s.
    const before = sales(DAY.from, SALES_THRESHOLD_CHANGE);
    expect(await panels.value(q, 'Answered', before)).toBe(31);
    expect(await panels.value(q, 'Service level (SL1)', before)).toBeCloseTo(26 / 31, 12);
    const after = sales(SALES_THRESHOLD_CHANGE, DAY.to);
    expect(await panels.value(q, 'Answered', after)).toBe(9);
    expect(await panels.value(q, 'Service level (SL1)', after)).toBe(1);
  });

  it('counts a call sent on to another queue in each queue, and flow-out per queue (issue 27, point 2)', async () => {
    // Support's three overflow segments are queued in support (43 = 40 + 3), neither answered nor abandoned there;
    // the calls are sales' abandons (13 = 10 + 3). Selecting support alone still counts its segments.
    const support = { ...DAY, vars: { ...VARS, queue: ['support'] } };
    expect(await panels.value(q, 'Queued', support)).toBe(EXPECTED.support.queued);
    expect(await panels.value(q, 'Abandonment rate', support)).toBeCloseTo(EXPECTED.support.abandonment, 12);
    const rows = await panels.run(q, 'Flow-out per queue');
    expect(
      rows.map((r) => ({
        queue: r.queue,
        overflowed: Number(r.overflowed),
        timedOut: Number(r.timed_out),
        noAgents: Number(r.no_agents),
        sentOn: Number(r.sent_on),
        received: Number(r.received),
      })),
    ).toEqual(EXPECTED.flowOut);
    // Before the chains (11:00) there was no flow-out.
    const morning = { ...DAY, to: new Date('2026-11-20T11:00:00Z') };
    expect(await panels.run(q, 'Flow-out per queue', morning)).toEqual([]);
  });

  it('abandons and transfers per queue (issue 27, point 4)', async () => {
    // sales: 10 abandoned after 30 s and 3 chain callers after 20 s → 13, mean (300 + 60)/13 s, none within 10 s,
    // 2 short; support: 8 after 45 s. No transfers out.
    const rows = await panels.run(q, 'Abandons and transfers');
    expect(
      rows.map((r) => [r.queue, Number(r.abandoned), Number(r.abandoned_within_10s), Number(r.short_abandons)]),
    ).toEqual([
      ['sales', 13, 0, 2],
      ['support', 8, 0, 0],
    ]);
    expect(rows[0]!.avg_abandon_seconds).toBeCloseTo(360 / 13, 9);
    expect(rows[1]!.avg_abandon_seconds).toBeCloseTo(45, 9);
    expect(rows.map((r) => r.transfer_rate)).toEqual([0, 0]);
  });

  it('time series: buckets add up to the totals; calls per interval counts every arrival', async () => {
    const sl = await panels.run(q, 'Service level over time (SL1)');
    expect(sl.length).toBeGreaterThan(1);
    expect(sl.every((r) => r.time instanceof Date && typeof r.queue === 'string')).toBe(true);
    const calls = await panels.run(q, 'Calls per interval');
    // $queue excludes the 4 never queued
    expect(calls.reduce((s, r) => s + Number(r.calls), 0)).toBe(EXPECTED.totals.callsArrived - 4);
    const everything = await panels.run(q, 'Calls per interval', { ...DAY, vars: { ...VARS, queue: [] } });
    expect(everything.reduce((s, r) => s + Number(r.calls), 0)).toBe(EXPECTED.totals.callsArrived);
  });
});

describe('wallboard on the known-answer dataset', () => {
  it('callers on hold apart from callbacks pending, longest wait, agents by state, today', async () => {
    const w = 'wallboard.json';
    expect(await panels.value(w, 'Waiting now', WALLBOARD)).toBe(EXPECTED.live.onHold);
    expect(await panels.value(w, 'Callbacks pending', WALLBOARD)).toBe(EXPECTED.live.callbacksPending);
    expect(await panels.value(w, 'Longest current wait', WALLBOARD)).toBe(EXPECTED.live.salesLongestWait);
    expect(await panels.value(w, 'Agents available', WALLBOARD)).toBe(EXPECTED.live.available);
    expect(await panels.value(w, 'Agents on call', WALLBOARD)).toBe(EXPECTED.live.onCall);
    expect(await panels.value(w, 'Agents in wrap-up', WALLBOARD)).toBe(EXPECTED.live.wrapUp);
    expect(await panels.value(w, 'Agents away', WALLBOARD)).toBe(EXPECTED.live.away);
    // Today is India's (the site's zone): from 18:30Z the day before, so one support call more than the UTC day.
    const today = EXPECTED.today;
    expect(await panels.value(w, 'Answered today', WALLBOARD)).toBe(today.answered);
    expect(await panels.value(w, 'Service level today (SL1)', WALLBOARD)).toBeCloseTo(today.sl1, 12);
    expect(await panels.value(w, 'Service level today (SL2)', WALLBOARD)).toBeCloseTo(today.sl2, 12);
    expect(await panels.value(w, 'Abandonment today', WALLBOARD)).toBeCloseTo(today.abandonment, 12);
    const queues = await panels.run(w, 'Queues now', WALLBOARD);
    expect(queues.map((r) => [r.queue, r.waiting, r.on_hold, r.callbacks_pending, r.longest_wait_seconds])).toEqual([
      ['sales', 3, 3, 0, 95],
      ['support', 1, 0, 1, 60],
    ]);
    // Each queue's own today: sales from New York's midnight, support from India's.
    expect(queues[0]!.service_level_today).toBeCloseTo(today.sales.sl1, 12);
    expect(queues[0]!.abandonment_today).toBeCloseTo(today.sales.abandonment, 12);
    expect(queues[1]!.service_level_today).toBeCloseTo(today.support.sl1, 12);
    expect(queues[1]!.abandonment_today).toBeCloseTo(today.support.abandonment, 12);
  });
});

describe('the configured clocks on the known-answer dataset (issue 27, points 5 and 7)', () => {
  /** The $zone variable as Grafana resolves it for a selection of queues. */
  const zoneFor = async (queue: string[]) => {
    const variable = panels.dashboards[q]!.templating!.list.find((x) => x.name === 'zone')!;
    const [row] = await adb.asReader(expandQuery(variable.query!, { ...DAY, vars: { ...VARS, queue } }));
    return row!.zone as string;
  };
  const intervals = async (ctx: MacroContext) =>
    (await panels.run(q, 'Service level and ASA per interval', ctx)).map((r) => [
      (r.time as Date).toISOString(),
      r.queue,
      ...['queued', 'answered', 'answered_within', 'abandoned'].map((k) => Number(r[k])),
    ]);

  it('gives $zone the site’s zone for both queues, a queue’s own when it has one', async () => {
    expect(await zoneFor(['sales', 'support'])).toBe(EXPECTED.zones.all);
    expect(await zoneFor(['sales'])).toBe(EXPECTED.zones.sales);
    expect(await zoneFor(['support'])).toBe(EXPECTED.zones.support);
  });

  it('starts hourly intervals on the half hour in India (the site, UTC+05:30)', async () => {
    const zone = await zoneFor(VARS.queue);
    const ctx = {
      ...DAY,
      from: new Date('2026-11-20T11:00:00Z'),
      to: new Date('2026-11-20T12:00:00Z'),
      vars: { ...VARS, zone, interval_minutes: '60' },
    };
    expect(await intervals(ctx)).toEqual(EXPECTED.zones.indiaHours);
  });

  it('keeps New York’s repeated hour as two intervals and its 25-hour fall-back day as one day', async () => {
    const zone = await zoneFor(['sales']);
    const sales = { ...DAY, vars: { ...VARS, queue: ['sales'], zone, interval_minutes: '60' } };
    const around = { ...sales, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T12:00:00Z') };
    expect(await intervals(around)).toEqual(EXPECTED.zones.fallBackHours);
    // The daily report ($interval_minutes 1440, one of the variable's choices) on the same clock: the 25-hour
    // 1 November is one row.
    const choices = panels.dashboards[q]!.templating!.list.find((x) => x.name === 'interval_minutes')!.query;
    expect(choices!.split(',')).toContain('1440');
    const days = { ...sales, from: new Date('2026-10-30T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') };
    expect(await intervals({ ...days, vars: { ...days.vars, interval_minutes: '1440' } })).toEqual(
      EXPECTED.zones.fallBackDays,
    );
    // New York's day starts at its own midnight: 04:00Z (EDT), and 05:00Z the next day (EST).
    const [start] = await adb.asReader(`select metrics.local_day_start($1, $2) as t`, [around.to, zone]);
    expect(start!.t).toEqual(new Date('2026-11-02T05:00:00Z'));
    const day = { ...sales, ...FALL_BACK_DAY };
    const [row] = await panels.run(q, "Service level by the queue's formula", day);
    expect(row!.service_level).toBeCloseTo(EXPECTED.zones.fallBackDayServiceLevel, 12);
  });
});

describe('call explorer on the known-answer dataset', () => {
  it('search by number or name, the path, workflow and recording', async () => {
    const c = 'call-explorer.json';
    expect((await panels.run(c, 'Calls')).length).toBe(EXPECTED.totals.callsArrived);
    const byNumber = await panels.run(c, 'Calls', { ...DAY, vars: { ...VARS, caller: '+14255550007' } });
    expect(byNumber.map((r) => [r.id, r.workflow_id])).toEqual([['fx-007', 'call-fx-007']]);
    // a quote is data, not SQL
    expect(await panels.run(c, 'Calls', { ...DAY, vars: { ...VARS, caller: "caller 9'" } })).toEqual([]);
    // the two recorded messages have a recording; the empty and the failed one have none
    expect((await panels.run(c, 'Calls')).filter((r) => r.recording_url)).toHaveLength(2);
    expect((await panels.run(c, 'Call path')).map((r) => r.type)).toEqual(['incoming', 'ended']);
    // The caller's wait over every queue: an overflow chain waited 5 s in support and 20 s in sales.
    const chain = (await panels.run(c, 'Calls')).filter((r) => Number(r.total_wait_seconds) !== Number(r.wait_seconds));
    expect(chain.map((r) => [Number(r.wait_seconds), Number(r.total_wait_seconds)])).toEqual(
      Array.from({ length: 3 }, () => [20, EXPECTED.chainTotalWait]),
    );
  });
});

describe('voicemail and callbacks on the known-answer dataset (issue 27, point 3)', () => {
  it('callbacks: requested, completed, failed, pending, time to callback, attempts', async () => {
    const e = EXPECTED.callbacks;
    expect(await panels.value(v, 'Callbacks requested')).toBe(e.requested);
    expect(await panels.value(v, 'Callbacks completed')).toBe(e.completed);
    expect(await panels.value(v, 'Callbacks failed')).toBe(e.failed);
    expect(await panels.value(v, 'Callbacks pending')).toBe(e.pending);
    expect(await panels.value(v, 'Time to callback')).toBeCloseTo(e.timeToCallback, 9);
    expect(await panels.value(v, 'Attempts per completed callback')).toBeCloseTo(e.attemptsPerCompleted, 12);
    expect(await panels.run(v, 'Callback list')).toHaveLength(8);
  });

  it('after-hours voicemails (no queue) count under All and under their line, not under a queue', async () => {
    const e = EXPECTED.voicemails;
    expect(await panels.value(v, 'Voicemails')).toBe(e.total);
    expect(await panels.value(v, 'Voicemails waiting to be handled')).toBe(e.unhandled);
    expect(await panels.value(v, 'Empty voicemails')).toBe(e.empty);
    expect(await panels.value(v, 'Failed voicemails')).toBe(e.failed);
    expect(await panels.run(v, 'Voicemail list')).toHaveLength(4);
    const lines = await panels.run(v, 'Voicemails by line');
    expect(
      lines.map((r) => ({
        line: r.line,
        voicemails: Number(r.voicemails),
        unhandled: Number(r.unhandled),
        empty: Number(r.empty),
        failed: Number(r.failed),
      })),
    ).toEqual(EXPECTED.voicemailLines);
    // One queue selected: the messages have no queue, so none show.
    const support = { ...DAY, vars: { ...VARS, queue: ['support'] } };
    expect(await panels.value(v, 'Voicemails', support)).toBe(0);
    expect(await panels.run(v, 'Voicemail list', support)).toEqual([]);
  });
});
