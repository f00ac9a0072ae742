/**
 * Public holidays by date-holidays (issue 26, point 2): a schedule names a country (and optionally a region) and its
 * public holidays come from the library for any year; the schedule's own special dates and holidays, and admins'
 * run-time exceptions, still open or close a date; `switchboard schedules list --year` shows them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createScheduleActivities } from '../../activities/schedules.js';
import { schedules } from '../../flows/schedules.js';
import { validateSchedules } from '../../src/schedules/evaluate.js';
import { checkPublicHolidaySources, publicHolidaysOf } from '../../src/schedules/public-holidays.js';
import type { ScheduleDefinition, ScheduleException } from '../../src/schedules/types.js';

const days = (country: string, region?: string) =>
  publicHolidaysOf({ country, ...(region ? { region } : {}) }, 2031).map((h) => `${h.date} ${h.name}`);

describe('public holidays of 2031 from date-holidays', () => {
  it('US: the eleven federal holidays (Thanksgiving on the fourth Thursday of November)', () => {
    expect(days('US')).toEqual([
      "2031-01-01 New Year's Day",
      '2031-01-20 Martin Luther King Jr. Day',
      "2031-02-17 Washington's Birthday",
      '2031-05-26 Memorial Day',
      '2031-06-19 Juneteenth',
      '2031-07-04 Independence Day',
      '2031-09-01 Labor Day',
      '2031-10-13 Columbus Day',
      '2031-11-11 Veterans Day',
      '2031-11-27 Thanksgiving Day',
      '2031-12-25 Christmas Day',
    ]);
  });

  it('UK (England): the eight bank holidays, Easter on 13 April 2031', () => {
    expect(days('GB', 'ENG')).toEqual([
      "2031-01-01 New Year's Day",
      '2031-04-11 Good Friday',
      '2031-04-14 Easter Monday',
      '2031-05-05 Early May bank holiday',
      '2031-05-26 Spring bank holiday',
      '2031-08-25 Summer bank holiday',
      '2031-12-25 Christmas Day',
      '2031-12-26 Boxing Day',
    ]);
  });

  it('FR: the eleven jours fériés', () => {
    expect(days('FR')).toEqual([
      '2031-01-01 Nouvel An',
      '2031-04-14 Lundi de Pâques',
      '2031-05-01 Fête du travail',
      '2031-05-08 Fête de la Victoire 1945',
      '2031-05-22 Ascension',
      '2031-06-02 Lundi de Pentecôte',
      '2031-07-14 Fête Nationale de la France',
      '2031-08-15 Assomption',
      '2031-11-01 Toussaint',
      '2031-11-11 Armistice 1918',
      '2031-12-25 Noël',
    ]);
  });

  it('DE: the nine national Feiertage, and a region adds its own', () => {
    expect(days('DE')).toEqual([
      '2031-01-01 Neujahr',
      '2031-04-11 Karfreitag',
      '2031-04-14 Ostermontag',
      '2031-05-01 Maifeiertag',
      '2031-05-22 Christi Himmelfahrt',
      '2031-06-02 Pfingstmontag',
      '2031-10-03 Tag der Deutschen Einheit',
      '2031-12-25 1. Weihnachtstag',
      '2031-12-26 2. Weihnachtstag',
    ]);
    // Bavaria adds Heilige Drei Könige (6 January), among others.
    expect(days('DE', 'BY')).toContain('2031-01-06 Heilige Drei Könige');
  });

  it('keeps observed (substitute) days and drops the ones a schedule excepts', () => {
    // 4 July 2027 is a Sunday: the federal holiday is observed on Monday 5 July.
    const us2027 = publicHolidaysOf({ country: 'US' }, 2027).map((h) => h.date);
    expect(us2027).toEqual(expect.arrayContaining(['2027-07-04', '2027-07-05']));
    const fewer = publicHolidaysOf({ country: 'US', except: ['Columbus Day', '11-11', '2031-06-19'] }, 2031);
    expect(fewer.map((h) => h.name)).not.toEqual(expect.arrayContaining(['Columbus Day']));
    expect(fewer.map((h) => h.date)).not.toEqual(expect.arrayContaining(['2031-11-11', '2031-06-19']));
    expect(fewer).toHaveLength(8);
  });

  it('refuses a country or region the library does not know, and a malformed one', () => {
    const base = { displayName: 'x', timeZone: 'UTC', weekly: {} };
    expect(
      checkPublicHolidaySources({
        a: { ...base, publicHolidays: { country: 'XX' } },
        b: { ...base, publicHolidays: { country: 'DE', region: 'ZZ' } },
      }),
    ).toEqual([
      { schedule: 'a', field: 'publicHolidays.country', message: "no public holidays known for 'XX'" },
      {
        schedule: 'b',
        field: 'publicHolidays.region',
        message: expect.stringMatching(/^'ZZ' is not a region of DE \(known: .*BY.*\)$/) as string,
      },
    ]);
    expect(validateSchedules({ c: { ...base, publicHolidays: { country: 'usa', except: ['2031-02-30'] } } })).toEqual([
      {
        schedule: 'c',
        field: 'publicHolidays.country',
        message: '"usa" is not an ISO 3166-1 alpha-2 code such as \'US\'',
      },
      { schedule: 'c', field: 'publicHolidays.except[0]', message: "'2031-02-30' is not a real date" },
    ]);
  });
});

describe('isOpen with public holidays (the activity; workflows never load date-holidays)', () => {
  const isOpenWith = (exceptions: ScheduleException[], defs: Record<string, ScheduleDefinition> = schedules) =>
    createScheduleActivities(async () => exceptions, defs).isOpen;

  it('closes the main office on US Thanksgiving 2031, a year no date was typed in for', async () => {
    // Thursday 2031-11-27 10:00 PST; it opens again on Friday at 08:00 PST (16:00Z).
    expect(await isOpenWith([])({ schedule: 'main-office', at: '2031-11-27T18:00:00Z' })).toEqual({
      schedule: 'main-office',
      open: false,
      reason: 'holiday',
      name: 'Thanksgiving Day',
      nextChange: '2031-11-28T16:00:00.000Z',
    });
    // Berlin's schedule closes on Ascension 2031 (Thursday 22 May, 10:00 CEST).
    expect(await isOpenWith([])({ schedule: 'support-extended', at: '2031-05-22T08:00:00Z' })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Christi Himmelfahrt',
    });
  });

  it("an admin's special hours open a public holiday; an admin's holiday closes a normal day", async () => {
    const isOpen = isOpenWith([
      { date: '2031-11-27', name: 'Skeleton crew', kind: 'specialHours', hours: [['09:00', '12:00']] },
      { date: '2031-11-25', name: 'Office move', kind: 'holiday' },
    ]);
    expect(await isOpen({ schedule: 'main-office', at: '2031-11-27T18:00:00Z' })).toEqual({
      schedule: 'main-office',
      open: true,
      reason: 'specialHours',
      name: 'Skeleton crew',
      nextChange: '2031-11-27T20:00:00.000Z',
    });
    // Tuesday 2031-11-25 10:00 PST would be open by the weekly hours.
    expect(await isOpen({ schedule: 'main-office', at: '2031-11-25T18:00:00Z' })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Office move',
      nextChange: '2031-11-26T16:00:00.000Z',
    });
  });

  it('in code, a special date opens a public holiday, `except` drops one and a holiday closes a normal day', async () => {
    const office = schedules['main-office']!;
    const isOpen = isOpenWith([], {
      custom: {
        ...office,
        publicHolidays: { country: 'US', except: ['Columbus Day'] },
        holidays: [{ date: '2031-08-15', name: 'Company day' }],
        specialDates: [{ date: '07-04', name: 'Fireworks sale', hours: [['10:00', '14:00']] }],
      },
    });
    // Independence Day (Friday 2031-07-04) 11:00 PDT: open by the special date.
    expect(await isOpen({ schedule: 'custom', at: '2031-07-04T18:00:00Z' })).toMatchObject({
      open: true,
      reason: 'specialHours',
      name: 'Fireworks sale',
    });
    // Columbus Day (Monday 2031-10-13) 10:00 PDT: excepted, so open by the weekly hours.
    expect(await isOpen({ schedule: 'custom', at: '2031-10-13T17:00:00Z' })).toMatchObject({
      open: true,
      reason: 'hours',
    });
    // Friday 2031-08-15 10:00 PDT: the schedule's own holiday.
    expect(await isOpen({ schedule: 'custom', at: '2031-08-15T17:00:00Z' })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Company day',
    });
  });
});

describe('switchboard schedules list', () => {
  const cli = (args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'cli/main.ts', 'schedules', 'list', ...args], { timeout: 60_000 });

  it('--year 2031 shows each schedule with its public holidays and own dates of that year', async () => {
    const { stdout } = await cli(['--year', '2031']);
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('main-office: Main office (Pacific), America/Los_Angeles, public holidays of US, 2031');
    expect(lines).toContain('  2031-11-27  closed (public holiday): Thanksgiving Day');
    expect(lines).toContain('  2031-10-13  closed (public holiday): Columbus Day');
    expect(lines).toContain('  2031-05-22  closed (public holiday): Christi Himmelfahrt');
    // support-24x7 has no country: only its own (recurring) special dates.
    const from24x7 = lines.indexOf(
      'support-24x7: Support (around the clock, except Christmas and New Year), America/New_York, no public holidays, 2031',
    );
    expect(lines.slice(from24x7 + 1, from24x7 + 3)).toEqual([
      "  2031-01-01  open 08:00–20:00: New Year's Day",
      '  2031-12-25  open 08:00–20:00: Christmas Day',
    ]);
    // The main office: 11 US holidays of 2031 under its header.
    const fromOffice = lines.indexOf(
      'main-office: Main office (Pacific), America/Los_Angeles, public holidays of US, 2031',
    );
    expect(lines.slice(fromOffice + 1, from24x7)).toHaveLength(11);
  });

  it.each([['20x1'], ['1800'], ['31']])('refuses --year %s with exit 2 and the usage', async (year) => {
    const failure = (await cli(['--year', year]).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stderr: string; stdout: string } | undefined;
    expect(failure).toBeDefined();
    expect(failure!.code).toBe(2);
    expect(failure!.stderr).toContain(`switchboard schedules list: bad --year '${year}'`);
    expect(failure!.stderr).toContain('usage: switchboard schedules validate');
    expect(failure!.stdout).toBe('');
  });
});
