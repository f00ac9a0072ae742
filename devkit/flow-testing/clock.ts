/** A local wall-clock moment for flow tests: "the next Tuesday at 10:00 in Seattle", "the next 12-25 at 11:00". */
export interface LocalTime {
  /** Either a weekday… */
  weekday?: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
  /** …or a date: 'MM-DD' (the next one) or 'YYYY-MM-DD'. Neither: the next day with that time, today included. */
  date?: string;
  /** 'HH:MM', local. */
  time: string;
  /** IANA time zone. Default America/Los_Angeles (the example main office). */
  timeZone?: string;
}

/** The local date parts of an instant in a time zone. */
function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; wd: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return {
    y: Number(get('year')),
    m: Number(get('month')),
    d: Number(get('day')),
    wd: get('weekday').toLowerCase().slice(0, 3),
  };
}

/** The instant a local date and time happen in a time zone (the zone's offset at that moment, DST included). */
export function zonedInstant(y: number, m: number, d: number, hh: number, mm: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - ms;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

/** The first moment at or after `now` matching the local time. */
export function nextLocalTime(now: Date, spec: LocalTime): Date {
  const timeZone = spec.timeZone ?? 'America/Los_Angeles';
  const [hh, mm] = spec.time.split(':').map(Number) as [number, number];
  for (let day = 0; day <= 800; day++) {
    const { y, m, d, wd } = localParts(new Date(now.getTime() + day * 86_400_000), timeZone);
    const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (spec.weekday && spec.weekday !== wd) continue;
    if (spec.date && !(spec.date === iso || spec.date === iso.slice(5))) continue;
    const at = zonedInstant(y, m, d, hh, mm, timeZone);
    if (at.getTime() >= now.getTime()) return at;
  }
  throw new Error(`no ${JSON.stringify(spec)} within two years`);
}
