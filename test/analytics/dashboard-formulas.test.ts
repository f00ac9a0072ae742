import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED } from '../../devkit/analytics/fixture.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { DAY, EMPTY, VARS, panelRunner, type PanelRunner } from '../helpers/dashboards.js';

// Issue 27, points 4 and 7: the Queue performance panels "Service level by the queue's formula" and "Repeat callers"
// on the known-answer dataset, against the figures worked out by hand in devkit/analytics/fixture.ts's comment.

let adb: AnalyticsDatabase;
let panels: PanelRunner;
const Q = 'queue-performance.json';

beforeAll(async () => {
  adb = await startAnalyticsDatabase('dashboard-formulas', { fixture: true });
  panels = await panelRunner(adb);
});

afterAll(async () => {
  await adb?.stop();
});

describe('Queue performance: each queue judged by its own service-level formula', () => {
  it('sales by abandons within the threshold met (38/53), support by the default SL2 (18/37)', async () => {
    const rows = await panels.run(Q, "Service level by the queue's formula", DAY);
    expect(
      rows.map((r) => ({
        queue: r.queue,
        formula: r.sl_formula,
        answered: Number(r.answered),
        answeredWithin: Number(r.answered_within),
        abandoned: Number(r.abandoned),
        abandonedWithin: Number(r.abandoned_within),
        shortAbandons: Number(r.short_abandons),
        offered: Number(r.offered),
        serviceLevel: r.service_level,
      })),
    ).toEqual(
      EXPECTED.serviceLevelByFormula.map((e) => ({ ...e, serviceLevel: expect.closeTo(e.serviceLevel, 12) as number })),
    );
    // A single queue selected: its own row only.
    const support = await panels.run(Q, "Service level by the queue's formula", {
      ...DAY,
      vars: { ...VARS, queue: ['support'] },
    });
    expect(support.map((r) => r.queue)).toEqual(['support']);
  });
});

describe('Queue performance: repeat callers', () => {
  it('counts the three callers who abandoned sales and called again two hours later', async () => {
    const rows = await panels.run(Q, 'Repeat callers', DAY);
    const byQueue = (q: string | null) => rows.find((r) => r.queue === q);
    for (const e of EXPECTED.repeatCallers) {
      const r = byQueue(e.queue);
      expect(r, String(e.queue)).toMatchObject({
        calls: String(e.calls),
        repeated_24h: String(e.repeated24h),
        repeated_7d: String(e.repeated7d),
      });
      expect(r!.repeat_rate_24h).toBeCloseTo(e.repeated24h / e.calls, 12);
      expect(r!.repeat_rate_7d).toBeCloseTo(e.repeated7d / e.calls, 12);
    }
    expect(rows).toHaveLength(EXPECTED.repeatCallers.length);
  });

  it('shows nothing, without an error, on an empty range', async () => {
    expect(await panels.run(Q, 'Repeat callers', EMPTY)).toEqual([]);
    expect(await panels.run(Q, "Service level by the queue's formula", EMPTY)).toEqual([]);
  });
});
