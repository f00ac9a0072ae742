/**
 * Whether a schedule is open at an instant, and when that next changes. Pure: the same inputs give the same answer
 * (no clock, no I/O), so workflows and activities can both use it. Time zones and DST go through Intl.
 *
 * Which hours apply on a local date, most specific first:
 *  1. a run-time exception (Postgres) for that date, exact 'YYYY-MM-DD' before recurring 'MM-DD';
 *  2. a code special date or holiday for that date, exact before recurring;
 *  at the same level a special date beats a holiday (special hours are a deliberate opening);
 *  3. a public holiday of the schedule's country (date-holidays, looked up by the caller and passed in, so this
 *     module stays free of the library and fit for workflows);
 *  4. otherwise the weekly hours of that weekday.
 * Local times that do not exist (the hour skipped when clocks go forward) move forward by the gap; local times that
 * occur twice (clocks go back) mean their first occurrence.
 */
import {
  WEEKDAYS,
  type PublicHoliday,
  type ScheduleDefinition,
  type ScheduleException,
  type Weekday,
} from './types.js';
import type { ScheduleStatus } from '../contracts/activities/schedules.js';

const DAY_MS = 86_400_000;
const HORIZON_DAYS = 14;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RECURRING_DATE = /^(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalTime {
  y: number;
  m: number;
  d: number;
  minute: number; // of the day
  second: number;
}

function localParts(ms: number, timeZone: string): LocalTime {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, minute: (p.hour! % 24) * 60 + p.minute!, second: p.second! };
}

/** UTC offset (ms) of the zone at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  const l = localParts(ms, timeZone);
  const asUtc = Date.UTC(l.y, l.m - 1, l.d, 0, l.minute, l.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a local wall time happens (see the module comment for gaps and repeats). */
function localToUtc(y: number, m: number, d: number, minute: number, timeZone: string): number {
  const naive = Date.UTC(y, m - 1, d, 0, minute);
  const candidates = new Set<number>();
  for (const probe of [naive - DAY_MS / 2, naive, naive + DAY_MS / 2]) {
    const t = naive - offsetAt(probe, timeZone);
    candidates.add(t);
  }
  const matching = [...candidates].filter((t) => {
    const l = localParts(t, timeZone);
    return Date.UTC(l.y, l.m - 1, l.d, 0, l.minute) === naive;
  });
  if (matching.length > 0) return Math.min(...matching);
  // In a gap: the wall time shifted forward by the gap, i.e. evaluated with the offset from before the change.
  return naive - offsetAt(naive - DAY_MS / 2, timeZone);
}

const minutes = (hhmm: string): number =>
  hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const pad = (n: number) => String(n).padStart(2, '0');

interface DayRule {
  hours: Array<[string, string]>;
  reason: 'weekly' | 'holiday' | 'specialHours';
  name?: string;
}

/** The hours of one local date. */
function dayRule(
  def: ScheduleDefinition,
  exceptions: readonly ScheduleException[],
  publicHolidays: readonly PublicHoliday[],
  y: number,
  m: number,
  d: number,
): DayRule {
  const full = `${y}-${pad(m)}-${pad(d)}`;
  const recurring = `${pad(m)}-${pad(d)}`;
  const sources: ScheduleException[][] = [
    [...exceptions],
    [
      ...(def.specialDates ?? []).map((s) => ({
        date: s.date,
        name: s.name,
        kind: 'specialHours' as const,
        hours: s.hours,
      })),
      ...(def.holidays ?? []).map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })),
    ],
    publicHolidays.map((h) => ({ date: h.date, name: h.name, kind: 'holiday' as const })),
  ];
  for (const source of sources) {
    for (const date of [full, recurring]) {
      const hits = source.filter((e) => e.date === date);
      const hit = hits.find((e) => e.kind === 'specialHours') ?? hits[0];
      if (hit) {
        return hit.kind === 'specialHours'
          ? { hours: hit.hours ?? [], reason: 'specialHours', name: hit.name }
          : { hours: [], reason: 'holiday', name: hit.name };
      }
    }
  }
  const weekday: Weekday = WEEKDAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7]!;
  return { hours: def.weekly[weekday] ?? [], reason: 'weekly' };
}

/**
 * Whether `name` is open at `at`, why, and when that next changes (within 14 days). `exceptions` are the run-time
 * holidays and special dates of this schedule; they win over the definition's own for the same date.
 * `publicHolidays` are the country's public holidays around `at` (src/schedules/public-holidays.ts); both win over them.
 */
export function scheduleStatus(
  name: string,
  definition: ScheduleDefinition,
  exceptions: readonly ScheduleException[],
  at: Date,
  publicHolidays: readonly PublicHoliday[] = [],
): ScheduleStatus {
  const tz = definition.timeZone;
  const now = at.getTime();
  const today = localParts(now, tz);
  const rule = dayRule(definition, exceptions, publicHolidays, today.y, today.m, today.d);

  // Open intervals as instants, from yesterday to the end of the horizon, adjacent ones merged (Mon 24:00 = Tue 00:00).
  const intervals: Array<[number, number]> = [];
  const base = Date.UTC(today.y, today.m - 1, today.d);
  for (let i = -1; i <= HORIZON_DAYS + 1; i++) {
    const day = new Date(base + i * DAY_MS);
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const hours = dayRule(definition, exceptions, publicHolidays, y, m, d)
      .hours.slice()
      .sort((a, b) => minutes(a[0]) - minutes(b[0]));
    for (const [start, end] of hours) {
      const s = localToUtc(y, m, d, minutes(start), tz);
      const e = localToUtc(y, m, d, minutes(end), tz);
      if (e <= s) continue;
      const last = intervals.at(-1);
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else intervals.push([s, e]);
    }
  }

  const horizon = now + HORIZON_DAYS * DAY_MS;
  const containing = intervals.find(([s, e]) => s <= now && now < e);
  const next = containing ? containing[1] : intervals.find(([s]) => s > now)?.[0];
  const status: ScheduleStatus = {
    schedule: name,
    open: Boolean(containing),
    reason: rule.reason === 'weekly' ? (containing ? 'hours' : 'closed') : rule.reason,
  };
  if (rule.name !== undefined) status.name = rule.name;
  if (next !== undefined && next <= horizon) status.nextChange = new Date(next).toISOString();
  return status;
}

export interface ScheduleValidationError {
  schedule: string;
  /** Where in the definition, e.g. `weekly.mon[0]` or `holidays[2].date`. */
  field: string;
  message: string;
}

function isTimeZone(tz: unknown): boolean {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A valid 'YYYY-MM-DD' or 'MM-DD' (29 February allowed as recurring), or why not. */
export function checkScheduleDate(date: unknown): string | undefined {
  if (typeof date !== 'string') return "expected 'YYYY-MM-DD' or 'MM-DD'";
  const full = FULL_DATE.exec(date);
  const rec = RECURRING_DATE.exec(date);
  const [y, m, d] = full
    ? [Number(full[1]), Number(full[2]), Number(full[3])]
    : rec
      ? [2000 /* a leap year */, Number(rec[1]), Number(rec[2])]
      : [];
  if (y === undefined) return `'${date}' is not 'YYYY-MM-DD' or 'MM-DD'`;
  const probe = new Date(Date.UTC(y, m! - 1, d));
  if (m! < 1 || m! > 12 || probe.getUTCMonth() !== m! - 1 || probe.getUTCDate() !== d)
    return `'${date}' is not a real date`;
  return undefined;
}

/** Problems with one list of open intervals, each with its index. */
export function checkHours(hours: unknown): Array<{ index: number | undefined; message: string }> {
  if (!Array.isArray(hours)) return [{ index: undefined, message: "expected a list of ['HH:MM', 'HH:MM'] intervals" }];
  const problems: Array<{ index: number | undefined; message: string }> = [];
  const ok: Array<[number, number, number]> = [];
  hours.forEach((interval: unknown, index) => {
    if (!Array.isArray(interval) || interval.length !== 2) {
      problems.push({ index, message: "expected ['HH:MM', 'HH:MM']" });
      return;
    }
    const [start, end] = interval as unknown[];
    if (typeof start !== 'string' || !HHMM.test(start)) {
      problems.push({ index, message: `start ${JSON.stringify(start)} is not 'HH:MM' (00:00–23:59)` });
      return;
    }
    if (typeof end !== 'string' || !(HHMM.test(end) || end === '24:00')) {
      problems.push({ index, message: `end ${JSON.stringify(end)} is not 'HH:MM' (00:00–24:00)` });
      return;
    }
    if (minutes(end) <= minutes(start)) {
      problems.push({
        index,
        message: `end ${end} is not after start ${start} (an interval cannot cross midnight: split it at 24:00)`,
      });
      return;
    }
    ok.push([minutes(start), minutes(end), index]);
  });
  ok.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ok.length; i++) {
    if (ok[i]![0] < ok[i - 1]![1]) problems.push({ index: ok[i]![2], message: `overlaps interval [${ok[i - 1]![2]}]` });
  }
  return problems;
}

/** Every problem in a set of schedule definitions; empty when all are valid. */
export function validateSchedules(defs: Record<string, ScheduleDefinition>): ScheduleValidationError[] {
  const errors: ScheduleValidationError[] = [];
  for (const [schedule, def] of Object.entries(defs)) {
    const err = (field: string, message: string) => errors.push({ schedule, field, message });
    if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(schedule))
      err('(name)', 'lower-case letters, digits, _ and - only, at most 100');
    if (typeof def.displayName !== 'string' || def.displayName.trim() === '') err('displayName', 'required');
    if (!isTimeZone(def.timeZone)) err('timeZone', `${JSON.stringify(def.timeZone)} is not an IANA time zone`);
    if (typeof def.weekly !== 'object' || def.weekly === null) err('weekly', 'required (an object of weekdays)');
    else {
      for (const [day, hours] of Object.entries(def.weekly)) {
        if (!WEEKDAYS.includes(day as Weekday)) {
          err(`weekly.${day}`, `not a weekday (${WEEKDAYS.join(', ')})`);
          continue;
        }
        for (const p of checkHours(hours))
          err(`weekly.${day}${p.index === undefined ? '' : `[${p.index}]`}`, p.message);
      }
    }
    if (def.publicHolidays !== undefined) {
      const { country, region, except } = def.publicHolidays;
      if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))
        err('publicHolidays.country', `${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code such as 'US'`);
      if (region !== undefined && (typeof region !== 'string' || !/^[A-Z0-9]{1,4}$/.test(region)))
        err('publicHolidays.region', `${JSON.stringify(region)} is not a region code such as 'CA' or 'ENG'`);
      (except ?? []).forEach((e, i) => {
        if (typeof e !== 'string' || e.trim() === '')
          err(`publicHolidays.except[${i}]`, 'expected a date or a holiday name');
        else if (/^[\d-]+$/.test(e) && checkScheduleDate(e)) err(`publicHolidays.except[${i}]`, checkScheduleDate(e)!);
      });
    }
    (def.holidays ?? []).forEach((h, i) => {
      const bad = checkScheduleDate(h.date);
      if (bad) err(`holidays[${i}].date`, bad);
      if (typeof h.name !== 'string' || h.name.trim() === '') err(`holidays[${i}].name`, 'required');
    });
    (def.specialDates ?? []).forEach((s, i) => {
      const bad = checkScheduleDate(s.date);
      if (bad) err(`specialDates[${i}].date`, bad);
      if (typeof s.name !== 'string' || s.name.trim() === '') err(`specialDates[${i}].name`, 'required');
      for (const p of checkHours(s.hours))
        err(`specialDates[${i}].hours${p.index === undefined ? '' : `[${p.index}]`}`, p.message);
    });
  }
  return errors;
}

/** One line per error: `main-office: weekly.mon[0]: end 07:00 is not after start 08:00`. */
export function formatScheduleErrors(errors: readonly ScheduleValidationError[]): string {
  return errors.map((e) => `${e.schedule}: ${e.field}: ${e.message}`).join('\n');
}
