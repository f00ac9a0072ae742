import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/**
 * Route the Temporal SDK's own logs (worker state, activity retries) into our structured log instead of the
 * console. The runtime is process-wide and can be installed once; later calls are no-ops.
 */
export function installTemporalRuntime(logger: Logger, metricsPort = 0): void {
  if (installed) return;
  installed = true;
  // The SDK's INFO lines (bundle contents, worker state) are debugging detail for us.
  const level: LogLevel = logger.level === 'debug' || logger.level === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({
    // Our own Ctrl-C handler stops the worker first and then the servers it depends on, in order.
    shutdownSignals: [],
    // The SDK's native core (gRPC retries while a server restarts, …) logs through the same logger.
    telemetryOptions: {
      logging: { filter: { core: level, other: 'WARN' }, forward: {} },
      ...(metricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
    logger: new DefaultLogger(level, (entry) => {
      if (logger.level === 'silent') return;
      const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      logger[method]({ component: 'temporal-sdk', ...entry.meta }, entry.message);
    }),
  });
}
