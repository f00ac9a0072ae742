/**
 * Business hours, as code: which hours each schedule is open, its holidays and its special dates. Admins add more
 * holidays and special dates at run time through the admin API (`switchboard admin holiday add …`); those are kept
 * in Postgres and win over these for the same date. Deterministic data: workflows may import this module.
 *
 * Times are local to the schedule's time zone, 'HH:MM', start inclusive and end exclusive ('24:00' ends at
 * midnight). Dates are 'YYYY-MM-DD' (once) or 'MM-DD' (every year). `npx switchboard schedules validate` checks them.
 */
import type { ScheduleDefinition } from '../src/schedules/types.js';

export type { ScheduleDefinition } from '../src/schedules/types.js';
export type { ScheduleStatus } from '../src/contracts/activities/schedules.js';

export const schedules: Record<string, ScheduleDefinition> = {
  'main-office': {
    displayName: 'Main office (Pacific)',
    timeZone: 'America/Los_Angeles',
    weekly: {
      mon: [['08:00', '18:00']],
      tue: [['08:00', '18:00']],
      wed: [['08:00', '18:00']],
      thu: [['08:00', '18:00']],
      fri: [['08:00', '18:00']],
      sat: [['09:00', '13:00']],
    },
    holidays: [
      // Every year on the day itself.
      { date: '01-01', name: "New Year's Day" },
      { date: '12-25', name: 'Christmas Day' },
      // US federal holidays (observed dates) that move from year to year.
      { date: '2026-01-19', name: 'Martin Luther King Jr. Day' },
      { date: '2026-02-16', name: "Washington's Birthday" },
      { date: '2026-05-25', name: 'Memorial Day' },
      { date: '2026-06-19', name: 'Juneteenth' },
      { date: '2026-07-03', name: 'Independence Day (observed)' },
      { date: '2026-09-07', name: 'Labor Day' },
      { date: '2026-10-12', name: 'Columbus Day' },
      { date: '2026-11-11', name: 'Veterans Day' },
      { date: '2026-11-26', name: 'Thanksgiving Day' },
      { date: '2027-01-18', name: 'Martin Luther King Jr. Day' },
      { date: '2027-02-15', name: "Washington's Birthday" },
      { date: '2027-05-31', name: 'Memorial Day' },
      { date: '2027-06-18', name: 'Juneteenth (observed)' },
      { date: '2027-07-05', name: 'Independence Day (observed)' },
      { date: '2027-09-06', name: 'Labor Day' },
      { date: '2027-10-11', name: 'Columbus Day' },
      { date: '2027-11-11', name: 'Veterans Day' },
      { date: '2027-11-25', name: 'Thanksgiving Day' },
      { date: '2027-12-24', name: 'Christmas Day (observed)' },
    ],
    specialDates: [
      { date: '2026-11-27', name: 'Day after Thanksgiving', hours: [['09:00', '15:00']] },
      { date: '2026-12-24', name: 'Christmas Eve', hours: [['08:00', '12:00']] },
      { date: '2026-12-31', name: "New Year's Eve", hours: [['08:00', '14:00']] },
    ],
  },

  'support-24x7': {
    displayName: 'Support (around the clock, except Christmas and New Year)',
    timeZone: 'America/New_York',
    weekly: {
      mon: [['00:00', '24:00']],
      tue: [['00:00', '24:00']],
      wed: [['00:00', '24:00']],
      thu: [['00:00', '24:00']],
      fri: [['00:00', '24:00']],
      sat: [['00:00', '24:00']],
      sun: [['00:00', '24:00']],
    },
    specialDates: [
      { date: '12-25', name: 'Christmas Day', hours: [['08:00', '20:00']] },
      { date: '01-01', name: "New Year's Day", hours: [['08:00', '20:00']] },
    ],
  },

  'support-extended': {
    displayName: 'Support, extended hours (Central European)',
    timeZone: 'Europe/Berlin',
    weekly: {
      mon: [
        ['07:00', '12:30'],
        ['13:00', '22:00'],
      ],
      tue: [
        ['07:00', '12:30'],
        ['13:00', '22:00'],
      ],
      wed: [
        ['07:00', '12:30'],
        ['13:00', '22:00'],
      ],
      thu: [
        ['07:00', '12:30'],
        ['13:00', '22:00'],
      ],
      fri: [
        ['07:00', '12:30'],
        ['13:00', '22:00'],
      ],
      sat: [['10:00', '16:00']],
    },
    holidays: [
      { date: '01-01', name: 'Neujahr' },
      { date: '12-25', name: '1. Weihnachtstag' },
      { date: '12-26', name: '2. Weihnachtstag' },
    ],
  },
};
