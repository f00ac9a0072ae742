import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { emulatorGraphEnv } from '../../src/config.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import type { StackOptions } from '../../app/stack.js';
import type { Emulator } from '../../devkit/emulator/index.js';
import { startEmulatorFor, startTestStack, type TestStack } from './stack.js';

/**
 * Every Switchboard process and Temporal, stopped and started again on the same data folder and the same ports, so
 * that Temporal's and Postgres's data outlive a restart; the Graph emulator (Microsoft's side) stays up throughout.
 */
export interface RestartableStack {
  readonly emulator: Emulator;
  /** The stack that is up now, if any. */
  readonly stack: TestStack | undefined;
  start(options?: StackOptions<Emulator>): Promise<TestStack>;
  /** Stops the stack and keeps its data; the caller's call goes on at the emulator. */
  stop(): Promise<void>;
}

/**
 * The durability tests' set-up (restart.e2e, conference-restart; issue 20, point 7). Call it at the top of the test
 * file: the function it returns makes the data folder and the emulator, and after the file's tests whatever is still
 * up is stopped and the data folder removed, also when a test failed. `name` names the data folder.
 */
export function restartableStackForFile(name: string): () => Promise<RestartableStack> {
  let emulator: Emulator | undefined;
  let stack: TestStack | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await stack?.stop();
    await emulator?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), `switchboard-${name}-`));
    const port = await freePort();
    const started = (emulator = await startEmulatorFor(port));
    // Fixed ports: the restarted web process must be where the emulator notifies, Temporal and Postgres where their
    // data says they were.
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      ...emulatorGraphEnv(started),
    };
    return {
      emulator: started,
      get stack() {
        return stack;
      },
      async start(options = {}) {
        stack = await startTestStack(env, { ...options, keepData: true });
        return stack;
      },
      async stop() {
        const up = stack;
        stack = undefined;
        await up?.stop();
      },
    };
  };
}
