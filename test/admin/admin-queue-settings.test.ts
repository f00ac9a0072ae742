/**
 * Issue 27, point 1 (and the settings of points 4 and 5): a queue's threshold changed through the admin API is
 * written to queue_setting as start-up writes it, with its history (who and from when), and only calls queued from
 * then on are graded against it. The change outlives a restart, until a release changes the queue's definition.
 * Real Postgres behind the real admin API. Expected figures by hand: support's code threshold is 30 s (flows/index.ts).
 */
import { describe, expect, it } from 'vitest';
import { queues } from '../../flows/index.js';
import { writeQueueSettings } from '../../src/db/queue-settings.js';
import { ADMIN, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token } = api;
const SETTINGS = '/api/admin/queues/support/settings';

const sql = async <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  api.orm.em.getConnection().execute<T[]>(query, params);

let n = 0;
/** An answered support call queued at `queuedAt`, connected `wait` seconds later. */
async function answered(queuedAt: Date, wait: number): Promise<void> {
  const id = `qs-${++n}`;
  const connected = new Date(queuedAt.getTime() + wait * 1000);
  await sql(
    `insert into call (id, workflow_id, queue, outcome, wait_seconds, arrived_at, queued_at, connected_at, ended_at, updated_at)
     values (?, ?, 'support', 'connected', ?, ?, ?, ?, ?, ?)`,
    [id, `call-${id}`, wait, queuedAt, queuedAt, connected, connected, connected],
  );
}

async function supportGraded(from: Date, to: Date): Promise<{ answered: number; within: number }> {
  const [row] = await sql<{ answered: string; answered_within: string }>(
    `select answered, answered_within from metrics.queue_stats(?, ?, 0, array['support']::text[])`,
    [from, to],
  );
  return { answered: Number(row?.answered ?? 0), within: Number(row?.answered_within ?? 0) };
}

describe('queue settings through the admin API (issue 27, point 1)', () => {
  it('changes the threshold from now on, keeps the history with who changed it, and survives a restart', async () => {
    const start = new Date(Date.now() - 3600_000);
    // Before any worker wrote it, the settings are the queue's definition in code.
    const initial = await call('GET', SETTINGS, { token: await token(SUPERVISOR) });
    expect(initial.status).toBe(200);
    expect(initial.json).toMatchObject({ queue: 'support', serviceLevelSeconds: 30, shortAbandonSeconds: 5 });

    // Start-up writes the definition; a call queued an hour ago waited 25 s: within 30 s.
    await writeQueueSettings(api.orm, queues);
    await answered(new Date(Date.now() - 1800_000), 25);

    const put = await call('PUT', SETTINGS, { token: await token(ADMIN), body: { serviceLevelSeconds: 20 } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      queue: 'support',
      serviceLevelSeconds: 20,
      serviceLevelFormula: 'answered_abandoned',
      timeZone: null,
      effectiveTimeZone: 'UTC',
      changedBy: ADMIN.oid,
    });
    const history = (
      put.json as { history: { serviceLevelSeconds: number; validFrom: string | null; changedBy: string }[] }
    ).history;
    expect(history.map((h) => [h.serviceLevelSeconds, h.changedBy])).toEqual([
      [30, 'config'],
      [20, ADMIN.oid],
    ]);
    // The first row is the queue's whole past; the admin's change starts when it was made.
    expect(history[0]!.validFrom).toBeNull();
    expect(Date.parse(history[1]!.validFrom!)).toBeGreaterThan(start.getTime());
    expect(await api.lastAudit()).toMatchObject({
      action: 'queue.settings',
      target: 'queue:support',
      before: { serviceLevelSeconds: 30 },
      after: { serviceLevelSeconds: 20 },
    });

    // A call queued after the change with the same 25 s wait is late against 20 s; the earlier one stays within.
    await answered(new Date(Date.now() + 1000), 25);
    const end = new Date(Date.now() + 3600_000);
    expect(await supportGraded(start, end)).toEqual({ answered: 2, within: 1 });

    // A restart with the same definitions leaves the admin's threshold in force and adds no history.
    expect(await writeQueueSettings(api.orm, queues)).toEqual([]);
    const [row] = await sql<{ sl_threshold_seconds: number; changed_by: string }>(
      `select sl_threshold_seconds, changed_by from queue_setting where queue = 'support'`,
    );
    expect(row).toEqual({ sl_threshold_seconds: 20, changed_by: ADMIN.oid });

    // A release that changes the definition (40 s) wins, and the history says so.
    await writeQueueSettings(api.orm, { ...queues, support: { ...queues.support!, serviceLevelSeconds: 40 } });
    const after = await call('GET', SETTINGS, { token: await token(SUPERVISOR) });
    expect(after.json).toMatchObject({ serviceLevelSeconds: 40, changedBy: 'config' });
    expect((after.json as { history: unknown[] }).history).toHaveLength(3);
  });

  it('sets the service-level formula and the queue’s own time zone', async () => {
    const put = await call('PUT', SETTINGS, {
      token: await token(ADMIN),
      body: { serviceLevelFormula: 'answered', timeZone: 'Asia/Kolkata' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ serviceLevelFormula: 'answered', timeZone: 'Asia/Kolkata' });
    expect(put.json).toMatchObject({ effectiveTimeZone: 'Asia/Kolkata' });
    const zones = await sql<{ zone: string }>(`select metrics.zone_for(array['support']::text[]) as zone`);
    expect(zones[0]!.zone).toBe('Asia/Kolkata');
    // Back to the site's zone.
    const reset = await call('PUT', SETTINGS, { token: await token(ADMIN), body: { timeZone: null } });
    expect(reset.json).toMatchObject({ timeZone: null, effectiveTimeZone: 'UTC' });
  });

  it('reads and changes them from the CLI: switchboard admin queue settings', async () => {
    const admin = await token(ADMIN);
    const set = await api.cli(
      ['queue', 'settings', 'support', 'serviceLevelSeconds=25', 'serviceLevelFormula=late_abandons', 'timeZone=site'],
      admin,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      serviceLevelSeconds: 25,
      serviceLevelFormula: 'late_abandons',
      timeZone: null,
    });
    const read = await api.cli(['queue', 'settings', 'support'], await token(SUPERVISOR));
    expect(JSON.parse(read.stdout)).toMatchObject({ serviceLevelSeconds: 25, changedBy: ADMIN.oid });
    // A key it does not know: exit 2 before any request; a value the API refuses: its 400, exit 1.
    const typo = await api.cli(['queue', 'settings', 'support', 'threshold=25'], admin);
    expect([typo.code, typo.stderr]).toEqual([2, expect.stringMatching(/'threshold=25' is not key=value/) as string]);
    const words = await api.cli(['queue', 'settings', 'support', 'serviceLevelSeconds=soon'], admin);
    expect([words.code, words.stderr]).toEqual([2, expect.stringMatching(/whole number of seconds/) as string]);
    const zone = await api.cli(['queue', 'settings', 'support', 'timeZone=Mars/Olympus_Mons'], admin);
    expect([zone.code, zone.stderr]).toEqual([1, expect.stringMatching(/^400: body\.timeZone/) as string]);
    expect((await api.cli(['queue', 'settings', '--help'])).stdout).toMatch(/queue settings <queue>/);
  });

  it('answers bad requests with a status and a message', async () => {
    const admin = await token(ADMIN);
    const cases: [string, string, unknown, string | undefined, number, RegExp][] = [
      [
        'PUT',
        SETTINGS,
        { serviceLevelSeconds: 20 },
        await token(SUPERVISOR),
        403,
        /requires one of: Switchboard\.Admin/,
      ],
      ['PUT', '/api/admin/queues/nowhere/settings', { serviceLevelSeconds: 20 }, admin, 404, /no such queue: nowhere/],
      ['GET', '/api/admin/queues/nowhere/settings', undefined, admin, 404, /no such queue/],
      ['PUT', SETTINGS, { serviceLevelSeconds: 0 }, admin, 400, /body\.serviceLevelSeconds/],
      ['PUT', SETTINGS, { serviceLevelSeconds: 2.5 }, admin, 400, /whole seconds/],
      ['PUT', SETTINGS, {}, admin, 400, /at least one setting/],
      ['PUT', SETTINGS, { threshold: 20 }, admin, 400, /threshold/],
      ['PUT', SETTINGS, { serviceLevelFormula: 'best' }, admin, 400, /body\.serviceLevelFormula/],
      ['PUT', SETTINGS, { timeZone: 'Mars/Olympus_Mons' }, admin, 400, /not a time zone Postgres knows/],
    ];
    for (const [method, path, body, t, status, message] of cases) {
      const res = await call(method, path, { ...(t ? { token: t } : {}), ...(body !== undefined ? { body } : {}) });
      expect([path, body, res.status]).toEqual([path, body, status]);
      expect((res.json as { error: { message: string } }).error.message).toMatch(message);
    }
  });
});
