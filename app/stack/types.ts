import type { AdmissionLimits } from '../../src/server/answer-admission.js';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Config } from '../../src/config.js';
import type { MikroORM } from '../../src/db/orm.js';
import type { Logger } from 'pino';
import type { QueueConfig } from '../../flows/index.js';

export interface StackStep {
  component: 'temporal' | 'postgres' | 'worker' | 'web' | 'emulator';
  detail: string;
}

/**
 * What stands in for Microsoft (Graph, its sign-in and its signing keys) when no real Graph is configured: the Graph
 * emulator, which only the demo and the tests bring (devkit/emulator/stand-in.ts). Production code never imports it.
 */
export interface GraphStandIn {
  url: string;
  graphBaseUrl: string;
  authorityMetadataUrl: string;
  callingOpenIdUrl: string;
  stop(): Promise<void>;
}

export interface Stack<E extends GraphStandIn = GraphStandIn> {
  config: Config;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  webUrl?: string;
  /** A worker-only process's own /metrics (WORKER_METRICS_PORT). */
  workerMetricsUrl?: string;
  /** The stand-in for Graph, when one was started (StackOptions.graphStandIn). */
  emulator?: E;
  client: Client;
  orm: MikroORM;
  worker?: Worker;
  stop(): Promise<void>;
}

export interface StackRoles {
  worker: boolean;
  web: boolean;
}

export interface StackOptions<E extends GraphStandIn = GraphStandIn> {
  /** Called as each component comes up. */
  onStep?: (s: StackStep) => void;
  /** Which processes' work to run here; both by default (`switchboard up`). */
  roles?: StackRoles;
  /** Queue definitions; the ones in flows/ unless given. */
  queues?: Record<string, QueueConfig>;
  /** Teams presence polling (getPresencesByUserId); every 2 s unless given, or off. */
  presence?: { intervalSeconds?: number; lagSeconds?: number } | false;
  /** Started after the web role when GRAPH_BASE_URL is not set: the demo's and the tests' emulator. */
  graphStandIn?: (config: Config, logger: Logger) => Promise<E>;
  /**
   * Ctrl-C during start-up: what has started is stopped and startStack rejects with the signal's reason, at the next
   * step or sooner (the dev server's wait for its port).
   */
  signal?: AbortSignal;
  /** Admission control of incoming calls (src/server/answer-admission.ts); from ADMISSION_* unless given. */
  admission?: AdmissionLimits;
}
