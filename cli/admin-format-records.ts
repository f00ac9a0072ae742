/**
 * `switchboard admin call|schedules|schedule|wrap-up-codes|voicemail-boxes|voicemails|whoami` for a person (issue 26,
 * point 8): the lists as aligned tables; a call, a schedule and the caller's identity as short records. Before, these printed the API's
 * JSON whatever was asked; `--json` still does, for scripts. The shapes are the admin API's (src/admin/schemas.ts).
 */
import { displayPhoneNumber } from '../src/phone/number.js';

type Row = Record<string, unknown>;
type Page = { items: Row[]; nextCursor: string | null };

/** Columns padded to their widest cell; the last column is not padded, so lines carry no trailing blanks. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** "field: value" lines, the values aligned after the longest field name. */
export function record(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 2;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n') + '\n';
}

export const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** An ISO time as "2026-11-28 09:00:00Z": readable, still unambiguous. */
export const time = (v: unknown): string =>
  typeof v === 'string' ? v.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : text(v);

/** A caller's number in international format (`+44 20 7946 0958`), by libphonenumber; a user id or anything else as is. */
export const caller = (v: unknown): unknown => (typeof v === 'string' ? displayPhoneNumber(v) : v);

/** "no <what>" for an empty page, the next page's cursor when there is one. */
export function more(page: Page, what: string): string {
  if (page.items.length === 0) return `no ${what}\n`;
  return page.nextCursor ? `\nmore: --cursor ${page.nextCursor}\n` : '';
}

const listed = (page: Page, header: string[], row: (r: Row) => string[], what: string): string => {
  const rows = page.items.map(row);
  return (rows.length ? table(header, rows) : '') + more(page, what);
};

/** A schedule's state now, as the admin API's scheduleStatusView says it: "open", "closed (holiday: Christmas Day)". */
function status(s: Row | undefined): string {
  if (!s) return '-';
  const why = s.reason === 'holiday' ? 'holiday' : s.reason === 'specialHours' ? 'special hours' : undefined;
  return `${s.open ? 'open' : 'closed'}${why ? ` (${why}${s.name ? `: ${String(s.name)}` : ''})` : ''}`;
}

function schedules(page: Page): string {
  return listed(
    page,
    ['SCHEDULE', 'TIME ZONE', 'NOW', 'NEXT CHANGE', 'NAME'],
    (s) => {
      const st = s.status as Row | undefined;
      return [text(s.name), text(s.timeZone), status(st), time(st?.nextChange), text(s.displayName)];
    },
    'schedules',
  );
}

function wrapUpCodes(codes: Row[]): string {
  if (codes.length === 0) return 'no wrap-up codes\n';
  return table(
    ['CODE', 'ACTIVE', 'UPDATED', 'LABEL'],
    codes.map((c) => [text(c.code), c.active ? 'yes' : 'no', time(c.updatedAt), text(c.label)]),
  );
}

function voicemailBoxes(page: Page): string {
  return listed(
    page,
    ['BOX', 'MESSAGES', 'UNHANDLED', 'MAX LENGTH', 'NAME'],
    (b) => [text(b.name), text(b.messages), text(b.unhandled), `${text(b.maxSeconds)} s`, text(b.displayName)],
    'voicemail boxes',
  );
}

function voicemails(page: Page): string {
  return listed(
    page,
    ['ID', 'RECORDED', 'FROM', 'LENGTH', 'STATUS', 'RECORDING'],
    (m) => [
      text(m.id),
      time(m.recordedAt),
      text(m.fromName ?? caller(m.fromId)),
      `${text(m.durationSeconds)} s`,
      text(m.status),
      // The signed link a person opens to listen (expires; the API audits it); '-' when no audio was kept.
      text((m.recording as Row | null)?.url),
    ],
    'voicemails',
  );
}

function whoami(me: Row): string {
  return record([
    ['name', text(me.name)],
    ['id', text(me.objectId)],
    ['tenant', text(me.tenantId)],
    ['roles', (me.roles as string[] | undefined)?.join(', ') || '-'],
  ]);
}

/** A call's record, then its timeline (seq, time, event; payloads with --json). */
function call(c: Row): string {
  const wrapUp = c.wrapUp as Row | null;
  const head = record([
    ['call', text(c.id)],
    ['from', text(c.fromName ?? caller(c.fromId))],
    ['to', text(caller(c.toId))],
    ['queue', text(c.queue)],
    ['agent', text(c.agentId)],
    ['outcome', text(c.outcome)],
    ['wait', c.waitSeconds === null || c.waitSeconds === undefined ? '-' : `${String(c.waitSeconds)} s`],
    ['arrived', time(c.arrivedAt)],
    ['connected', time(c.connectedAt)],
    ['ended', time(c.endedAt)],
    ['wrap-up', wrapUp ? text(wrapUp.code) : '-'],
    ['workflow', text(c.workflowId)],
  ]);
  const timeline = (c.timeline as Row[] | undefined) ?? [];
  return (
    head +
    (timeline.length
      ? `\n${table(
          ['SEQ', 'AT', 'EVENT'],
          timeline.map((e) => [text(e.seq), time(e.at), text(e.type)]),
        )}`
      : '\nno timeline entries\n')
  );
}

const hours = (h: unknown): string =>
  Array.isArray(h) && h.length > 0 ? (h as [string, string][]).map(([a, b]) => `${a}–${b}`).join(', ') : 'closed';

/**
 * One schedule: a short record, its weekly hours, then every dated entry by date (its own holidays, its country's
 * public holidays of last, this and next year, its special dates, and admins' run-time exceptions, which win).
 */
function schedule(d: Row): string {
  const st = d.status as Row | undefined;
  const ph = d.publicHolidays as { country: string; region?: string; except?: string[] } | undefined;
  const head = record([
    ['schedule', text(d.name)],
    ['name', text(d.displayName)],
    ['time zone', text(d.timeZone)],
    ['now', `${status(st)}${st?.nextChange ? `, until ${time(st.nextChange)}` : ''}`],
    [
      'public holidays',
      ph
        ? `${ph.country}${ph.region ? `-${ph.region}` : ''}${ph.except?.length ? ` except ${ph.except.join(', ')}` : ''}`
        : 'none',
    ],
  ]);
  const weekly = (d.weekly as Record<string, unknown> | undefined) ?? {};
  const week = table(
    ['DAY', 'HOURS'],
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, hours(weekly[day])]),
  );
  const dated = [
    ...((d.holidays as Row[] | undefined) ?? []).map((h) => [text(h.date), 'closed', text(h.name), 'definition']),
    ...((d.specialDates as Row[] | undefined) ?? []).map((h) => [
      text(h.date),
      hours(h.hours),
      text(h.name),
      'definition',
    ]),
    ...((d.exceptions as Row[] | undefined) ?? []).map((e) => [
      text(e.date),
      e.kind === 'holiday' ? 'closed' : hours(e.hours),
      text(e.name),
      `added by ${text(e.createdBy)}`,
    ]),
  ].sort((a, b) => a[0]!.localeCompare(b[0]!));
  return `${head}
${week}
${dated.length ? table(['DATE', 'HOURS', 'NAME', 'FROM'], dated) : 'no dated entries\n'}`;
}

/** The formats of this file, by admin command. */
export const RECORD_FORMATS: Record<string, (body: never) => string> = {
  call,
  schedules,
  schedule,
  'wrap-up-codes': wrapUpCodes,
  'voicemail-boxes': voicemailBoxes,
  voicemails,
  whoami,
};
