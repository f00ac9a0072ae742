/**
 * Business hours, as code: which hours each schedule is open, its country's public holidays, its own holidays and
 * special dates. Public holidays come from the date-holidays library for any year (`switchboard schedules list --year
 * 2031` shows them); `publicHolidays.except` drops some, a special date opens one, and `holidays` closes other days.
 * Admins add more holidays and special dates at run time through the admin API (`switchboard admin holiday add …`);
 * those are kept in Postgres and win over these for the same date. Plain data: workflows may import this module.
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
    // US federal holidays from date-holidays, observed (substitute) days included, for any year.
    publicHolidays: { country: 'US' },
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
    // German national public holidays (Neujahr, Karfreitag, Ostermontag, 1. Mai, … Weihnachten) from date-holidays.
    publicHolidays: { country: 'DE' },
  },
};
