/**
 * `switchboard admin`'s usage: the whole list, and one command's lines for `switchboard admin <command> --help`.
 * Kept apart from admin.ts so help needs no network and no configuration.
 */
export const ADMIN_USAGE = `usage: switchboard admin <command> [--json] [--token T]

  calls [--caller X] [--queue Q] [--outcome O] [--since ISO] [--until ISO] [--limit N] [--cursor C]
  call <call id>                      a call's record and timeline
  supervise barge|monitor <call id> [--oid SUPERVISOR]
                                      join a conference call (monitor: muted); yourself, or (Admin) another
  transfer <call id> --queue Q | --agent AGENT [--blind]
                                      send the caller on, warm (you stay until the next agent is in) or blind
  agent-state <agent id>
  agent available|away|sign-out <agent id>            ends a pause after missed offers, a break, signed out
  wrap-up-codes                       list
  wrap-up-code set <code> <label> [--inactive]
  wrap-up-code delete <code>
  audit [--action A] [--limit N] [--cursor C]
  whoami
  queues [--limit N] [--cursor C]     queues with their members
  queue opt-in|opt-out <queue> <agent id>
  queue settings <queue> [serviceLevelSeconds=N] [shortAbandonSeconds=N] [serviceLevelTarget=PCT]
                         [serviceLevelFormula=F] [timeZone=Z|site]
                                      read, or change (Admin), a queue's analytics settings (docs/metrics.md)
  schedules                           schedules with their status now
  schedule <name>                     hours, holidays, special dates and run-time exceptions
  holiday add <schedule> <date> <name>                 date: YYYY-MM-DD, or MM-DD for every year
  special-hours add <schedule> <date> <HH:MM-HH:MM[,HH:MM-HH:MM]|closed> <name>
  schedule-exception remove <schedule> <date>          a holiday or special date added here
  voicemail-boxes
  voicemails <box> [--limit N] [--cursor C]            messages, each with a signed recording link
  token --role Admin|Supervisor|Agent [--oid ID] [--name N]
                                      a token from the Graph emulator (EMULATOR_URL, default http://127.0.0.1:4000);
                                      use it as SWITCHBOARD_ADMIN_TOKEN

  The reading commands print a table (calls, queues, audit, schedules, wrap-up-codes, voicemail-boxes, voicemails)
  or a short record (call, schedule, agent-state, whoami) for people; --json prints the API's JSON for scripts (the
  commands that change something always print JSON).

env: SWITCHBOARD_API_URL, SWITCHBOARD_ADMIN_TOKEN (or --token)`;

/** ADMIN_USAGE's command lines: from the line after the blank one following the title, to the next blank line. */
const COMMAND_LINES = ADMIN_USAGE.split('\n').slice(2, ADMIN_USAGE.split('\n').indexOf('', 2));

/** The commands `switchboard admin` knows, as the first word of their lines in ADMIN_USAGE. */
export const ADMIN_COMMANDS: readonly string[] = [
  ...new Set(
    COMMAND_LINES.map((l) => /^ {2}([a-z][a-z-]*)\b/.exec(l)?.[1]).filter((c): c is string => c !== undefined),
  ),
];

/** The usage of one admin command (its lines with their continuation lines), or the whole list. */
export function adminUsage(command?: string): string {
  if (!command || !ADMIN_COMMANDS.includes(command)) return ADMIN_USAGE;
  const lines = COMMAND_LINES;
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`  ${command} `) && lines[i] !== `  ${command}`) continue;
    own.push(`usage: switchboard admin ${lines[i]!.trim()}`);
    // Continuation lines: indented past the command column.
    while (lines[i + 1]?.startsWith('     ')) own.push(`       ${lines[++i]!.trim()}`);
  }
  return `${own.join('\n')}\n\noptions: --token T (or SWITCHBOARD_ADMIN_TOKEN), --json\nenv: SWITCHBOARD_API_URL`;
}
