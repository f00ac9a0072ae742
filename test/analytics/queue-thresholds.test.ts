import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeQueueSettings } from '../../src/db/queue-settings.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../../src/contracts/queue-config.js';
import { startAnalyticsDatabase, type AnalyticsDatabase } from '../helpers/analytics-db.js';

// Issue 27, point 1: the queue's own service-level threshold reaches queue_setting at start-up, its changes are kept
// as history, and each call is graded against the threshold in force when it was queued (as Teams' historical
// reports keep the threshold an interval was graded against). Expected figures are worked out by hand below.

let adb: AnalyticsDatabase;

beforeAll(async () => {
  adb = await startAnalyticsDatabase('queue-thresholds');
});

afterAll(async () => {
  await adb?.stop();
});

const queue = (name: string, serviceLevelSeconds: number): QueueConfig => ({
  ...DEFAULT_QUEUE,
  name,
  agents: [],
  agentSkills: {},
  serviceLevelSeconds,
});

let n = 0;
/** An answered call of `queue`, queued at `queuedAt`, connected `wait` seconds later. */
async function answered(queueName: string, queuedAt: Date, wait: number): Promise<void> {
  const id = `th-${++n}`;
  const connected = new Date(queuedAt.getTime() + wait * 1000);
  await adb.client.query(
    `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
     values ($1::varchar, 'call-' || $1::varchar, $2, 'connected', $3, $4, $4, $5, $5, $5)`,
    [id, queueName, wait, queuedAt, connected],
  );
}

async function graded(queueName: string, from: Date, to: Date): Promise<{ answered: number; within: number }> {
  const [row] = await adb.asReader(
    `select answered, answered_within from metrics.queue_stats($1, $2, 0, array[$3]::text[])`,
    [from, to, queueName],
  );
  return { answered: Number(row?.answered ?? 0), within: Number(row?.answered_within ?? 0) };
}

describe('queue thresholds (issue 27, point 1)', () => {
  it('writes each routed queue’s serviceLevelSeconds at start-up, once, with its history', async () => {
    expect(await writeQueueSettings(adb.orm, { sales: queue('sales', 30), support: queue('support', 45) })).toEqual([
      'sales',
      'support',
    ]);
    // A restart with the same definitions writes nothing and adds no history.
    expect(await writeQueueSettings(adb.orm, { sales: queue('sales', 30), support: queue('support', 45) })).toEqual([]);
    const settings = await adb.client.query(`select queue, sl_threshold_seconds from queue_setting order by 1`);
    expect(settings.rows).toEqual([
      { queue: 'sales', sl_threshold_seconds: 30 },
      { queue: 'support', sl_threshold_seconds: 45 },
    ]);
    // A queue's first threshold applies to its whole past: before, the configured one never reached Postgres.
    const history = await adb.asReader(
      `select queue, sl_threshold_seconds, valid_from::text, valid_to::text from metrics.queue_threshold_history order by 1`,
    );
    expect(history).toEqual([
      { queue: 'sales', sl_threshold_seconds: 30, valid_from: '-infinity', valid_to: 'infinity' },
      { queue: 'support', sl_threshold_seconds: 45, valid_from: '-infinity', valid_to: 'infinity' },
    ]);
  });

  it('grades calls queued before a threshold change against the old threshold, and later ones against the new', async () => {
    // Three answered sales calls a week ago (waits 10 s, 25 s, 40 s): against 30 s, 2 within.
    const weekAgo = new Date(Date.now() - 7 * 86400_000);
    const hour = new Date(Math.floor(weekAgo.getTime() / 3600_000) * 3600_000);
    await answered('sales', new Date(hour.getTime() + 60_000), 10);
    await answered('sales', new Date(hour.getTime() + 120_000), 25);
    await answered('sales', new Date(hour.getTime() + 180_000), 40);
    const past = { from: hour, to: new Date(hour.getTime() + 3600_000) };
    expect(await graded('sales', past.from, past.to)).toEqual({ answered: 3, within: 2 });

    // The queue's threshold goes down to 20 s (a new release of flows/): the past keeps its 30 s grading.
    expect(await writeQueueSettings(adb.orm, { sales: queue('sales', 20), support: queue('support', 45) })).toEqual([
      'sales',
    ]);
    expect(await graded('sales', past.from, past.to)).toEqual({ answered: 3, within: 2 });
    // Also over a range with sub-minute edges, which reads the raw rows instead of the rollups: still 2.
    expect(await graded('sales', new Date(hour.getTime() + 30_000), new Date(hour.getTime() + 200_500))).toEqual({
      answered: 3,
      within: 2,
    });

    // Two calls after the change, waiting 15 s and 25 s: against 20 s, 1 within.
    const later = new Date(Math.ceil((Date.now() + 60_000) / 3600_000) * 3600_000);
    await answered('sales', new Date(later.getTime() + 60_000), 15);
    await answered('sales', new Date(later.getTime() + 120_000), 25);
    expect(await graded('sales', later, new Date(later.getTime() + 3600_000))).toEqual({ answered: 2, within: 1 });
    // Both periods in one range: 2 + 1 within of 5 answered.
    expect(await graded('sales', past.from, new Date(later.getTime() + 3600_000))).toEqual({ answered: 5, within: 3 });

    const history = await adb.asReader(
      `select sl_threshold_seconds, valid_from = '-infinity' as first from metrics.queue_threshold_history
        where queue = 'sales' order by valid_from`,
    );
    expect(history).toEqual([
      { sl_threshold_seconds: 30, first: true },
      { sl_threshold_seconds: 20, first: false },
    ]);
  });

  it('keeps the 20 s default for a queue with no setting', async () => {
    const at = new Date(Date.UTC(2026, 0, 5, 10, 0, 0));
    await answered('unconfigured', new Date(at.getTime() + 60_000), 20);
    await answered('unconfigured', new Date(at.getTime() + 120_000), 21);
    expect(await graded('unconfigured', at, new Date(at.getTime() + 3600_000))).toEqual({ answered: 2, within: 1 });
  });

  it('refuses a threshold that is not a positive whole number of seconds, naming the queue', async () => {
    await expect(writeQueueSettings(adb.orm, { vip: queue('vip', 0) })).rejects.toThrow(
      'queue vip: serviceLevelSeconds must be a positive whole number of seconds, got 0',
    );
    await expect(writeQueueSettings(adb.orm, { vip: queue('vip', 2.5) })).rejects.toThrow(/queue vip/);
    await expect(
      writeQueueSettings(adb.orm, { vip: { ...queue('vip', 20), shortAbandonSeconds: -1 } }),
    ).rejects.toThrow('queue vip: shortAbandonSeconds must be a whole number of seconds, 0 or more, got -1');
  });

  it('writes each queue’s shortAbandonSeconds too, and counts hang-ups under it apart (issue 27, point 4)', async () => {
    expect(await writeQueueSettings(adb.orm, { short: { ...queue('short', 20), shortAbandonSeconds: 10 } })).toEqual([
      'short',
    ]);
    // Hung up after 4 s and 9 s (under 10: short abandons) and after 12 s (abandoned).
    const at = new Date(Date.UTC(2026, 0, 6, 10, 0, 0));
    for (const [i, wait] of [4, 9, 12].entries()) {
      const queued = new Date(at.getTime() + (i + 1) * 60_000);
      await adb.client.query(
        `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, ended_at, updated_at)
         values ($1::varchar, 'call-' || $1::varchar, 'short', 'abandoned', $2, $3, $3, $4, $4)`,
        [`short-${i}`, wait, queued, new Date(queued.getTime() + wait * 1000)],
      );
    }
    const to = new Date(at.getTime() + 3600_000);
    const [stats] = await adb.asReader(
      `select queued, abandoned, abandonment_rate from metrics.queue_totals($1, $2, array['short'])`,
      [at, to],
    );
    expect(stats).toEqual({ queued: '3', abandoned: '1', abandonment_rate: 1 / 3 });
    expect(
      await adb.asReader(`select queue, short_abandons from metrics.short_abandons($1, $2, array['short'])`, [at, to]),
    ).toEqual([{ queue: 'short', short_abandons: '2' }]);
  });
});
