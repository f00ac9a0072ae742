/**
 * The embedded stack (Temporal dev server, embedded Postgres, worker, web and the Graph emulator) in a throwaway
 * folder on free ports, for the kit's tab tools: the screenshots and the live-stream bench.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { startStack, type Stack } from '../../app/stack.js';
import { emulatorStandIn } from '../emulator/stand-in.js';
import type { Emulator } from '../emulator/server.js';
import { seedDemoWrapUpCodes } from './demo-wrap-up-codes.js';

export interface DemoStack extends Stack<Emulator> {
  config: Config;
  webUrl: string;
}

export async function startDemoStack(): Promise<DemoStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-tabs-'));
  const config = loadConfig({
    ...process.env,
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: '0',
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    EMULATOR_PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const stack = await startStack(config, createLogger('silent'), { graphStandIn: emulatorStandIn });
  await seedDemoWrapUpCodes(stack.orm);
  return {
    ...stack,
    config,
    webUrl: stack.webUrl!,
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
