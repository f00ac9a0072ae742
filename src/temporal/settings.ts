import type { TemporalConnection } from './client-profile.js';
import type { CodecKey } from './payload-codec.js';

/**
 * Config's `temporal` section (src/config.ts reads it from the environment): what the clients, workers and the payload
 * codec of this folder need, kept here so that they take it without importing config.
 */
export interface TemporalSettings extends TemporalConnection {
  taskQueue: string;
  devPort: number;
  devUiPort: number;
  /**
   * TEMPORAL_CODEC_KEYS(_FILE): the payload codec's keys, the first encrypting. undefined: a key kept in the data
   * folder (src/temporal/data-converter.ts).
   */
  codecKeys?: CodecKey[];
  /**
   * The Temporal UI's origin, the only one whose browser may call the codec endpoint (CORS). Default: the embedded
   * dev server's UI when it runs, else none.
   */
  uiOrigin?: string;
  /** Workflow stack traces (off: about 13% less CPU in the worker's process; see withoutWorkflowStackTraces). */
  workflowStackTraces: boolean;
  /** The SDK's timeout on each entry into the workflow sandbox (off: no watchdog thread per entry; UnwatchedWorker). */
  workflowIsolateTimeout: boolean;
  /**
   * Where the Temporal SDK serves its worker metrics (Prometheus, on 127.0.0.1), appended to /metrics; 0: not served;
   * unset: a free port, in a process that runs a worker.
   */
  sdkMetricsPort: number | undefined;
  /** Where a worker-only process (`switchboard worker`) serves /metrics; 0 = nowhere. */
  workerMetricsPort: number;
}
