import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSiteTimeZone } from '../../src/db/queue-settings.js';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { OPTIONS, panelRunner, VARS, type PanelRunner } from '../helpers/dashboards.js';

// Issue 27, point 5: the configured time zone, not UTC and not the browser, says where "today", the interval
// reports and the daily report start. The site is in Kathmandu (UTC+05:45, a 45-minute offset); one queue keeps
// New York's clock (daylight saving). Expected figures by hand in each test.

let adb: AnalyticsDatabase;
let panels: PanelRunner;

let n = 0;
async function answered(queue: string, queuedAt: string, wait = 10): Promise<void> {
  const id = `tz-${++n}`;
  const q = new Date(queuedAt);
  const c = new Date(q.getTime() + wait * 1000);
  await adb.client.query(
    `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
     values ($1::varchar, 'call-' || $1::varchar, $2, 'connected', $3, $4, $4, $5, $5, $5)`,
    [id, queue, wait, q, c],
  );
}

beforeAll(async () => {
  adb = await startAnalyticsDatabase('site-time-zone');
  panels = await panelRunner(adb);
  expect(await writeSiteTimeZone(adb.orm, 'Asia/Kathmandu')).toBe(true);
  // Written again at the next start-up: nothing changes.
  expect(await writeSiteTimeZone(adb.orm, 'Asia/Kathmandu')).toBe(false);
  await adb.client.query(
    `insert into queue_setting (queue, sl_threshold_seconds, updated_at) values ('ktm', 20, now()), ('nyc', 20, now())`,
  );
  await adb.client.query(`update queue_setting set time_zone = 'America/New_York' where queue = 'nyc'`);
  // ktm: 23:55 on 3 March in Kathmandu (18:10 UTC), then 00:05 and 01:00 on 4 March (18:20 and 19:15 UTC).
  for (const at of ['2031-03-03T18:10:00Z', '2031-03-03T18:20:00Z', '2031-03-03T19:15:00Z']) await answered('ktm', at);
});

afterAll(async () => {
  await adb?.stop();
});

/** The wallboard as Grafana opens it at `now`, whatever day the browser's range says. */
const wallboardAt = (now: string): MacroContext => ({
  from: new Date('2031-03-03T00:00:00Z'),
  to: new Date(now),
  interval: '1m',
  vars: { ...VARS, queue: ['ktm', 'nyc'] },
  options: OPTIONS,
});

describe('the configured time zone (issue 27, point 5)', () => {
  it('starts the wallboard’s "today" at midnight in Kathmandu, not at UTC or browser midnight', async () => {
    // At 01:45 on 4 March in Kathmandu (20:00 UTC), today began at 18:15 UTC: 2 of the 3 calls (UTC would say 3).
    expect(await panels.value('wallboard.json', 'Answered today', wallboardAt('2031-03-03T20:00:00Z'))).toBe(2);
    // At 23:59 on 3 March in Kathmandu (18:14 UTC) only the first call is today's.
    expect(await panels.value('wallboard.json', 'Answered today', wallboardAt('2031-03-03T18:14:00Z'))).toBe(1);
  });

  it('gives the dashboards the selection’s zone: a queue’s own, else the site’s', async () => {
    const zone = async (queues: string[]) =>
      (await adb.asReader(`select metrics.zone_for($1::text[]) as zone`, [queues]))[0]!.zone;
    expect(await zone(['nyc'])).toBe('America/New_York');
    expect(await zone(['ktm'])).toBe('Asia/Kathmandu');
    // Queues on different clocks: the site's.
    expect(await zone(['ktm', 'nyc'])).toBe('Asia/Kathmandu');
    const [variable] = await adb.asReader(`select * from metrics.queue_zone where queue = 'nyc'`);
    expect(variable).toMatchObject({ time_zone: 'America/New_York', sl_formula: 'answered_abandoned' });
  });

  it('drives the daily report and the 15-minute intervals from the configured zone', async () => {
    const zone = (await adb.asReader(`select metrics.zone_for(array['ktm']) as zone`))[0]!.zone as string;
    // Days in Kathmandu: 3 March (from 18:15 UTC on the 2nd) has 1 call, 4 March (from 18:15 UTC on the 3rd) 2.
    const days = await adb.asReader(
      `select time, queued from metrics.queue_intervals($1, $2, 1440, $3, array['ktm']) order by time`,
      [new Date('2031-03-02T18:15:00Z'), new Date('2031-03-04T18:15:00Z'), zone],
    );
    expect(days.map((r) => [(r.time as Date).toISOString(), Number(r.queued)])).toEqual([
      ['2031-03-02T18:15:00.000Z', 1],
      ['2031-03-03T18:15:00.000Z', 2],
    ]);
    // 15-minute intervals on the Kathmandu clock start at :00, :15, :30, :45 local (UTC :15, :30, :45, :00).
    const quarters = await adb.asReader(
      `select time, queued from metrics.queue_intervals($1, $2, 15, $3, array['ktm']) order by time`,
      [new Date('2031-03-03T18:00:00Z'), new Date('2031-03-03T20:00:00Z'), zone],
    );
    expect(quarters.map((r) => [(r.time as Date).toISOString(), Number(r.queued)])).toEqual([
      ['2031-03-03T18:00:00.000Z', 1], // 23:45–24:00 on 3 March
      ['2031-03-03T18:15:00.000Z', 1], // 00:00–00:15 on 4 March
      ['2031-03-03T19:15:00.000Z', 1], // 01:00–01:15
    ]);
  });

  it('starts a local day at its own midnight on daylight-saving days', async () => {
    const start = async (at: string, zone: string) =>
      (
        (await adb.asReader(`select metrics.local_day_start($1, $2) as t`, [new Date(at), zone]))[0]!.t as Date
      ).toISOString();
    // New York, 9 March 2031 (clocks go forward at 02:00): the day starts at 00:00 EST = 05:00 UTC, a 23-hour day.
    expect(await start('2031-03-09T20:00:00Z', 'America/New_York')).toBe('2031-03-09T05:00:00.000Z');
    expect(await start('2031-03-10T20:00:00Z', 'America/New_York')).toBe('2031-03-10T04:00:00.000Z');
    // 2 November 2031 (clocks go back at 02:00): 00:00 EDT = 04:00 UTC, a 25-hour day; the next starts 05:00 UTC.
    expect(await start('2031-11-02T23:00:00Z', 'America/New_York')).toBe('2031-11-02T04:00:00.000Z');
    expect(await start('2031-11-03T12:00:00Z', 'America/New_York')).toBe('2031-11-03T05:00:00.000Z');
    // India (UTC+05:30): midnight is 18:30 UTC the day before.
    expect(await start('2031-03-03T20:00:00Z', 'Asia/Kolkata')).toBe('2031-03-03T18:30:00.000Z');
  });

  it('refuses a site or queue zone Postgres does not know', async () => {
    await expect(writeSiteTimeZone(adb.orm, 'Mars/Olympus_Mons')).rejects.toThrow(/site_setting_time_zone_check/);
    await expect(
      adb.client.query(`update queue_setting set time_zone = 'Nowhere/Else' where queue = 'nyc'`),
    ).rejects.toThrow(/queue_setting_time_zone_check/);
  });
});
