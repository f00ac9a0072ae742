/**
 * `switchboard admin calls|queues|agent-state|audit` for a person: aligned columns (as gh and kubectl print), short
 * times, and the next page's cursor at the end. `--json` keeps the API's JSON for scripts.
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

const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** An ISO time as "2026-11-28 09:00:00Z": readable, still unambiguous. */
const time = (v: unknown): string => (typeof v === 'string' ? v.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : text(v));

/** A caller's number in international format (`+44 20 7946 0958`), by libphonenumber; a user id or anything else as is. */
const caller = (v: unknown): unknown => (typeof v === 'string' ? displayPhoneNumber(v) : v);

function more(page: Page, what: string): string {
  if (page.items.length === 0) return `no ${what}\n`;
  return page.nextCursor ? `\nmore: --cursor ${page.nextCursor}\n` : '';
}

function calls(page: Page): string {
  const rows = page.items.map((c) => [
    text(c.id),
    time(c.arrivedAt),
    text(c.fromName ?? caller(c.fromId)),
    text(c.queue),
    text(c.agentId),
    text(c.outcome),
    c.waitSeconds === null || c.waitSeconds === undefined ? '-' : `${String(c.waitSeconds)} s`,
  ]);
  return (
    (rows.length ? table(['ID', 'ARRIVED', 'FROM', 'QUEUE', 'AGENT', 'OUTCOME', 'WAIT'], rows) : '') +
    more(page, 'calls')
  );
}

function queues(page: Page): string {
  const rows = page.items.map((q) => {
    const members = (q.members as { agentId: string; name: string | null; member: boolean | null }[]) ?? [];
    // null: the agent's workflow could not be asked; listed as configured, marked so nobody reads it as certain.
    const taking = members
      .filter((m) => m.member !== false)
      .map((m) => `${m.name ?? m.agentId}${m.member ? '' : ' (?)'}`);
    const out = members.filter((m) => m.member === false).map((m) => m.name ?? m.agentId);
    return [
      text(q.name),
      text(q.method),
      text(q.maxCalls),
      `${text(q.maxWaitSeconds)} s`,
      taking.join(', ') || '-',
      out.join(', ') || '-',
    ];
  });
  const unsure = rows.some((r) => r[4]!.includes(' (?)'));
  return (
    (rows.length ? table(['QUEUE', 'METHOD', 'MAX CALLS', 'MAX WAIT', 'MEMBERS', 'OPTED OUT'], rows) : '') +
    (unsure ? "\n(?) the agent's workflow did not answer: listed as configured in flows/\n" : '') +
    more(page, 'queues')
  );
}

function audit(page: Page): string {
  const rows = page.items.map((a) => [text(a.id), time(a.at), text(a.actorName), text(a.action), text(a.target)]);
  return (rows.length ? table(['ID', 'AT', 'BY', 'ACTION', 'TARGET'], rows) : '') + more(page, 'audit entries');
}

/** One agent's live state as a short record: one "field: value" line each. */
function agentState(s: Row): string {
  const fields: [string, string][] = [
    ['agent', text(s.agentId)],
    ['state', text(s.state)],
    ['since', time(s.since)],
    ['call', text(s.callId)],
  ];
  return fields.map(([k, v]) => `${`${k}:`.padEnd(7)}${v}`).join('\n') + '\n';
}

const FORMATS: Record<string, (body: never) => string> = { calls, queues, audit, 'agent-state': agentState };

/** The commands printed for a person unless --json is given. */
export const HUMAN_COMMANDS = Object.keys(FORMATS);

/** `body` (the API's answer) for a person; JSON for a command without a human format. */
export function formatForPeople(command: string, body: unknown): string {
  const format = FORMATS[command];
  return format ? format(body as never) : `${JSON.stringify(body, null, 2)}\n`;
}
