/**
 * A schedule's public holidays, from the date-holidays library (country and optional region), for any year. Only
 * the library's type 'public' closes a schedule: bank, school, optional and observance days (Christmas Eve, Halloween)
 * do not. Substitute days ("Independence Day (substitute day)") are public, so observed dates close too.
 *
 * This module does I/O-free but non-trivial work with a large data set: activities, the admin API and the CLI use it;
 * workflows never import it (they ask the isOpen activity), so the workflow bundle stays free of the library.
 */
import Holidays from 'date-holidays';
import type { PublicHoliday, PublicHolidaySource, ScheduleDefinition } from './types.js';
import type { ScheduleValidationError } from './evaluate.js';

const calendars = new Map<string, Holidays>();
function calendar(source: PublicHolidaySource): Holidays {
  const key = `${source.country}/${source.region ?? ''}`;
  let h = calendars.get(key);
  if (!h) {
    h = source.region ? new Holidays(source.country, source.region) : new Holidays(source.country);
    calendars.set(key, h);
  }
  return h;
}

const byYear = new Map<string, PublicHoliday[]>();

/** The public holidays of one year ('YYYY-MM-DD', the library's name), without the source's `except` ones. */
export function publicHolidaysOf(source: PublicHolidaySource, year: number): PublicHoliday[] {
  const key = `${source.country}/${source.region ?? ''}/${year}`;
  let all = byYear.get(key);
  if (!all) {
    // The library's `date` is local to the country ('2031-07-04 00:00:00'): its first ten characters are the date.
    const found = calendar(source).getHolidays(year) || [];
    all = found.filter((h) => h.type === 'public').map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
    byYear.set(key, all);
  }
  const except = new Set(source.except ?? []);
  return all.filter((h) => !except.has(h.date) && !except.has(h.date.slice(5)) && !except.has(h.name));
}

/** The public holidays scheduleStatus needs around an instant: the year before, that year and the next. */
export function publicHolidaysAround(def: ScheduleDefinition, at: Date): PublicHoliday[] {
  if (!def.publicHolidays) return [];
  const year = at.getUTCFullYear();
  return [year - 1, year, year + 1].flatMap((y) => publicHolidaysOf(def.publicHolidays!, y));
}

/** Countries and regions the library does not know (validateSchedules checks only their shape). */
export function checkPublicHolidaySources(defs: Record<string, ScheduleDefinition>): ScheduleValidationError[] {
  const errors: ScheduleValidationError[] = [];
  const probe = new Holidays();
  for (const [schedule, def] of Object.entries(defs)) {
    const source = def.publicHolidays;
    if (!source || typeof source.country !== 'string') continue;
    const countries = probe.getCountries() ?? {};
    if (!Object.hasOwn(countries, source.country)) {
      errors.push({
        schedule,
        field: 'publicHolidays.country',
        message: `no public holidays known for '${source.country}'`,
      });
      continue;
    }
    if (source.region !== undefined) {
      const regions = probe.getStates(source.country) ?? {};
      if (!Object.hasOwn(regions, source.region)) {
        const known = Object.keys(regions).join(', ') || 'none';
        errors.push({
          schedule,
          field: 'publicHolidays.region',
          message: `'${source.region}' is not a region of ${source.country} (known: ${known})`,
        });
      }
    }
  }
  return errors;
}
