/**
 * A Switchboard process with queue definitions given at start: the same start-up as the CLI's `worker`, `web` and
 * `up` commands (configuration from the environment, `startStack` with the roles named as arguments, both when none
 * is), plus queues from SWITCHBOARD_QUEUES_JSON (QueueConfig by name) instead of flows/. The bench runs Switchboard
 * this way, apart from the emulator that drives it, and the chaos tests run many agents without editing flows/.
 * Prints `ready` when up.
 *
 *   SWITCHBOARD_QUEUES_JSON='{"support":{…}}' node --import tsx devkit/bench/switchboard-process.ts worker
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startStack } from '../../app/stack.js';
import { emulatorStandIn } from '../emulator/stand-in.js';
import type { QueueConfig } from '../../flows/index.js';

const roleArgs = process.argv.slice(2);
for (const r of roleArgs) {
  if (r !== 'worker' && r !== 'web') {
    process.stderr.write(`switchboard-process: unknown role ${JSON.stringify(r)} (worker, web, or none for both)\n`);
    process.exit(2);
  }
}
const roles =
  roleArgs.length === 0
    ? { worker: true, web: true }
    : { worker: roleArgs.includes('worker'), web: roleArgs.includes('web') };
const config = loadConfig();
const logger = createLogger(config.logLevel);
const queues = process.env.SWITCHBOARD_QUEUES_JSON
  ? (JSON.parse(process.env.SWITCHBOARD_QUEUES_JSON) as Record<string, QueueConfig>)
  : undefined;
const stack = await startStack(config, logger, { roles, graphStandIn: emulatorStandIn, ...(queues ? { queues } : {}) });
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
const stop = () => void stack.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdout.write('ready\n');
