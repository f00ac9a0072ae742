import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { LiveFeed } from '../../src/tabs/live-feed.js';
import type { FloorSnapshot } from '../../src/tabs/floor.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';
import { eventually } from '../helpers/eventually.js';

// The Teams tabs' live feed on real Postgres (issue 25, point 1): with no tab open, the live tables' changes are not
// read at all (under load, reading the floor after each was 13% of the main thread); a tab that opens gets the floor
// as it is now; with tabs open, a burst of changes is folded into a few reads, the last of them after the burst.
let db: AnalyticsDatabase;
let feed: LiveFeed;

beforeAll(async () => {
  db = await startAnalyticsDatabase('live-feed-idle');
  feed = new LiveFeed(db.orm, pino({ level: 'silent' }));
  await feed.start();
}, 120_000);

afterAll(async () => {
  await feed?.stop();
  await db?.stop();
});

/** A queue's live row written as the queue workflow writes it: the table's trigger notifies the feed. */
async function setWaiting(queue: string, callsWaiting: number): Promise<void> {
  await db.client.query(
    `insert into queue_live (queue, calls_waiting, updated_at) values ($1, $2, now())
     on conflict (queue) do update set calls_waiting = excluded.calls_waiting, updated_at = now()`,
    [queue, callsWaiting],
  );
}

const waitingIn = (floor: FloorSnapshot | undefined, queue: string) =>
  floor?.queues.find((q) => q.queue === queue)?.waiting;

describe('the live feed with no tab open', () => {
  it('reads nothing on changes, and reads the floor as it is now for the tab that opens', async () => {
    const forks = vi.spyOn(db.orm.em, 'fork');
    for (let i = 1; i <= 20; i++) await setWaiting('support', i);
    // A tab's own round trip through Postgres after the burst: every notification above has reached the feed.
    await db.client.query(`select pg_notify('switchboard_live', 'probe')`);
    await new Promise((r) => setTimeout(r, 300));
    expect(forks.mock.calls.length, 'floor reads with no tab open').toBe(0);

    const seen: FloorSnapshot[] = [];
    const unsubscribe = feed.subscribe((f) => seen.push(f));
    const first = await eventually(() => seen[0], 'the floor for the tab that opened');
    expect(waitingIn(first, 'support')).toBe(20);
    unsubscribe();
    forks.mockRestore();
  });

  it('with a tab open, folds a burst of changes into fewer reads and ends on the last state', async () => {
    const seen: FloorSnapshot[] = [];
    const unsubscribe = feed.subscribe((f) => seen.push(f));
    await eventually(() => seen[0], 'the current floor');
    const before = seen.length;
    for (let i = 1; i <= 20; i++) await setWaiting('sales', i);
    await eventually(() => (waitingIn(seen.at(-1), 'sales') === 20 ? true : undefined), 'the last change pushed');
    const pushed = seen.length - before;
    expect(pushed).toBeGreaterThan(0);
    expect(pushed, 'floors pushed for 20 changes').toBeLessThan(20);
    unsubscribe();
  });
});
