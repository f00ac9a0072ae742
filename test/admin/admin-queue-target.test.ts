/**
 * Issue 27, point 6: a queue's service-level target (the share of calls to answer within its threshold, what the
 * Erlang C staffing panel plans for) through the admin API and CLI, as the threshold: written to queue_setting with
 * its history (who and from when), refused with a clear message when Erlang C cannot staff for it. Real Postgres
 * behind the real admin API. Support's definition in code has no target (flows/index.ts): the default, 80 %.
 */
import { describe, expect, it } from 'vitest';
import { queues } from '../../flows/index.js';
import { writeQueueSettings } from '../../src/db/queue-settings.js';
import { ADMIN, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token } = api;
const SETTINGS = '/api/admin/queues/support/settings';

interface Settings {
  serviceLevelTarget: number;
  history: { serviceLevelTarget: number; serviceLevelSeconds: number; changedBy: string | null }[];
}

describe('a queue’s service-level target through the admin API (issue 27, point 6)', () => {
  it('starts as the definition’s, changes with its history, and outlives a restart', async () => {
    const initial = await call('GET', SETTINGS, { token: await token(SUPERVISOR) });
    expect(initial.json).toMatchObject({ queue: 'support', serviceLevelTarget: 80 });

    await writeQueueSettings(api.orm, queues);
    const put = await call('PUT', SETTINGS, { token: await token(ADMIN), body: { serviceLevelTarget: 90 } });
    expect(put.status).toBe(200);
    const body = put.json as Settings;
    expect(body).toMatchObject({ serviceLevelTarget: 90, serviceLevelSeconds: 30, changedBy: ADMIN.oid });
    expect(body.history.map((h) => [h.serviceLevelTarget, h.serviceLevelSeconds, h.changedBy])).toEqual([
      [80, 30, 'config'],
      [90, 30, ADMIN.oid],
    ]);
    expect(await api.lastAudit()).toMatchObject({
      action: 'queue.settings',
      before: { serviceLevelTarget: 80 },
      after: { serviceLevelTarget: 90 },
    });
    // What the staffing panel reads.
    const [row] = await api.orm.em
      .getConnection()
      .execute<{ sl_target_percent: number }[]>(
        `select sl_target_percent from metrics.queue_threshold where queue = ?`,
        ['support'],
      );
    expect(row!.sl_target_percent).toBe(90);

    // A restart with the same definitions keeps the admin's 90 %; a release that sets the target (85) wins.
    expect(await writeQueueSettings(api.orm, queues)).toEqual([]);
    await writeQueueSettings(api.orm, { ...queues, support: { ...queues.support!, serviceLevelTarget: 85 } });
    const after = (await call('GET', SETTINGS, { token: await token(SUPERVISOR) })).json as Settings;
    expect(after.history.map((h) => [h.serviceLevelTarget, h.changedBy])).toEqual([
      [80, 'config'],
      [90, ADMIN.oid],
      [85, 'config'],
    ]);
  });

  it('sets it from the CLI, and refuses what Erlang C cannot staff for', async () => {
    const admin = await token(ADMIN);
    const set = await api.cli(['queue', 'settings', 'support', 'serviceLevelTarget=95'], admin);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ serviceLevelTarget: 95 });
    const words = await api.cli(['queue', 'settings', 'support', 'serviceLevelTarget=high'], admin);
    expect([words.code, words.stderr]).toEqual([2, expect.stringMatching(/whole percentage, got 'high'/) as string]);
    const full = await api.cli(['queue', 'settings', 'support', 'serviceLevelTarget=100'], admin);
    expect([full.code, full.stderr]).toEqual([1, expect.stringMatching(/^400: body\.serviceLevelTarget/) as string]);

    for (const target of [0, 100, 87.5, '80']) {
      const res = await call('PUT', SETTINGS, { token: admin, body: { serviceLevelTarget: target } });
      expect([target, res.status]).toEqual([target, 400]);
      expect((res.json as { error: { message: string } }).error.message).toMatch(/body\.serviceLevelTarget/);
    }
    const [row] = await api.orm.em
      .getConnection()
      .execute<{ sl_target_percent: number }[]>(`select sl_target_percent from queue_setting where queue = 'support'`);
    expect(row!.sl_target_percent).toBe(95);
  });
});
