import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_CENTER_ALERTS, CONTACT_CENTER_GROUP } from '../../dashboards/alerts-contact-center.js';
import { POSTGRES_DATASOURCE } from '../../dashboards/postgres-query.js';
import { startAnalyticsDatabase, type AnalyticsDatabase, type Row } from '../helpers/analytics-db.js';

// Issue 26, point 4: the contact center's Grafana alert rules as Grafana loads them
// (dashboards/provisioning/alerting/contact-center.yaml, written by `npm run dashboards`; the dashboards test fails
// when it is stale). Each rule's SQL runs as the read-only role Grafana uses, its clock `now()` set to a known
// instant, on rows placed by hand; a row whose value passes the rule's threshold is an alert, as Grafana evaluates
// numeric table data (one alert per row, string columns as labels).

interface ProvisionedRule {
  uid: string;
  title: string;
  condition: string;
  for: string;
  noDataState: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: {
    refId: string;
    datasourceUid: string;
    model: {
      rawSql?: string;
      format?: string;
      type?: string;
      expression?: string;
      conditions?: { evaluator: { type: 'gt' | 'lt'; params: number[] } }[];
    };
  }[];
}

let adb: AnalyticsDatabase;
let rules: Map<string, ProvisionedRule>;
let group: { name: string; folder: string; interval: string };

const at = (iso: string) => new Date(iso);
const minutes = (t: Date, n: number) => new Date(t.getTime() + n * 60_000);

/** The alerts a rule raises at `now`: its query's rows whose value passes its threshold, by queue label. */
async function firing(uid: string, now: Date): Promise<{ alerts: Record<string, number>; rows: Row[] }> {
  const rule = rules.get(uid)!;
  const query = rule.data.find((d) => d.model.rawSql !== undefined)!;
  const condition = rule.data.find((d) => d.refId === rule.condition)!;
  const { type, params } = condition.model.conditions![0]!.evaluator;
  expect(query.model.rawSql).toContain('now()');
  const rows = await adb.asReader(query.model.rawSql!.replaceAll('now()', `'${now.toISOString()}'::timestamptz`));
  const alerts: Record<string, number> = {};
  for (const row of rows) {
    const value = Number(row.value);
    if (type === 'gt' ? value > params[0]! : value < params[0]!) alerts[String(row.queue ?? '')] = value;
  }
  return { alerts, rows };
}

async function call(id: string, queue: string, queued: Date, wait: number, answered: boolean): Promise<void> {
  const end = new Date(queued.getTime() + wait * 1000);
  await adb.client.query(
    `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
     values ($1::varchar, 'call-' || $1::varchar, $2, $3, $4, $5, $5, $6, $7, $7)`,
    [id, queue, answered ? 'connected' : 'abandoned', wait, queued, answered ? end : null, end],
  );
}

async function callback(queue: string, status: string, ended: Date | null): Promise<void> {
  await adb.client.query(
    `insert into callback (call_id, queue, number, status, attempts, requested_at, completed_at)
     values (null, $1, '+15550100000', $2, 1, $3, $4)`,
    [queue, status, new Date((ended ?? at('2026-03-01T00:00:00Z')).getTime() - 600_000), ended],
  );
}

beforeAll(async () => {
  adb = await startAnalyticsDatabase('alert-rules-contact-center');
  const file = yaml.load(await readFile('dashboards/provisioning/alerting/contact-center.yaml', 'utf8')) as {
    groups: (typeof group & { rules: ProvisionedRule[] })[];
  };
  group = file.groups[0]!;
  rules = new Map(file.groups[0]!.rules.map((r) => [r.uid, r]));
});

afterAll(async () => {
  await adb?.stop();
});

describe('the contact-center alert rules as provisioned', () => {
  it('are the five rules, each a Postgres table query and a threshold on it, with nothing Grafana would expand', () => {
    expect(group).toMatchObject({ name: CONTACT_CENTER_GROUP, folder: 'Switchboard', interval: '60s' });
    expect([...rules.keys()]).toEqual(CONTACT_CENTER_ALERTS.map((a) => a.uid));
    for (const rule of rules.values()) {
      const query = rule.data.find((d) => d.refId === 'A')!;
      expect(query.datasourceUid).toBe(POSTGRES_DATASOURCE.uid);
      expect(query.model.format).toBe('table');
      expect(query.model.rawSql).not.toContain('$');
      expect(rule.condition).toBe('B');
      expect(rule.data.find((d) => d.refId === 'B')).toMatchObject({
        datasourceUid: '__expr__',
        model: { type: 'threshold', expression: 'A' },
      });
      expect(JSON.stringify(rule.labels)).not.toContain('$');
      expect(rule.annotations.summary).toBeTruthy();
    }
    expect(rules.get('switchboard-service-level')!.for).toBe('15m');
  });
});

describe('service level under target (SL2 over the last hour, for 15 minutes)', () => {
  const NOW = at('2026-03-02T12:00:00Z');
  beforeAll(async () => {
    // sl-low: 6 of 10 answered within the 20 s default threshold → SL2 0.6.
    for (let i = 0; i < 10; i++) await call(`sl-low-${i}`, 'sl-low', minutes(NOW, -50 + i), i < 6 ? 10 : 60, true);
    // sl-ok: 9 answered within 10 s and 1 abandoned after 30 s → SL2 0.9; an hour before, 5 abandoned: outside.
    for (let i = 0; i < 10; i++) await call(`sl-ok-${i}`, 'sl-ok', minutes(NOW, -40 + i), i < 9 ? 10 : 30, i < 9);
    for (let i = 0; i < 5; i++) await call(`sl-ok-old-${i}`, 'sl-ok', minutes(NOW, -110 + i), 40, false);
    // sl-few: 3 calls, all abandoned: too few to judge.
    for (let i = 0; i < 3; i++) await call(`sl-few-${i}`, 'sl-few', minutes(NOW, -30 + i), 40, false);
  });

  it('fires for the queue at 60 %, not for the one at 90 % nor for one with 3 calls', async () => {
    const { alerts, rows } = await firing('switchboard-service-level', NOW);
    expect(alerts).toEqual({ 'sl-low': 0.6 });
    expect(rows.map((r) => r.queue).sort()).toEqual(['sl-low', 'sl-ok']);
  });

  it('is quiet two hours later, with no calls in the last hour', async () => {
    expect((await firing('switchboard-service-level', minutes(NOW, 120))).rows).toEqual([]);
  });
});

describe('abandonment rate spike (last 15 minutes against the 7 days before)', () => {
  const NOW = at('2026-03-20T12:00:00Z');
  beforeAll(async () => {
    // ab-spike: usually 2 of 20 abandoned (10 %), now 4 of 10 (40 %) → 4× the usual.
    // ab-usual: usually 6 of 20 (30 %), now 4 of 10 → 1.33×.
    for (const [queue, usual] of [
      ['ab-spike', 2],
      ['ab-usual', 6],
    ] as const) {
      for (let i = 0; i < 20; i++)
        await call(`${queue}-week-${i}`, queue, minutes(NOW, -(i + 1) * 400), 40, i >= usual);
      for (let i = 0; i < 10; i++) await call(`${queue}-now-${i}`, queue, minutes(NOW, -14 + i), 40, i >= 4);
    }
  });

  it('fires for the queue abandoning 4 times as often as usual, not for the one at 1.33 times', async () => {
    const { alerts, rows } = await firing('switchboard-abandonment-spike', NOW);
    expect(Object.keys(alerts)).toEqual(['ab-spike']);
    expect(alerts['ab-spike']).toBeCloseTo(4, 9);
    expect(Number(rows.find((r) => r.queue === 'ab-usual')!.value)).toBeCloseTo(0.4 / 0.3, 9);
  });

  it('is quiet half an hour later, when the last 15 minutes hold no call', async () => {
    expect((await firing('switchboard-abandonment-spike', minutes(NOW, 30))).rows).toEqual([]);
  });
});

describe('calls waiting while no agent is available', () => {
  const NOW = at('2026-03-25T12:00:00Z');
  beforeAll(async () => {
    const live = (queue: string, waiting: number, agents: Record<string, number>) =>
      adb.client.query(
        `insert into queue_live (queue, calls_waiting, oldest_waiting_since, agents_available, agents_reserved,
           agents_on_call, agents_wrap_up, agents_away, agents_signed_out, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $3)`,
        [
          queue,
          waiting,
          minutes(NOW, -3),
          agents.available ?? 0,
          agents.reserved ?? 0,
          agents.onCall ?? 0,
          agents.wrapUp ?? 0,
          agents.away ?? 0,
          agents.signedOut ?? 0,
        ],
      );
    await live('w-nobody', 2, { away: 2, signedOut: 1 }); // two callers on hold, every member away or signed out
    await live('w-busy', 3, { onCall: 2, wrapUp: 1 }); // all busy: a queue doing its job
    await live('w-ringing', 1, { reserved: 1, away: 1 }); // the one caller is being offered to an agent
    await live('w-idle', 0, { away: 3 }); // nobody there, but nobody waiting either
    await live('w-callback', 1, { signedOut: 2 }); // the one waiting is a callback, not a caller on hold
    await callback('w-callback', 'requested', null);
  });

  it('fires for the queue with callers on hold and every agent away, with the number on hold', async () => {
    const { alerts, rows } = await firing('switchboard-waiting-no-agent', NOW);
    expect(alerts).toEqual({ 'w-nobody': 2 });
    expect(rows).toHaveLength(5);
  });
});

describe('callbacks failing (ended failed in the last hour)', () => {
  const NOW = at('2026-03-28T12:00:00Z');
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await callback('cb-bad', 'failed', minutes(NOW, -50 + i * 10));
    await callback('cb-bad', 'completed', minutes(NOW, -5));
    for (let i = 0; i < 2; i++) await callback('cb-ok', 'failed', minutes(NOW, -20 - i));
    for (let i = 0; i < 5; i++) await callback('cb-ok', 'failed', minutes(NOW, -120 - i)); // an hour before: gone
    await callback('cb-ok', 'completed', minutes(NOW, -10));
  });

  it('fires for 3 failed in the hour, not for 2 (older failures out of the window)', async () => {
    const { alerts, rows } = await firing('switchboard-callbacks-failing', NOW);
    expect(alerts).toEqual({ 'cb-bad': 3 });
    expect(rows.find((r) => r.queue === 'cb-ok')).toMatchObject({ value: 2 });
  });

  it('lets the alert go once the failures are over an hour old', async () => {
    expect((await firing('switchboard-callbacks-failing', minutes(NOW, 50))).alerts).toEqual({});
  });
});

describe('retention job not run in 26 hours', () => {
  it('counts from the installation until the first run, then from the last run', async () => {
    const [{ installed_at: installed }] = (await adb.asReader(`select installed_at from metrics.retention_status`)) as [
      { installed_at: Date },
    ];
    expect((await firing('switchboard-retention-not-run', minutes(installed, 25 * 60))).alerts).toEqual({});
    const fresh = await firing('switchboard-retention-not-run', minutes(installed, 27 * 60));
    // (Postgres keeps microseconds; a JavaScript Date milliseconds.)
    expect(Object.values(fresh.alerts)).toHaveLength(1);
    expect(Object.values(fresh.alerts)[0]).toBeCloseTo(27, 4);

    const ran = at('2026-04-01T03:00:00Z');
    await adb.client.query(
      `insert into retention_run (ran_at, cutoff, calls, events, voicemails, callbacks, recordings, files)
       values ($1, $1::timestamptz - interval '90 days', 0, 0, 0, 0, 0, 0), ($2, $2::timestamptz - interval '90 days', 0, 0, 0, 0, 0, 0)`,
      [minutes(ran, -24 * 60), ran],
    );
    expect((await firing('switchboard-retention-not-run', minutes(ran, 25 * 60))).alerts).toEqual({});
    expect(Object.values((await firing('switchboard-retention-not-run', minutes(ran, 26 * 60 + 30))).alerts)).toEqual([
      26.5,
    ]);
  });
});
