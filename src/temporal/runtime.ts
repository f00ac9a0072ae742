import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Route the Temporal SDK's own logs (worker state, activity retries) into our structured log instead of the
 * console. The runtime is process-wide and can be installed once; later calls are no-ops.
 */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const level = (logger.level === 'silent' ? 'ERROR' : logger.level.toUpperCase()) as LogLevel;
  const levels: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
  Runtime.install({
    logger: new DefaultLogger(levels.includes(level) ? level : 'INFO', (entry) => {
      if (logger.level === 'silent') return;
      const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      logger[method]({ component: 'temporal-sdk', ...entry.meta }, entry.message);
    }),
  });
}
