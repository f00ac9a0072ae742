import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Config } from '../config.js';
import type { MikroORM } from '../db/orm.js';
import type { Emulator } from '../emulator/server.js';
import type { QueueConfig } from '../../flows/index.js';

export interface StackStep {
  component: 'temporal' | 'postgres' | 'worker' | 'web' | 'emulator';
  detail: string;
}

export interface Stack {
  config: Config;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  webUrl?: string;
  /** A worker-only process's own /metrics (WORKER_METRICS_PORT). */
  workerMetricsUrl?: string;
  emulator?: Emulator;
  client: Client;
  orm: MikroORM;
  worker?: Worker;
  stop(): Promise<void>;
}

export interface StackRoles {
  worker: boolean;
  web: boolean;
}

export interface StackOptions {
  /** Called as each component comes up. */
  onStep?: (s: StackStep) => void;
  /** Which processes' work to run here; both by default (`switchboard up`). */
  roles?: StackRoles;
  /** Queue definitions; the ones in flows/ unless given. */
  queues?: Record<string, QueueConfig>;
  /** Teams presence polling (getPresencesByUserId); every 2 s unless given, or off. */
  presence?: { intervalSeconds?: number; lagSeconds?: number } | false;
}

