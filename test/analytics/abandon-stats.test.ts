import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';

// Issue 27, point 4: average abandon time, abandoned within X s, short abandons and the transfer rate per queue
// (metrics.abandon_stats), on calls placed by hand; the expected figures are worked out in the comments.

let adb: AnalyticsDatabase;
const FROM = new Date('2026-01-07T10:00:00Z');
const TO = new Date('2026-01-07T11:00:00Z');

beforeAll(async () => {
  adb = await startAnalyticsDatabase('abandon-stats');
  const calls: [outcome: string, wait: number, answered: boolean][] = [
    ['abandoned', 3, false], // short (under the 5 s default): not abandoned
    ['abandoned', 8, false],
    ['abandoned', 12, false],
    ['abandoned', 30, false],
    ['transferredOut', 60, false], // the queue's timeout action sent them to a number
    ['transferredOut', 60, false],
    ['connected', 10, true],
    ['connected', 10, true],
  ];
  for (const [i, [outcome, wait, answered]] of calls.entries()) {
    const queued = new Date(FROM.getTime() + (i + 1) * 60_000);
    const end = new Date(queued.getTime() + wait * 1000);
    await adb.client.query(
      `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
       values ($1::varchar, 'call-' || $1::varchar, 'q', $2, $3, $4, $4, $5, $6, $6)`,
      [`ab-${i}`, outcome, wait, queued, answered ? end : null, end],
    );
  }
});

afterAll(async () => {
  await adb?.stop();
});

describe('abandon and transfer figures (issue 27, point 4)', () => {
  it('gives queued, abandoned, mean abandon time, abandoned within X s, short abandons and the transfer rate', async () => {
    // 8 queued; abandoned 8 s, 12 s, 30 s (the 3 s one is short): 3, mean 50/3 s; within 10 s: 1, within 15 s: 2;
    // transferred out 2 of 8.
    const [ten] = await adb.asReader(`select * from metrics.abandon_stats($1, $2, array['q'], 10)`, [FROM, TO]);
    expect(ten).toMatchObject({
      queue: 'q',
      queued: '8',
      abandoned: '3',
      abandoned_within: '1',
      short_abandons: '1',
      transferred_out: '2',
    });
    expect(ten!.avg_abandon_seconds).toBeCloseTo(50 / 3, 9);
    expect(ten!.transfer_rate).toBeCloseTo(2 / 8, 12);
    const [fifteen] = await adb.asReader(`select abandoned_within from metrics.abandon_stats($1, $2, null, 15)`, [
      FROM,
      TO,
    ]);
    expect(fifteen).toEqual({ abandoned_within: '2' });
    expect(await adb.asReader(`select * from metrics.abandon_stats($1, $2, array['other'])`, [FROM, TO])).toEqual([]);
  });
});
