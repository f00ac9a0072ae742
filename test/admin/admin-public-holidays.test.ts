/**
 * Public holidays (date-holidays, issue 26, point 2) overridden through the admin API on a real Postgres: an admin's
 * special hours open US Thanksgiving 2031 in the main office, an admin's holiday closes a normal Tuesday, and removing
 * them brings the library's answer back. The schedule's detail names its country and lists its public holidays.
 */
import { describe, expect, it } from 'vitest';
import { createScheduleActivities } from '../../activities/schedules.js';
import { schedules } from '../../flows/schedules.js';
import { ADMIN, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token } = api;

const THANKSGIVING_2031 = '2031-11-27T18:00:00Z'; // Thursday 10:00 PST
const TUESDAY_BEFORE = '2031-11-25T18:00:00Z'; // Tuesday 10:00 PST, open by the weekly hours

describe('public holidays through the admin API', () => {
  it('shows the country and its public holidays in the schedule detail', async () => {
    const detail = await call('GET', '/api/admin/schedules/main-office', { token: await token(SUPERVISOR) });
    expect(detail.status).toBe(200);
    expect(detail.json.publicHolidays).toEqual({ country: 'US' });
    const year = new Date().getUTCFullYear();
    expect(detail.json.holidays).toEqual(
      expect.arrayContaining([
        { date: `${year}-07-04`, name: 'Independence Day' },
        { date: `${year + 1}-01-01`, name: "New Year's Day" },
      ]),
    );
  });

  it('opens a public holiday with special hours and closes a normal day, until the exceptions are removed', async () => {
    const { isOpen } = createScheduleActivities(api.orm, schedules);
    expect(await isOpen({ schedule: 'main-office', at: THANKSGIVING_2031 })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Thanksgiving Day',
    });
    expect(await isOpen({ schedule: 'main-office', at: TUESDAY_BEFORE })).toMatchObject({
      open: true,
      reason: 'hours',
    });

    const t = await token(ADMIN);
    const opened = await call('PUT', '/api/admin/schedules/main-office/exceptions/2031-11-27', {
      token: t,
      body: { kind: 'specialHours', name: 'Skeleton crew', hours: [['09:00', '12:00']] },
    });
    expect(opened.status).toBe(200);
    const closed = await call('PUT', '/api/admin/schedules/main-office/exceptions/2031-11-25', {
      token: t,
      body: { kind: 'holiday', name: 'Office move' },
    });
    expect(closed.status).toBe(200);

    expect(await isOpen({ schedule: 'main-office', at: THANKSGIVING_2031 })).toEqual({
      schedule: 'main-office',
      open: true,
      reason: 'specialHours',
      name: 'Skeleton crew',
      nextChange: '2031-11-27T20:00:00.000Z',
    });
    expect(await isOpen({ schedule: 'main-office', at: TUESDAY_BEFORE })).toEqual({
      schedule: 'main-office',
      open: false,
      reason: 'holiday',
      name: 'Office move',
      nextChange: '2031-11-26T16:00:00.000Z',
    });

    for (const date of ['2031-11-27', '2031-11-25']) {
      const removed = await call('DELETE', `/api/admin/schedules/main-office/exceptions/${date}`, { token: t });
      expect(removed.status).toBe(200);
    }
    expect(await isOpen({ schedule: 'main-office', at: THANKSGIVING_2031 })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Thanksgiving Day',
    });
    expect(await isOpen({ schedule: 'main-office', at: TUESDAY_BEFORE })).toMatchObject({
      open: true,
      reason: 'hours',
    });
  });
});
