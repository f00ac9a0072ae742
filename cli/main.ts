import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Shutdown } from './shutdown.js';

const stdoutLine = (line: string) => process.stdout.write(`${line}\n`);
/** A worker or web process of its own finishes its work for up to 25 s on SIGTERM: Kubernetes's default grace is 30. */
const ROLE_STOP_GRACE_MS = 25_000;

// Commands load their modules on demand, so a bad configuration is reported before anything heavy loads.
const up = async (...args: Parameters<typeof import('./up.js').up>) => (await import('./up.js')).up(...args);

const USAGE = `usage: switchboard <command>

commands:
  up [--no-demo]   start everything (embedded Temporal, Postgres and Graph emulator unless configured) and place a demo call
  worker           run only the Temporal worker (production: one or more replicas)
  web              run only the web process (Graph webhook, health)
  migrate          apply database migrations to DATABASE_URL
  doctor           check a real tenant before the first call: the app's Graph permissions for each feature, the flows'
                   resource accounts, PUBLIC_URL, notification keys, Temporal, Postgres; exit 1 if any check fails
  queues validate  check the queue definitions in flows/ (agents, alert times, overflow cycles, skills rules)
  schedules validate  check the business-hours schedules in flows/schedules.ts and show whether each is open now
  schedules list [--year YYYY]
                   each schedule's holidays and special dates of a year: its country's public holidays
                   (date-holidays), its own dates, and which wins
  flows validate   type-check the call flows in flows/ and check their prompts, queues, voicemail boxes, schedules,
                   lookups and menus; 'file:line:col: message' per problem (needs no configuration)
  flows list       each call flow: its numbers, description, and the queues, boxes, schedules and lookups it uses
  agents opt-in <agent-id> <queue>    let an agent take calls from a queue again
  agents opt-out <agent-id> <queue>   stop offering an agent calls from a queue
  agents available|away|sign-out <agent-id>
                   back to taking calls (ends a pause after missed offers), a break, or signed out
  agents restart <agent-id>
                   end the agent's workflow run and start a new one with its state kept; a run whose workflow task
                   keeps failing is first reset to its last good task (docs/operations.md, "Workflow task failures")
  simulate <file>  run a scenario (JSON) against a running stack's emulator (EMULATOR_URL) and print the steps
  privacy erase|export --caller <number> [--out dir]
                   a person's data requests (DATABASE_URL): erase everything, or export it as JSON plus audio
  admin <command>  the admin API from the command line (see 'switchboard admin')
  calls transfer <call id> --queue Q | --agent AGENT [--blind]
                   send a caller on to another queue or a colleague (the admin API's transfer)
  seed --calls N   write N calls of realistic history to DATABASE_URL (options: --days D, --seed S)
  teams package [--out file.zip]
                   the Teams app (agent and supervisor tabs, the calling bot) for PUBLIC_URL and AZURE_CLIENT_ID

Every command and subcommand answers --help (or -h) with its usage.
Configuration comes from environment variables; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  // `switchboard <command> [<subcommand>] --help|-h`: usage on stdout, before configuration is loaded (cli/usage.ts).
  const { asksForHelp, usageOf } = await import('./usage.js');
  const usage = asksForHelp(rest) ? usageOf(command, rest) : undefined;
  if (usage) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (command === 'flows') {
    // Reads files only: no configuration needed, so CI can run it.
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    return (await import('./flows.js')).flows(rest, root, {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
    });
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'up': {
      const logFile = path.resolve(config.dataDir, 'switchboard.log');
      // Ctrl-C while the stack's modules load (seconds on a busy machine) stops it too (issue 25, point 6): the handler
      // is in place before the first line, so a Ctrl-C on seeing it never finds Node's default (exit by signal).
      const shutdown = new Shutdown(stdoutLine);
      process.stdout.write(`Logs: ${logFile}\n`);
      await up(config, createLogger(config.logLevel, 'switchboard', logFile), {
        demo: !rest.includes('--no-demo'),
        shutdown,
      });
      return -1; // keeps running until a signal
    }
    case 'worker':
      await up(config, logger, {
        demo: false,
        roles: { worker: true, web: false },
        shutdown: new Shutdown(stdoutLine, ROLE_STOP_GRACE_MS),
      });
      return -1;
    case 'web':
      await up(config, logger, {
        demo: false,
        roles: { worker: false, web: true },
        shutdown: new Shutdown(stdoutLine, ROLE_STOP_GRACE_MS),
      });
      return -1;
    case 'migrate': {
      if (!config.database.url) {
        process.stderr.write('Invalid configuration: DATABASE_URL is required for migrate\n');
        return 2;
      }
      const { migrate, openDatabase } = await import('../src/db/orm.js');
      const orm = await openDatabase(config.database.url);
      try {
        const ran = await migrate(orm);
        process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await orm.close();
      }
      // Temporal forgets on time (issue 22): the namespace's retention, below RETENTION_DAYS.
      const { migrateTemporal } = await import('./migrate-temporal.js');
      await migrateTemporal(config, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
      return 0;
    }
    case 'doctor':
      return (await import('./doctor.js')).doctor(config, { stdout: (t) => process.stdout.write(t) });
    case 'seed': {
      if (!config.database.url) {
        process.stderr.write('Invalid configuration: DATABASE_URL is required for seed\n');
        return 2;
      }
      return (await import('./seed.js')).seed(config.database.url, rest);
    }
    case 'privacy':
      return (await import('./privacy.js')).privacy(config, rest);
    case 'calls':
    case 'admin': {
      const { admin } = await import('./admin.js');
      // `switchboard calls transfer …` is `switchboard admin transfer …` (issue 24, point 4).
      const args = command === 'calls' ? (rest[0] === 'transfer' ? rest : ['calls', ...rest]) : rest;
      return admin(args, process.env, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    }
    case 'simulate':
      return (await import('./simulate.js')).simulate(rest);
    case 'teams':
      return (await import('./teams.js')).teams(config, rest, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    case 'queues': {
      if (rest[0] !== 'validate') {
        process.stderr.write(`usage: switchboard queues validate\n`);
        return 2;
      }
      try {
        const { queues } = await import('../flows/index.js');
        for (const q of Object.values(queues)) {
          process.stdout.write(
            `${q.name}: ${q.method}, ${q.agents.length} agents, alert ${q.alertSeconds} s, max ${q.maxCalls} calls / ${q.maxWaitSeconds} s\n`,
          );
        }
        return 0;
      } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
    }
    case 'schedules':
      return (await import('./schedules.js')).schedulesCommand(rest, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    case 'agents': {
      const [action, agentId, queue] = rest;
      const availability = { available: 'available', away: 'away', 'sign-out': 'signedOut' } as const;
      if (action && Object.hasOwn(availability, action) && agentId && !queue) {
        const state = availability[action as keyof typeof availability];
        const { setAgentAvailability, UnknownAgentError } = await import('../src/routing/membership.js');
        const client = await (await import('./temporal-client.js')).cliTemporalClient(config);
        try {
          await setAgentAvailability(client, agentId, state, 'cli');
          process.stdout.write(`${agentId}: ${state} (ignored while the agent is offered a call or on one)\n`);
        } catch (err) {
          if (!(err instanceof UnknownAgentError)) throw err;
          process.stderr.write(`unknown agent ${agentId}: no agent workflow is running for this id\n`);
          return 1;
        } finally {
          await client.connection.close();
        }
        return 0;
      }
      if (action === 'restart' && agentId && !queue) {
        const { routingTaskQueue } = await import('../src/temporal/worker.js');
        const { queues } = await import('../flows/index.js');
        const { AgentRestartError, describeRestart, restartAgent } = await import('../src/routing/agent-restart.js');
        const { UnknownAgentError } = await import('../src/routing/membership.js');
        const client = await (await import('./temporal-client.js')).cliTemporalClient(config);
        try {
          // Where start-up puts agents' workflows: a run started before the routing task queue existed moves there.
          const restart = await restartAgent(client, agentId, {
            taskQueue: routingTaskQueue(config.temporal.taskQueue),
            queues,
          });
          for (const line of describeRestart(restart)) process.stdout.write(`${line}\n`);
        } catch (err) {
          if (err instanceof UnknownAgentError) {
            process.stderr.write(
              `unknown agent ${agentId}: no agent workflow exists for this id; nothing was changed\n`,
            );
            return 1;
          }
          if (!(err instanceof AgentRestartError)) throw err;
          process.stderr.write(`${err.message}\n`);
          return 1;
        } finally {
          await client.connection.close();
        }
        return 0;
      }
      if ((action !== 'opt-in' && action !== 'opt-out') || !agentId || !queue) {
        process.stderr.write(
          `usage: switchboard agents opt-in|opt-out <agent-id> <queue>\n       switchboard agents available|away|sign-out|restart <agent-id>\n`,
        );
        return 2;
      }
      const { queues } = await import('../flows/index.js');
      if (!queues[queue]) {
        process.stderr.write(`unknown queue ${queue}\n`);
        return 2;
      }
      const { setQueueMembership } = await import('../src/routing/membership.js');
      const client = await (await import('./temporal-client.js')).cliTemporalClient(config);
      try {
        // The agent's workflow keeps the choice, so it outlives restarts and the queues hear of it at once. The admin
        // API (`switchboard admin queue opt-in|opt-out`) goes the same way, with a token and an audit row.
        await setQueueMembership(client, agentId, queue, action === 'opt-in');
        process.stdout.write(`${agentId} ${action === 'opt-in' ? 'opted in to' : 'opted out of'} ${queue}\n`);
      } finally {
        await client.connection.close();
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command '${command}'\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
