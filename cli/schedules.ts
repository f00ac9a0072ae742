/**
 * `switchboard schedules validate|list`: the business-hours schedules of flows/schedules.ts, checked, with their
 * status now, or the days of one year that are not ordinary weekdays (public holidays from date-holidays, the
 * schedule's own holidays and special dates, and which wins). Admins' run-time exceptions live in Postgres: see
 * `switchboard admin schedules`.
 */
import { formatScheduleErrors, scheduleStatus, validateSchedules } from '../src/schedules/evaluate.js';
import { checkPublicHolidaySources, publicHolidaysAround, publicHolidaysOf } from '../src/schedules/public-holidays.js';
import type { ScheduleDefinition } from '../src/schedules/types.js';

export const SCHEDULES_USAGE = `usage: switchboard schedules validate
       switchboard schedules list [--year YYYY]   (a year from 1900 to 2199; this year by default)`;

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** One dated entry of a year, with what it does; the first of a date (most specific) wins. */
interface DayEntry {
  date: string;
  name: string;
  what: string;
}

/** The non-ordinary days of a year, most specific first per date: special dates, holidays, then public holidays. */
export function daysOfYear(def: ScheduleDefinition, year: number): Array<DayEntry & { overrides?: DayEntry }> {
  const inYear = (date: string) => (date.length === 5 ? `${year}-${date}` : date.startsWith(`${year}-`) ? date : null);
  const layers: DayEntry[][] = [
    (def.specialDates ?? []).map((s) => ({
      date: s.date,
      name: s.name,
      what: s.hours.length === 0 ? 'closed' : `open ${s.hours.map(([a, b]) => `${a}–${b}`).join(', ')}`,
    })),
    (def.holidays ?? []).map((h) => ({ date: h.date, name: h.name, what: 'closed (holiday)' })),
    def.publicHolidays
      ? publicHolidaysOf(def.publicHolidays, year).map((h) => ({ ...h, what: 'closed (public holiday)' }))
      : [],
  ];
  const byDate = new Map<string, Array<DayEntry>>();
  for (const layer of layers) {
    // Within a layer an exact date beats a recurring one, as in scheduleStatus.
    const sorted = [...layer].sort((a, b) => b.date.length - a.date.length);
    for (const e of sorted) {
      const date = inYear(e.date);
      if (!date) continue;
      const list = byDate.get(date) ?? [];
      list.push({ ...e, date });
      byDate.set(date, list);
    }
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, [first, second]]) => (second ? { ...first!, overrides: second } : first!));
}

/** Parses `--year YYYY`; undefined when absent, NaN when bad. */
function parseYear(args: string[]): number | undefined {
  if (args.length === 0) return undefined;
  if (args.length !== 2 || args[0] !== '--year' || !/^\d{4}$/.test(args[1]!)) return Number.NaN;
  const year = Number(args[1]);
  return year >= 1900 && year <= 2199 ? year : Number.NaN;
}

export async function schedulesCommand(args: string[], out: Output): Promise<number> {
  const [action, ...rest] = args;
  if (action === '--help' || action === '-h') {
    out.stdout(`${SCHEDULES_USAGE}\n`);
    return 0;
  }
  if ((action !== 'validate' || rest.length > 0) && action !== 'list') {
    out.stderr(`${SCHEDULES_USAGE}\n`);
    return 2;
  }
  const year = action === 'list' ? parseYear(rest) : undefined;
  if (Number.isNaN(year)) {
    out.stderr(`switchboard schedules list: bad --year '${rest.slice(1).join(' ')}'\n${SCHEDULES_USAGE}\n`);
    return 2;
  }
  const { schedules } = await import('../flows/schedules.js');
  const errors = [...validateSchedules(schedules), ...checkPublicHolidaySources(schedules)];
  if (errors.length > 0) {
    out.stderr(`${formatScheduleErrors(errors)}\n`);
    return 1;
  }
  if (action === 'validate') {
    const now = new Date();
    for (const [name, def] of Object.entries(schedules)) {
      const s = scheduleStatus(name, def, [], now, publicHolidaysAround(def, now));
      const why = s.name ? `${s.reason}: ${s.name}` : s.reason;
      out.stdout(
        `${name}: ${def.timeZone}, ${s.open ? 'open' : 'closed'} now (${why})${s.nextChange ? `, changes ${s.nextChange}` : ''}\n`,
      );
    }
    return 0;
  }
  const y = year ?? new Date().getUTCFullYear();
  for (const [name, def] of Object.entries(schedules)) {
    const source = def.publicHolidays
      ? `public holidays of ${def.publicHolidays.country}${def.publicHolidays.region ? `-${def.publicHolidays.region}` : ''}`
      : 'no public holidays';
    out.stdout(`${name}: ${def.displayName}, ${def.timeZone}, ${source}, ${y}\n`);
    for (const d of daysOfYear(def, y)) {
      const overrides = d.overrides ? ` (instead of ${d.overrides.what}: ${d.overrides.name})` : '';
      out.stdout(`  ${d.date}  ${d.what}: ${d.name}${overrides}\n`);
    }
  }
  return 0;
}
