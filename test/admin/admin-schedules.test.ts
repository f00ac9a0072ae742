/**
 * Schedules and holidays through the admin API and the CLI: the schedules of flows/schedules.ts with their status
 * now, holidays added, replaced and removed (audited, and honoured by isOpen), and bad input refused.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createScheduleActivities } from '../../activities/schedules.js';
import { schedules } from '../../flows/schedules.js';
import { ADMIN, AGENT, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, cli, auditCount, lastAudit } = api;

describe('schedules and holidays', () => {
  const exceptionCount = async () =>
    Number((await api.orm.em.getConnection().execute('select count(*)::int as n from schedule_exception'))[0]!.n);

  it('lists the schedules of flows/schedules.ts with their status now, and shows one with its hours', async () => {
    const list = await call('GET', '/api/admin/schedules', { token: await token(AGENT) });
    expect(list.status).toBe(200);
    expect(list.json.items.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['main-office', 'support-24x7']),
    );
    const office = list.json.items.find((s: { name: string }) => s.name === 'main-office');
    expect(office).toMatchObject({
      timeZone: 'America/Los_Angeles',
      status: { schedule: 'main-office', open: expect.any(Boolean) },
    });
    const one = await call('GET', '/api/admin/schedules/main-office', { token: await token(SUPERVISOR) });
    expect(one.json).toMatchObject({ name: 'main-office', weekly: { sat: [['09:00', '13:00']] }, exceptions: [] });
    expect(one.json.publicHolidays).toEqual({ country: 'US' });
    expect(one.json.holidays).toContainEqual({ date: `${new Date().getUTCFullYear()}-12-25`, name: 'Christmas Day' });
    expect((await call('GET', '/api/admin/schedules/nowhere', { token: await token(ADMIN) })).status).toBe(404);
  });

  it('adds, replaces and removes a holiday as an admin, audited, and isOpen honours it', async () => {
    const { isOpen } = createScheduleActivities(api.orm, schedules);
    const tuesdayNoon = '2027-03-02T20:00:00Z'; // Tuesday 12:00 PST: open by the weekly hours
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({ open: true, reason: 'hours' });

    const t = await token(ADMIN);
    const added = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-02', {
      token: t,
      body: { kind: 'holiday', name: 'Office move' },
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      schedule: 'main-office',
      date: '2027-03-02',
      kind: 'holiday',
      hours: null,
      createdBy: `Ada Admin (${ADMIN.oid})`,
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toEqual({
      schedule: 'main-office',
      open: false,
      reason: 'holiday',
      name: 'Office move',
      nextChange: '2027-03-03T16:00:00.000Z',
    });

    const replaced = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-02', {
      token: t,
      body: { kind: 'specialHours', name: 'Move, half day', hours: [['13:00', '17:00']] },
    });
    expect(replaced.status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      action: 'scheduleException.update',
      target: 'schedule:main-office/2027-03-02',
      before: { kind: 'holiday', name: 'Office move' },
      after: { kind: 'specialHours', hours: [['13:00', '17:00']] },
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({
      open: false,
      reason: 'specialHours',
      nextChange: '2027-03-02T21:00:00.000Z',
    });
    const detail = await call('GET', '/api/admin/schedules/main-office', { token: t });
    expect(detail.json.exceptions).toEqual([expect.objectContaining({ date: '2027-03-02', name: 'Move, half day' })]);

    const removed = await call('DELETE', '/api/admin/schedules/main-office/exceptions/2027-03-02', { token: t });
    expect(removed.status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      action: 'scheduleException.delete',
      after: null,
      before: { name: 'Move, half day' },
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({ open: true, reason: 'hours' });
    expect((await call('DELETE', '/api/admin/schedules/main-office/exceptions/2027-03-02', { token: t })).status).toBe(
      404,
    );
  });

  it('adds a recurring holiday from the CLI', async () => {
    const r = await cli(['holiday', 'add', 'support-24x7', '07-04', 'Independence', 'Day'], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ date: '07-04', name: 'Independence Day', kind: 'holiday' });
    const { isOpen } = createScheduleActivities(api.orm, schedules);
    expect(await isOpen({ schedule: 'support-24x7', at: '2031-07-04T16:00:00Z' })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Independence Day',
    });
    expect((await cli(['schedule-exception', 'remove', 'support-24x7', '07-04'], await token(ADMIN))).code).toBe(0);
  });

  it('fails isOpen for an unknown schedule without retrying', async () => {
    const { isOpen } = createScheduleActivities(api.orm, schedules);
    const err = await isOpen({ schedule: 'nowhere' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'UnknownSchedule', nonRetryable: true });
  });

  it('refuses supervisors and agents writing, and bad bodies with the field path; nothing changes', async () => {
    const before = [await exceptionCount(), await auditCount()];
    for (const who of [SUPERVISOR, AGENT]) {
      const res = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-03', {
        token: await token(who),
        body: { kind: 'holiday', name: 'x' },
      });
      expect(res.status).toBe(403);
      expect(
        (await call('DELETE', '/api/admin/schedules/main-office/exceptions/12-25', { token: await token(who) })).status,
      ).toBe(403);
    }
    const t = await token(ADMIN);
    const bad = async (date: string, body: unknown) => {
      const res = await call('PUT', `/api/admin/schedules/main-office/exceptions/${date}`, { token: t, body });
      expect(res.status).toBe(400);
      return res.json.error.details.map((d: { path: string }) => d.path);
    };
    expect(await bad('2027-02-30', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('2027-13-01', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('tomorrow', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('2027-03-03', { kind: 'vacation', name: '' })).toEqual(
      expect.arrayContaining(['body.kind', 'body.name']),
    );
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x', hours: [['18:00', '08:00']] })).toEqual([
      'body.hours.0',
    ]);
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x', hours: [['9:00', '12:00']] })).toEqual([
      'body.hours.0.0',
    ]);
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x' })).toEqual(['body.hours']);
    expect(await bad('2027-03-03', { kind: 'holiday', name: 'x', hours: [] })).toEqual(['body.hours']);
    expect(await bad('2027-03-03', { kind: 'holiday', name: 'x', extra: 1 })).toEqual(['body']);
    expect([await exceptionCount(), await auditCount()]).toEqual(before);
  });

  it.each(["' OR '1'='1", "x'; drop table schedule_exception; --", '"; select pg_sleep(1); --'])(
    'stores %s as a plain holiday name',
    async (evil) => {
      const t = await token(ADMIN);
      const put = await call('PUT', '/api/admin/schedules/main-office/exceptions/2030-01-02', {
        token: t,
        body: { kind: 'holiday', name: evil },
      });
      expect(put.status).toBe(200);
      expect(put.json.name).toBe(evil.trim());
      const rows = await api.orm.em
        .getConnection()
        .execute(`select name from schedule_exception where schedule = 'main-office' and date = '2030-01-02'`);
      expect(rows).toEqual([{ name: evil.trim() }]);
      // In path parameters it is not a schedule name at all.
      expect((await call('GET', `/api/admin/schedules/${encodeURIComponent(evil)}`, { token: t })).status).toBe(400);
      expect(
        (await call('DELETE', `/api/admin/schedules/main-office/exceptions/${encodeURIComponent(evil)}`, { token: t }))
          .status,
      ).toBe(400);
      expect(
        (await call('DELETE', '/api/admin/schedules/main-office/exceptions/2030-01-02', { token: t })).status,
      ).toBe(200);
    },
  );
});
