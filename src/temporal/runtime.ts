import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { redactSdkLogEntry } from './sdk-log-redaction.js';

let installed: { metricsPort: number } | undefined;

/**
 * Route the Temporal SDK's own logs (worker state, activity retries) into our structured log instead of the
 * console, with the errors they carry redacted, and serve its worker metrics on `metricsPort` (0: not at all). The runtime is process-wide and can be
 * installed once; later calls change nothing and return the port the first one chose.
 */
export function installTemporalRuntime(logger: Logger, metricsPort = 0): { metricsPort: number } {
  if (installed) return installed;
  installed = { metricsPort };
  // The SDK's INFO lines (bundle contents, worker state) are debugging detail for us.
  const level: LogLevel = logger.level === 'debug' || logger.level === 'trace' ? 'DEBUG' : 'WARN';
  // The native core's DEBUG traces (every activation and command of every workflow) only at trace level.
  const coreLevel: LogLevel = logger.level === 'trace' ? 'DEBUG' : level === 'DEBUG' ? 'INFO' : level;
  Runtime.install({
    // Our own Ctrl-C handler stops the worker first and then the servers it depends on, in order.
    shutdownSignals: [],
    // The SDK's native core (gRPC retries while a server restarts, …) logs through the same logger.
    telemetryOptions: {
      logging: { filter: { core: coreLevel, other: 'WARN' }, forward: {} },
      ...(metricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } : {}),
    },
    logger: new DefaultLogger(level, (entry) => {
      if (logger.level === 'silent') return;
      const method =
        entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      // An error in the line (an activity's, a workflow task's) is reduced to its kind: its message may quote a
      // caller's number or name (sdk-log-redaction.ts, issue 22).
      const { message, meta } = redactSdkLogEntry(entry.message, entry.meta);
      // A line about a call workflow (the SDK's own, or the core's) names the call like every other line about it.
      const workflowId = meta['workflowId'];
      const call =
        typeof workflowId === 'string' && workflowId.startsWith('call-') && meta['callId'] === undefined
          ? { callId: workflowId.slice('call-'.length) }
          : {};
      logger[method]({ component: 'temporal-sdk', ...meta, ...call }, message);
    }),
  });
  return installed;
}
