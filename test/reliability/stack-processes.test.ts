import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPids, commandLine, portHolder, processEntry } from '../../src/infra/process-table.js';
import { spawnRole, type RoleProcess } from '../../src/infra/role-process.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

/**
 * A free port below the kernel's ephemeral range. The dev server takes random ephemeral ports for its own services
 * (HTTP API, metrics, history, matching) on every start; a test port picked from that range (freePort) can be taken
 * by it between two starts, as a real deployment's fixed ports (4000, 3978…) cannot.
 */
async function freePortBelowEphemeral(taken: number[]): Promise<number> {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, low - 10_000));
    if (taken.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * The embedded stack owns its processes (issue 25, point 6), tried on the real `switchboard up` as a user or a process
 * manager would: a taken port, kill -9, Ctrl-C during start-up, Ctrl-C then kill -9 during the demo call, and a crash
 * that left Postgres and the dev server behind. After each, nothing of it is left (no port of its own listening, no
 * process working in its data folder) and the next start works. One data folder and one set of free ports, so each
 * start is also the previous scenario's restart. Linux (/proc).
 */
describe('switchboard up owns its processes', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let ports: Record<string, number> = {};
  const running: RoleProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-stack-processes-'));
    const names = ['TEMPORAL_DEV_PORT', 'TEMPORAL_DEV_UI_PORT', 'EMBEDDED_POSTGRES_PORT', 'PORT', 'EMULATOR_PORT'];
    ports = {};
    for (const name of names) ports[name] = await freePortBelowEphemeral(Object.values(ports));
    env = {
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const p of running) await p.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (args: string[], readyLine: RegExp) => {
    const p = await spawnRole('switchboard up', 'cli/main.ts', ['up', ...args], env, readyLine, 240_000);
    running.push(p);
    return p;
  };

  /** Processes of this stack, whoever their parent now is: those with the data folder in their command line. */
  const processesOfDataFolder = () => allPids().filter((pid) => commandLine(pid).includes(dataDir));
  const listening = () => Object.entries(ports).filter(([, port]) => portHolder(port) !== undefined);

  /** Nothing left: a generous wait (the watchdog gives Postgres and the dev server 5 s before SIGKILL). */
  const nothingLeft = () =>
    eventually(
      () => (listening().length === 0 && processesOfDataFolder().length === 0 ? true : undefined),
      `nothing left listening (${JSON.stringify(listening())}) nor running in ${dataDir} ` +
        `(${processesOfDataFolder().map((pid) => commandLine(pid).slice(0, 80))})`,
      60_000,
    );

  /**
   * After one Ctrl-C the process ends by itself (a hang fails on the test's timeout): the ordered stop (exit 0), or,
   * when that outlasts its 8 s grace (a call's activities still running, a loaded machine), the forced exit that says
   * so (exit 1); either way nothing may be left, which each test checks next.
   */
  const exitsByItself = async (p: RoleProcess) => {
    const code = await p.exited;
    const forced = p.output().includes('still stopping after 8 s: stopping now');
    expect(code, p.output().slice(-3000)).toBe(forced ? 1 : 0);
    if (!forced) expect(p.output()).toContain('Stopped.');
  };

  const startsAndServes = async (args: string[] = ['--no-demo']) => {
    const p = await start(args, /Press Ctrl-C to stop/);
    const health = await fetch(`http://127.0.0.1:${ports.PORT}/healthz`);
    expect(health.status).toBe(200);
    return p;
  };

  it('a port already taken fails at once, in one line naming the port, its setting and the process holding it', async () => {
    const stranger = net.createServer();
    await new Promise<void>((resolve) => stranger.listen(ports.TEMPORAL_DEV_PORT, '127.0.0.1', resolve));
    try {
      const result = await runCli(['up', '--no-demo'], env);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `port ${ports.TEMPORAL_DEV_PORT} (the Temporal dev server, TEMPORAL_DEV_PORT) is already in use by pid ${process.pid}`,
      );
      expect(result.stdout).not.toContain('✓ Temporal');
    } finally {
      await new Promise((resolve) => stranger.close(resolve));
    }
    await nothingLeft();
  }, 120_000);

  it('kill -9 of the running stack leaves nothing listening, and it starts again', async () => {
    const first = await startsAndServes();
    expect(listening().map(([name]) => name)).toEqual(expect.arrayContaining(Object.keys(ports)));
    // A second stack on the same data folder is refused, naming the one running, and stops nothing of it.
    const second = await runCli(['up', '--no-demo'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by a running Switchboard (pid ${first.child.pid}`);
    expect(listening().map(([name]) => name)).toEqual(expect.arrayContaining(Object.keys(ports)));
    await first.kill();
    await nothingLeft();
  }, 300_000);

  it('Ctrl-C during the demo call, then kill -9 after 5 s: nothing is left, and it never says it is running', async () => {
    const demo = await start([], /workflow\s+call-\S+ started/);
    demo.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 5_000));
    await demo.kill();
    expect(demo.output()).toContain('SIGINT: stopping…');
    expect(demo.output()).not.toContain('Switchboard is running');
    await nothingLeft();
  }, 300_000);

  it('Ctrl-C during start-up, just after the dev server came up, stops everything by itself', async () => {
    const starting = await start(['--no-demo'], /✓ Temporal\s+dev server/);
    starting.child.kill('SIGINT');
    await exitsByItself(starting);
    expect(starting.output()).not.toContain('Switchboard is running');
    await nothingLeft();
  }, 300_000);

  it('Ctrl-C while the modules are still loading, before anything started, ends it by itself', async () => {
    const loading = await start(['--no-demo'], /^Logs: /m);
    loading.child.kill('SIGINT');
    await exitsByItself(loading);
    expect(loading.output()).not.toContain('✓ Temporal');
    await nothingLeft();
  }, 300_000);

  it('what a crash left in the data folder (watchdog killed too) is stopped with a line saying so, and it starts', async () => {
    const crashed = await startsAndServes();
    // The crash the watchdog cannot see: it dies too, before the stack.
    const watchdog = allPids().find(
      (pid) => processEntry(pid)?.ppid === crashed.child.pid && commandLine(pid).startsWith(`${process.execPath} -e`),
    );
    expect(watchdog).toBeDefined();
    process.kill(watchdog!, 'SIGKILL');
    await crashed.kill();
    await eventually(() => (portHolder(ports.EMBEDDED_POSTGRES_PORT!) ? true : undefined), 'Postgres left behind');
    expect(portHolder(ports.TEMPORAL_DEV_PORT!)).toBeDefined();

    const next = await startsAndServes();
    expect(next.output()).toMatch(/stopped the Postgres an earlier run left running on .* \(pid \d+\)/);
    expect(next.output()).toMatch(/stopped the Temporal dev server an earlier run left running on .* \(pid \d+\)/);
    next.child.kill('SIGINT');
    await exitsByItself(next);
    await nothingLeft();
  }, 600_000);
});
