import { adminUsage } from './admin-usage.js';
import { FLOWS_USAGE } from './flows.js';

/**
 * Every `switchboard` command's usage, for `switchboard <command> [<subcommand>] --help|-h` (exit 0, stdout) and for
 * the usage errors (exit 2, stderr). Kept apart from the commands so help answers before configuration is loaded
 * and before any heavy module is imported: `switchboard doctor --help` works on a machine with nothing configured.
 */
export const PRIVACY_USAGE = `usage: switchboard privacy erase --caller <number or Teams user id>
       switchboard privacy export --caller <number or Teams user id> [--out <folder>]

  erase    delete everything held about the person: calls, timelines, voicemails, callbacks, recordings, Temporal
           histories (audited); exit 1 and nothing erased when a store is out of reach
  export   write the person's data as JSON plus audio into --out (default ./privacy-export-<caller>)

env: DATABASE_URL (required), TEMPORAL_ADDRESS, PRIVACY_HMAC_KEY`;

export const TEAMS_USAGE = `usage: switchboard teams package [--out <file.zip>]

  package  the Teams app zip (agent and supervisor tabs, the calling bot) for PUBLIC_URL and AZURE_CLIENT_ID;
           --out defaults to ./switchboard-teams.zip`;

export const SIMULATE_USAGE = `usage: switchboard simulate <scenario.json>

  runs the scenario against a running stack's Graph emulator (EMULATOR_URL, default http://127.0.0.1:4000) and
  prints every call's steps as they happen`;

export const SEED_USAGE = `usage: switchboard seed [--calls N] [--days D] [--seed S]

  writes N calls (default 10000) of realistic history over D days (default 30) to DATABASE_URL, migrating it first;
  S (default 42) makes the history repeatable`;

export const QUEUES_USAGE = `usage: switchboard queues validate

  validate  check the queue definitions in flows/ (agents, alert times, overflow cycles, skills rules)`;

export const SCHEDULES_USAGE = `usage: switchboard schedules validate
       switchboard schedules list [--year YYYY]

  validate  check the business-hours schedules in flows/schedules.ts and show whether each is open now
  list      each schedule's holidays and special dates of a year (1900 to 2199; this year by default): its
            country's public holidays, its own dates, and which wins`;

export const AGENTS_USAGE = `usage: switchboard agents opt-in|opt-out <agent-id> <queue>
       switchboard agents available|away|sign-out|restart <agent-id>

  opt-in     let an agent take calls from a queue again
  opt-out    stop offering an agent calls from a queue
  available  back to taking calls (ends a pause after missed offers)
  away       a break
  sign-out   signed out
  restart    end the agent's workflow run and start a new one with its state kept (docs/operations.md)

env: TEMPORAL_ADDRESS`;

const SIMPLE: Record<string, string> = {
  up: `usage: switchboard up [--no-demo]

  start everything (embedded Temporal, Postgres and Graph emulator unless configured) and place a demo call;
  --no-demo starts without the demo call. Runs until interrupted.`,
  worker: `usage: switchboard worker

  run only the Temporal worker (production: one or more replicas). Runs until interrupted.`,
  web: `usage: switchboard web

  run only the web process (Graph webhook, admin API, tabs, health). Runs until interrupted.`,
  migrate: `usage: switchboard migrate

  apply database migrations to DATABASE_URL, then set the Temporal namespace's retention below RETENTION_DAYS`,
  doctor: `usage: switchboard doctor

  check a real tenant before the first call: the app's Graph permissions for each feature, the flows' resource
  accounts, PUBLIC_URL, notification keys, Temporal, Postgres; one line per check, exit 1 if any check fails`,
  privacy: PRIVACY_USAGE,
  teams: TEAMS_USAGE,
  simulate: SIMULATE_USAGE,
  seed: SEED_USAGE,
  queues: QUEUES_USAGE,
  schedules: SCHEDULES_USAGE,
  agents: AGENTS_USAGE,
  flows: FLOWS_USAGE,
};

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The usage of `switchboard <command> [<subcommand>]`, or undefined for a command that does not exist. */
export function usageOf(command: string, args: string[]): string | undefined {
  const sub = args.find((a) => !a.startsWith('-'));
  if (command === 'admin') return adminUsage(sub);
  // `switchboard calls …` is `switchboard admin calls …`, and `calls transfer` is `admin transfer` (cli/main.ts).
  if (command === 'calls')
    return adminUsage(sub === 'transfer' ? 'transfer' : 'calls').replace(
      /switchboard admin (calls|transfer)/g,
      (_, c: string) => (c === 'calls' ? 'switchboard calls' : 'switchboard calls transfer'),
    );
  return Object.hasOwn(SIMPLE, command) ? SIMPLE[command] : undefined;
}
