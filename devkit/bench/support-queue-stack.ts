/**
 * The whole stack in this process (startStack: Temporal dev server, embedded Postgres, worker, web and the Graph
 * emulator) with one queue, `support`, of scripted agents who accept every call: the set-up of the diagnostics that
 * watch the routing workflows under calls (`npm run bench:queue-trace`, `npm run histories:record-routing`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../../src/contracts/queue-config.js';
import { startStack, type Stack } from '../../app/stack.js';
import type { Emulator } from '../emulator/server.js';
import { emulatorStandIn } from '../emulator/stand-in.js';

export interface SupportQueueStack {
  stack: Stack<Emulator>;
  emulator: Emulator;
  /** The agents' ids, in order. */
  agents: string[];
  /** Stops the stack and deletes its data folder. */
  stop(): Promise<void>;
}

export async function startSupportQueueStack(opts: {
  /** The data folder's name prefix under the system's temporary folder. */
  tmpPrefix: string;
  agents: number;
  /** How long each agent talks once connected. */
  talkMs: number;
  /** The queue's limits and routing, over DEFAULT_QUEUE's. */
  queue: Pick<QueueConfig, 'maxCalls'> & Partial<QueueConfig>;
  /** More configuration (e.g. EMULATOR_MEDIA_SPEED). */
  env?: Record<string, string>;
}): Promise<SupportQueueStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), opts.tmpPrefix));
  const config = loadConfig({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: '0',
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    EMULATOR_PORT: '0',
    LOG_LEVEL: 'error',
    ...opts.env,
  });
  const agents = Array.from(
    { length: opts.agents },
    (_, i) => `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const stack = await startStack(config, createLogger('error'), {
    graphStandIn: emulatorStandIn,
    queues: {
      support: {
        ...DEFAULT_QUEUE,
        name: 'support',
        agents,
        agentSkills: {},
        method: 'longestIdle',
        wrapUpSeconds: 1,
        maxWaitSeconds: 3600,
        ...opts.queue,
      } satisfies QueueConfig,
    },
  });
  const emulator = stack.emulator!;
  for (const a of agents) emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: opts.talkMs });
  return {
    stack,
    emulator,
    agents,
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
