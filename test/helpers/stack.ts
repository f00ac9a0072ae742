import { mkdtemp, rm } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { callWorkflowId, type CallSummary } from '../../src/contracts/call.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { startStack, type Stack, type StackOptions } from '../../app/stack.js';
import { emulatorStandIn } from '../../devkit/emulator/stand-in.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../devkit/emulator/index.js';
import { eventually } from './eventually.js';

export interface TestStack extends Stack<Emulator> {
  config: Config;
  dataDir: string;
  /** POST a body to the app's Graph webhook. */
  postCalling(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * The real thing on random ports: Temporal dev server, embedded Postgres, worker, Express and the Graph emulator,
 * exactly as `npm start` wires them, in a throwaway data folder.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  options: StackOptions<Emulator> & { keepData?: boolean; logFile?: string } = {},
): Promise<TestStack> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'switchboard-test-')));
  const configure = async () =>
    loadConfig({
      PORT: String(env.PORT ? Number(env.PORT) : await freePort()),
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_DEV_UI_PORT: '0',
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      EMULATOR_PORT: '0',
      EMULATOR_MEDIA_SPEED: '10',
      TEMPORAL_TASK_QUEUE: 'switchboard-test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...env,
    });
  let config = await configure();
  const logger = createLogger(config.logLevel, 'switchboard', options.logFile);
  let stack: Stack<Emulator>;
  // Test files start stacks in parallel, each on ports the OS said were free a moment before: two can pick the same
  // one (CI saw Postgres exit at start-up). Such a start is tried again on other ports, twice at most, and said so.
  for (let attempt = 1; ; attempt++) {
    try {
      stack = await startStack(config, logger, { graphStandIn: emulatorStandIn, ...options });
      break;
    } catch (err) {
      if (attempt === 3 || env.PORT || env.TEMPORAL_DEV_PORT || env.EMBEDDED_POSTGRES_PORT) throw err;
      console.warn(`test stack: start failed (${String(err)}); trying again on other ports`);
      config = await configure();
    }
  }
  return {
    ...stack,
    config,
    dataDir,
    async stop() {
      await stack.stop();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
    postCalling: (body, headers = {}) =>
      fetch(`${stack.webUrl}/api/calling`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

export { eventually };

/**
 * One stack for a test file: `start` runs before the file's tests (it assigns the file's own variable) and what it
 * started is stopped after them, also when a test failed.
 */
export function stackForFile<S extends { stop(): Promise<void> }>(start: () => Promise<S>, timeoutMs?: number): void {
  let started: S | undefined;
  beforeAll(async () => {
    started = await start();
  }, timeoutMs);
  afterAll(async () => {
    await started?.stop();
  });
}

/** A call's workflow result: the emulator delivers the incoming notification asynchronously, so wait for the workflow first. */
export async function callResult(client: Client, callId: string, timeoutMs?: number): Promise<CallSummary> {
  const handle = client.workflow.getHandle(callWorkflowId(callId));
  await eventually(
    () =>
      handle.describe().then(
        () => true,
        () => undefined,
      ),
    `workflow for ${callId}`,
    timeoutMs,
  );
  return (await handle.result()) as CallSummary;
}

/** The Graph emulator for Switchboard processes the test runs itself: the app's default tenant, notifying the web at `webPort`. */
export function startEmulatorFor(webPort: number, options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const defaults = loadConfig({});
  return startEmulator({
    tenantId: defaults.graph.tenantId,
    clientId: defaults.graph.clientId,
    clientSecret: defaults.graph.clientSecret,
    botCallingUrl: `http://127.0.0.1:${webPort}/api/calling`,
    mediaSpeed: 10,
    logger: pino({ level: 'silent' }),
    ...options,
  });
}
