/**
 * `switchboard admin calls|queues|agent-state|audit` for a person: aligned columns (as gh and kubectl print), short
 * times, and the next page's cursor at the end (the other reading commands: admin-format-records.ts). `--json` keeps
 * the API's JSON for scripts.
 */

import { RECORD_FORMATS, caller, more, record, table, text, time } from './admin-format-records.js';

type Row = Record<string, unknown>;
type Page = { items: Row[]; nextCursor: string | null };

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
  return record([
    ['agent', text(s.agentId)],
    ['state', text(s.state)],
    ['since', time(s.since)],
    ['call', text(s.callId)],
    // A sign-out or away kept for the end of the offer or call: the state above stays until then.
    ...(s.pendingAvailability
      ? [
          ['next', `${text(s.pendingAvailability)}, when the current offer or call ends (after its wrap-up)`] as [
            string,
            string,
          ],
        ]
      : []),
  ]);
}

const FORMATS: Record<string, (body: never) => string> = {
  calls,
  queues,
  audit,
  'agent-state': agentState,
  ...RECORD_FORMATS,
};

/** The commands printed for a person unless --json is given. */
export const HUMAN_COMMANDS = Object.keys(FORMATS);

/** `body` (the API's answer) for a person; JSON for a command without a human format. */
export function formatForPeople(command: string, body: unknown): string {
  const format = FORMATS[command];
  return format ? format(body as never) : `${JSON.stringify(body, null, 2)}\n`;
}
