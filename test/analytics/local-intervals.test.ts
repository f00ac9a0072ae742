import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';

// Issue 27, point 5: interval reports start on the contact center's wall clock (metrics.queue_intervals), including
// half-hour and 45-minute offsets and daylight-saving days. Calls are placed at chosen instants; every expected row is
// worked out by hand in the comments. Queues without a queue_setting row use the 20 s threshold.

let adb: AnalyticsDatabase;

beforeAll(async () => {
  adb = await startAnalyticsDatabase('local-intervals');
  let n = 0;
  const answered = async (queue: string, queuedAt: string, wait: number) => {
    const queued = new Date(queuedAt);
    const connected = new Date(queued.getTime() + wait * 1000);
    await adb.client.query(
      `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
       values ($1::varchar, 'call-' || $1::varchar, $2, 'connected', $3, $4, $4, $5, $5, $5)`,
      [`li-${++n}`, queue, wait, queued, connected],
    );
  };
  // India/Nepal: five calls, waits 10 s but the second (40 s).
  for (const [at, wait] of [
    ['2026-11-20T04:10:00Z', 10],
    ['2026-11-20T04:40:00Z', 40],
    ['2026-11-20T04:50:00Z', 10],
    ['2026-11-20T05:29:00Z', 10],
    ['2026-11-20T05:31:00Z', 10],
  ] as const)
    await answered('asia', at, wait);
  // New York, 2026-11-01: clocks go back from 02:00 EDT to 01:00 EST at 06:00Z.
  for (const at of [
    '2026-11-01T05:10:00Z',
    '2026-11-01T05:50:00Z',
    '2026-11-01T06:10:00Z',
    '2026-11-01T06:20:00Z',
    '2026-11-01T07:05:00Z',
  ])
    await answered('ny-fall', at, 10);
  // New York, 2026-03-08: clocks go forward from 02:00 EST to 03:00 EDT at 07:00Z.
  for (const at of ['2026-03-08T06:30:00Z', '2026-03-08T07:10:00Z']) await answered('ny-spring', at, 10);
});

afterAll(async () => {
  await adb?.stop();
});

async function intervals(queue: string, from: string, to: string, minutes: number, zone: string) {
  const rows = await adb.asReader(
    `select time, queued, answered_within, service_level from metrics.queue_intervals($1, $2, $3, $4, array[$5]::text[])
     order by time`,
    [new Date(from), new Date(to), minutes, zone, queue],
  );
  return rows.map((r) => [(r.time as Date).toISOString(), Number(r.queued), Number(r.answered_within)]);
}

describe('intervals in the contact center’s time zone (issue 27, point 5)', () => {
  it('hours start on the half hour in India (UTC+05:30)', async () => {
    // 04:10Z = 09:40 IST → the 09:00 IST hour (03:30Z); 04:40Z, 04:50Z, 05:29Z = 10:10, 10:20, 10:59 IST → 10:00 IST
    // (04:30Z), 2 of 3 within 20 s; 05:31Z = 11:01 IST → 11:00 IST (05:30Z).
    expect(await intervals('asia', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 60, 'Asia/Kolkata')).toEqual([
      ['2026-11-20T03:30:00.000Z', 1, 1],
      ['2026-11-20T04:30:00.000Z', 3, 2],
      ['2026-11-20T05:30:00.000Z', 1, 1],
    ]);
    // UTC hours for comparison: 04:00Z has 3 calls (04:10, 04:40, 04:50), 05:00Z 2.
    expect(await intervals('asia', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 60, 'UTC')).toEqual([
      ['2026-11-20T04:00:00.000Z', 3, 2],
      ['2026-11-20T05:00:00.000Z', 2, 2],
    ]);
  });

  it('half hours start on :00 and :30 of the wall clock in Nepal (UTC+05:45)', async () => {
    // 04:10Z = 09:55 NPT → 09:30 NPT (03:45Z); 04:40Z = 10:25 → 10:00 (04:15Z); 04:50Z = 10:35 → 10:30 (04:45Z);
    // 05:29Z = 11:14 and 05:31Z = 11:16 → 11:00 NPT (05:15Z).
    expect(await intervals('asia', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 30, 'Asia/Kathmandu')).toEqual([
      ['2026-11-20T03:45:00.000Z', 1, 1],
      ['2026-11-20T04:15:00.000Z', 1, 0],
      ['2026-11-20T04:45:00.000Z', 1, 1],
      ['2026-11-20T05:15:00.000Z', 2, 2],
    ]);
  });

  it('keeps the repeated hour of a fall-back day as two hours, and the day as one', async () => {
    // 05:10Z, 05:50Z = 01:10, 01:50 EDT → 01:00 EDT (05:00Z); 06:10Z, 06:20Z = 01:10, 01:20 EST → 01:00 EST (06:00Z);
    // 07:05Z = 02:05 EST → 02:00 EST (07:00Z).
    expect(await intervals('ny-fall', '2026-11-01T00:00:00Z', '2026-11-02T12:00:00Z', 60, 'America/New_York')).toEqual([
      ['2026-11-01T05:00:00.000Z', 2, 2],
      ['2026-11-01T06:00:00.000Z', 2, 2],
      ['2026-11-01T07:00:00.000Z', 1, 1],
    ]);
    // The local day 2026-11-01 starts at 00:00 EDT = 04:00Z (and lasts 25 hours): all five calls.
    expect(
      await intervals('ny-fall', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', 1440, 'America/New_York'),
    ).toEqual([['2026-11-01T04:00:00.000Z', 5, 5]]);
  });

  it('has no interval for the hour a spring-forward day skips', async () => {
    // 06:30Z = 01:30 EST → 01:00 EST (06:00Z); 07:10Z = 03:10 EDT → 03:00 EDT (07:00Z); no 02:00. The day starts at
    // 00:00 EST = 05:00Z.
    expect(
      await intervals('ny-spring', '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', 60, 'America/New_York'),
    ).toEqual([
      ['2026-03-08T06:00:00.000Z', 1, 1],
      ['2026-03-08T07:00:00.000Z', 1, 1],
    ]);
    expect(
      await intervals('ny-spring', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 1440, 'America/New_York'),
    ).toEqual([['2026-03-08T05:00:00.000Z', 2, 2]]);
  });

  it('refuses an unknown time zone with Postgres’s message', async () => {
    await expect(
      intervals('asia', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 60, 'Mars/Olympus_Mons'),
    ).rejects.toThrow(/time zone "Mars\/Olympus_Mons" not recognized/);
  });
});
