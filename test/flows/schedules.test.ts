import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatScheduleErrors, scheduleStatus, validateSchedules } from '../../src/schedules/evaluate.js';
import { publicHolidaysAround } from '../../src/schedules/public-holidays.js';
import type { ScheduleDefinition } from '../../src/schedules/types.js';
import { schedules } from '../../flows/schedules.js';

// Business hours are pure: every case below is an instant, a definition and the expected answer.
const office = schedules['main-office']!;
const at = (iso: string) => new Date(iso);
const status = (def: ScheduleDefinition, iso: string, exceptions: Parameters<typeof scheduleStatus>[2] = []) =>
  scheduleStatus('s', def, exceptions, at(iso), publicHolidaysAround(def, at(iso)));

describe('the schedules in flows/schedules.ts', () => {
  it('are valid and include the main office and an around-the-clock schedule', () => {
    expect(validateSchedules(schedules)).toEqual([]);
    expect(office.timeZone).toBe('America/Los_Angeles');
    expect(status(schedules['support-24x7']!, '2026-11-28T03:00:00Z')).toEqual({
      schedule: 's',
      open: true,
      reason: 'hours',
    });
  });
});

describe('switchboard schedules validate', () => {
  it('checks flows/schedules.ts and prints whether each schedule is open now', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'cli/main.ts', 'schedules', 'validate'], {
      timeout: 60_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(Object.keys(schedules));
    expect(lines[0]).toMatch(
      /^main-office: America\/Los_Angeles, (open|closed) now \((hours|closed|holiday|specialHours)/,
    );
  });
});

describe('scheduleStatus', () => {
  it('is open during the weekly hours and says when it closes', () => {
    // Friday 2026-11-20 10:00 PST.
    expect(status(office, '2026-11-20T18:00:00Z')).toEqual({
      schedule: 's',
      open: true,
      reason: 'hours',
      nextChange: '2026-11-21T02:00:00.000Z',
    });
  });

  it('is closed overnight and opens at 08:00 local the same morning', () => {
    // Wednesday 2026-11-18 03:00 PST.
    expect(status(office, '2026-11-18T11:00:00Z')).toEqual({
      schedule: 's',
      open: false,
      reason: 'closed',
      nextChange: '2026-11-18T16:00:00.000Z',
    });
    // A minute before closing it is open; at 18:00 sharp it is closed (the end is exclusive).
    expect(status(office, '2026-11-19T01:59:00Z').open).toBe(true);
    expect(status(office, '2026-11-19T02:00:00Z')).toMatchObject({
      open: false,
      reason: 'closed',
      nextChange: '2026-11-19T16:00:00.000Z',
    });
  });

  it('counts hours across the US spring-forward weekend in local time', () => {
    // Saturday 2026-03-07 14:00 PST, closed; Monday opens at 08:00 PDT, which is 15:00Z (not 16:00Z).
    expect(status(office, '2026-03-07T22:00:00Z')).toMatchObject({
      open: false,
      reason: 'closed',
      nextChange: '2026-03-09T15:00:00.000Z',
    });
    // Hours over the skipped hour: Sunday 01:00–04:00 local lasts two real hours that night.
    const night: ScheduleDefinition = {
      displayName: 'Night',
      timeZone: 'America/Los_Angeles',
      weekly: { sun: [['01:00', '04:00']] },
    };
    expect(status(night, '2026-03-08T08:59:00Z')).toMatchObject({
      open: false,
      nextChange: '2026-03-08T09:00:00.000Z',
    });
    expect(status(night, '2026-03-08T10:30:00Z')).toMatchObject({ open: true, nextChange: '2026-03-08T11:00:00.000Z' }); // 03:30 PDT
    // A boundary inside the skipped hour (02:30 does not exist) moves forward to 03:30 PDT.
    const gap: ScheduleDefinition = {
      displayName: 'Gap',
      timeZone: 'America/Los_Angeles',
      weekly: { sun: [['02:30', '05:00']] },
    };
    expect(status(gap, '2026-03-08T09:00:00Z')).toMatchObject({ open: false, nextChange: '2026-03-08T10:30:00.000Z' });
  });

  it('counts hours across the US fall-back weekend in local time', () => {
    // Saturday 2026-10-31 14:00 PDT, closed; Monday opens at 08:00 PST = 16:00Z.
    expect(status(office, '2026-10-31T21:00:00Z')).toMatchObject({
      open: false,
      reason: 'closed',
      nextChange: '2026-11-02T16:00:00.000Z',
    });
    // Sunday 01:00–04:00 local lasts four real hours the night clocks go back.
    const night: ScheduleDefinition = {
      displayName: 'Night',
      timeZone: 'America/Los_Angeles',
      weekly: { sun: [['01:00', '04:00']] },
    };
    expect(status(night, '2026-11-01T08:00:00Z')).toMatchObject({ open: true, nextChange: '2026-11-01T12:00:00.000Z' });
    expect(status(night, '2026-11-01T11:30:00Z')).toMatchObject({ open: true, nextChange: '2026-11-01T12:00:00.000Z' }); // 03:30 PST
    expect(status(night, '2026-11-01T12:00:00Z')).toMatchObject({
      open: false,
      nextChange: '2026-11-08T09:00:00.000Z',
    });
  });

  it('stays open across midnight when one day ends at 24:00 and the next starts at 00:00', () => {
    const late: ScheduleDefinition = {
      displayName: 'Late',
      timeZone: 'Europe/Berlin',
      weekly: { fri: [['18:00', '24:00']], sat: [['00:00', '02:00']] },
    };
    // Friday 2026-11-27 23:30 CET: open until Saturday 02:00 CET.
    expect(status(late, '2026-11-27T22:30:00Z')).toEqual({
      schedule: 's',
      open: true,
      reason: 'hours',
      nextChange: '2026-11-28T01:00:00.000Z',
    });
  });

  it('is closed all day on a holiday, named', () => {
    // Thanksgiving, Thursday 2026-11-26 10:00 PST; the next opening is the short day after.
    expect(status(office, '2026-11-26T18:00:00Z')).toEqual({
      schedule: 's',
      open: false,
      reason: 'holiday',
      name: 'Thanksgiving Day',
      nextChange: '2026-11-27T17:00:00.000Z',
    });
  });

  it("keeps a recurring 'MM-DD' holiday every year", () => {
    // 2028-12-25 is a Monday, beyond the dated holidays: the recurring '12-25' still closes it.
    expect(status(office, '2028-12-25T18:00:00Z')).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Christmas Day',
    });
    expect(status(office, '2029-01-01T18:00:00Z')).toMatchObject({
      open: false,
      reason: 'holiday',
      name: "New Year's Day",
    });
    expect(status(office, '2028-12-26T18:00:00Z')).toMatchObject({ open: true, reason: 'hours' });
  });

  it('uses special hours instead of the weekly ones, open and closed', () => {
    // Christmas Eve 2026 (Thursday): 08:00–12:00 only.
    expect(status(office, '2026-12-24T19:30:00Z')).toEqual({
      schedule: 's',
      open: true,
      reason: 'specialHours',
      name: 'Christmas Eve',
      nextChange: '2026-12-24T20:00:00.000Z',
    });
    // 13:00 PST: closed by the special hours; Christmas Day is a holiday, so the next opening is Saturday 09:00.
    expect(status(office, '2026-12-24T21:00:00Z')).toEqual({
      schedule: 's',
      open: false,
      reason: 'specialHours',
      name: 'Christmas Eve',
      nextChange: '2026-12-26T17:00:00.000Z',
    });
  });

  it('lets run-time exceptions win over the definition for their date', () => {
    // An extra holiday on a normal Tuesday.
    expect(
      status(office, '2026-12-01T18:00:00Z', [{ date: '2026-12-01', name: 'Office move', kind: 'holiday' }]),
    ).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Office move',
      nextChange: '2026-12-02T16:00:00.000Z',
    });
    // Opening on a code holiday (Thanksgiving) with special hours.
    expect(
      status(office, '2026-11-26T18:00:00Z', [
        { date: '2026-11-26', name: 'Skeleton crew', kind: 'specialHours', hours: [['09:00', '11:00']] },
      ]),
    ).toMatchObject({
      open: true,
      reason: 'specialHours',
      name: 'Skeleton crew',
      nextChange: '2026-11-26T19:00:00.000Z',
    });
  });

  it('gives no next change when none is within 14 days', () => {
    const never: ScheduleDefinition = { displayName: 'Never', timeZone: 'UTC', weekly: {} };
    expect(status(never, '2026-11-28T00:00:00Z')).toEqual({ schedule: 's', open: false, reason: 'closed' });
  });
});

describe('validateSchedules', () => {
  it('names the schedule and the field of every problem', () => {
    const errors = validateSchedules({
      broken: {
        displayName: 'Broken',
        timeZone: 'America/Springfield',
        weekly: {
          mon: [
            ['18:00', '08:00'],
            ['8:00', '09:00'],
          ],
          tue: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
          wed: [['09:00', '25:00']],
        },
        holidays: [
          { date: '2026-02-30', name: 'Not a day' },
          { date: '2026/12/25', name: 'Wrong format' },
        ],
        specialDates: [{ date: '12-24', name: 'Eve', hours: [['12:00', '12:00']] }],
      },
    });
    expect(errors.map((e) => `${e.schedule} ${e.field}`)).toEqual([
      'broken timeZone',
      'broken weekly.mon[0]',
      'broken weekly.mon[1]',
      'broken weekly.tue[1]',
      'broken weekly.wed[0]',
      'broken holidays[0].date',
      'broken holidays[1].date',
      'broken specialDates[0].hours[0]',
    ]);
    const text = formatScheduleErrors(errors);
    expect(text).toContain('broken: timeZone: "America/Springfield" is not an IANA time zone');
    expect(text).toContain('broken: weekly.mon[0]: end 08:00 is not after start 18:00');
    expect(text).toContain(`broken: weekly.mon[1]: start "8:00" is not 'HH:MM'`);
    expect(text).toContain('broken: weekly.tue[1]: overlaps interval [0]');
    expect(text).toContain("broken: holidays[0].date: '2026-02-30' is not a real date");
  });
});
