/**
 * `switchboard worker` with test queue definitions: the same start-up as the CLI's worker command (configuration
 * from the environment, `startStack` with only the worker role), plus queues from SWITCHBOARD_TEST_QUEUES (JSON,
 * QueueConfig by name), so a chaos test can run many agents without editing flows/. Prints `ready` when up.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startStack } from '../../src/stack.js';
import type { QueueConfig } from '../../flows/index.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const queues = process.env.SWITCHBOARD_TEST_QUEUES
  ? (JSON.parse(process.env.SWITCHBOARD_TEST_QUEUES) as Record<string, QueueConfig>)
  : undefined;
const stack = await startStack(config, logger, {
  roles: { worker: true, web: false },
  ...(queues ? { queues } : {}),
});
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
const stop = () => void stack.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdout.write('ready\n');
