import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/orm.js';
import { startSeededDatabase, type SeededDatabase } from '../helpers/services.js';
import { ALL, expandQuery, intervalSeconds } from '../../devkit/analytics/grafana-macros.js';
import { loadPanelQueries } from '../../devkit/analytics/panels.js';
import { DASHBOARDS_DIR } from '../../dashboards/generate.js';

// The seed generator's history looks like a contact center's, and every panel runs on it; plus the macro expander.
let seeded: SeededDatabase;
let client: pg.Client;
const END = new Date('2026-11-27T00:00:00Z');

beforeAll(async () => {
  seeded = await startSeededDatabase(
    'metrics',
    { calls: 6000, days: 14, end: END, seed: 7, batchSize: 1000 },
    async (orm) => {
      // Migrating again is a no-op, and re-running the metrics migration's role step is harmless (roles are cluster-wide).
      expect(await migrate(orm)).toEqual([]);
    },
  );
  client = seeded.client;
});

afterAll(async () => {
  await seeded?.stop();
});

describe('switchboard seed history', () => {
  it('has arrival peaks, abandonment, several queues, wrap-up, callbacks and voicemails', async () => {
    const { rows: byHour } = await client.query<{ h: number; n: number }>(
      `select extract(hour from arrived_at)::int as h, count(*)::int as n from call group by 1`,
    );
    const at = (h: number) => byHour.find((r) => r.h === h)?.n ?? 0;
    expect(await count('select count(*) from call')).toBe(6000);
    expect(at(10)).toBeGreaterThan(5 * at(3));
    const t = (
      await client.query(`select * from metrics.queue_totals($1, $2, null)`, [
        new Date(END.getTime() - 14 * 86400_000),
        END,
      ])
    ).rows[0];
    expect(t.abandonment_rate).toBeGreaterThan(0.05);
    expect(t.abandonment_rate).toBeLessThan(0.5);
    expect(t.service_level).toBeGreaterThan(0.3);
    expect(t.service_level).toBeLessThan(1);
    expect(await count('select count(distinct queue) from call where queue is not null')).toBe(4);
    // Answered: taken by an agent (one wrap-up each) or called back (a completed callback, no agent interval here).
    const calledBack = await count(`select count(*) from callback where status = 'completed'`);
    expect(calledBack).toBeGreaterThan(0);
    expect(await count(`select count(*) from agent_state_change where state = 'wrapUp'`)).toBe(
      Number(t.answered) - calledBack,
    );
    expect(await count('select count(*) from callback')).toBeGreaterThan(0);
    expect(await count('select count(*) from voicemail')).toBeGreaterThan(0);
    const agents = (
      await client.query(`select * from metrics.agent_totals($1, $2)`, [new Date(END.getTime() - 14 * 86400_000), END])
    ).rows[0];
    expect(agents.aht_seconds).toBeGreaterThan(200);
    expect(agents.occupancy).toBeGreaterThan(0);
    expect(agents.occupancy).toBeLessThan(1);
    expect(Number(agents.missed_offers)).toBeGreaterThan(0);
  });

  it('every panel query runs on it and returns rows for the last 7 days', async () => {
    const queries = await loadPanelQueries(DASHBOARDS_DIR);
    expect(queries.length).toBeGreaterThan(30);
    const agents = (
      await client.query<{ agent_id: string }>('select agent_id from metrics.agent_list order by 1')
    ).rows.map((r) => r.agent_id);
    expect(agents.length).toBeGreaterThanOrEqual(8); // at least 2 per queue
    const ctx = {
      from: new Date(END.getTime() - 7 * 86400_000),
      to: END,
      interval: '1h',
      vars: {
        queue: ['sales', 'support'],
        caller: '',
        call: 'x',
        agent: ALL,
        zone: 'Europe/Paris',
        interval_minutes: '15',
      },
      options: { agent: agents },
    };
    const empty: string[] = [];
    for (const q of queries) {
      const res = await client.query(expandQuery(q.rawSql, ctx));
      if (res.rowCount === 0) empty.push(`${q.dashboard} / ${q.panel}`);
    }
    // Only the live panels' per-queue table (no queue_live rows in seeded history), the path of call 'x', flow-out
    // (seeded calls have no timeline, so no queue exits), wrap-up codes and the post-call survey's CSAT (the seed
    // writes neither; test/analytics/dashboard-csat.test.ts has its known answer) are empty.
    expect(empty).toEqual([
      'agent-performance.json / Wrap-up codes',
      'call-explorer.json / Call path',
      'queue-performance.json / Flow-out per queue',
      'queue-performance.json / CSAT (post-call survey)',
      'wallboard.json / Queues now',
    ]);
  });
});

describe('range-bounded agent intervals', () => {
  it('agent_interval_range gives exactly the whole-table intervals overlapping the range', async () => {
    const from = new Date(END.getTime() - 3 * 86400_000 + 3_600_000 * 10.5);
    const to = new Date(END.getTime() - 86400_000 + 3_600_000 * 14.25);
    const cols =
      'agent_id, state, started_at, ended_at, seconds::float8 as seconds, next_state, next_seconds::float8 as next_seconds';
    const overlap = `started_at < $2 and coalesce(ended_at, 'infinity') > $1`;
    const ranged = await client.query(
      `select ${cols} from metrics.agent_interval_range($1, $2) where ${overlap} order by 1, 3, 2`,
      [from, to],
    );
    const whole = await client.query(`select ${cols} from metrics.agent_interval where ${overlap} order by 1, 3, 2`, [
      from,
      to,
    ]);
    expect(ranged.rows.length).toBeGreaterThan(1000);
    expect(ranged.rows).toEqual(whole.rows);
  });
});

describe('Grafana macro expansion', () => {
  const ctx = {
    from: new Date('2026-11-20T09:00:00Z'),
    to: new Date('2026-11-20T10:30:00.250Z'),
    interval: '5m',
    vars: { queue: ["o'hare", 'b'] },
  };
  it('expands like Grafana’s Postgres data source', () => {
    expect(expandQuery('where $__timeFilter(arrived_at)', ctx)).toBe(
      `where arrived_at BETWEEN '2026-11-20T09:00:00Z' AND '2026-11-20T10:30:00.25Z'`,
    );
    expect(expandQuery('select $__timeGroupAlias(at, $__interval), 1', ctx)).toBe(
      'select floor(extract(epoch from at)/300)*300 AS "time", 1',
    );
    expect(expandQuery(`group by $__timeGroup(at, '1h')`, ctx)).toBe(
      'group by floor(extract(epoch from at)/3600)*3600',
    );
    expect(expandQuery('$__unixEpochFilter(t)', ctx)).toBe('t >= 1795165200 AND t <= 1795170600');
    expect(expandQuery('q in ($queue) or q in (${queue:sqlstring}) or x = ${queue:csv}', ctx)).toBe(
      `q in ('o''hare','b') or q in ('o''hare','b') or x = o'hare,b`,
    );
    expect(expandQuery('$__timeFrom() $__timeTo() $__interval_ms', ctx)).toBe(
      `'2026-11-20T09:00:00Z' '2026-11-20T10:30:00.25Z' 300000`,
    );
    expect(intervalSeconds('500ms')).toBe(0.5);
    expect(() => expandQuery('$__nope(x)', ctx)).toThrow(/unknown macro/);
    expect(() => expandQuery('$missing', ctx)).toThrow(/no value/);
  });
  it('expands All to every option, formatted, or to the custom all value as it is', () => {
    const all = { ...ctx, vars: { agent: ALL, queue: [ALL] }, options: { agent: ["o'neil", 'b'], queue: ['q'] } };
    expect(expandQuery('array[${agent:sqlstring}] $agent ${queue}', all)).toBe(
      `array['o''neil','b'] 'o''neil','b' 'q'`,
    );
    expect(expandQuery('x in (${queue})', { ...all, allValue: { queue: '.*' } })).toBe('x in (.*)');
    expect(() => expandQuery('$agent', { ...all, options: {} })).toThrow(/no options/);
  });
});

async function count(sql: string): Promise<number> {
  const { rows } = await client.query<{ count: string }>(sql);
  return Number(rows[0]!.count);
}
