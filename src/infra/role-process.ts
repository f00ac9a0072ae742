import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A Switchboard process (`worker`, `web`, or a helper entry) run as a child, like production runs it: the chaos tests
 * kill and restart these, and the bench measures one apart from the emulator that drives it.
 */
export interface RoleProcess {
  name: string;
  child: ChildProcess;
  /** Everything it wrote (stdout and stderr), for diagnosis and for checks on its log. */
  output(): string;
  exited: Promise<number | null>;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Spawn `node --import tsx <entry> [args]` with `env` on top of ours and wait until its stdout shows `readyLine`.
 * Fails (and kills the child) if it exits first or is not ready in `timeoutMs`.
 */
export async function spawnRole(
  name: string,
  entry: string,
  args: string[],
  env: Record<string, string>,
  readyLine: RegExp,
  timeoutMs = 90_000,
  /** Flags for Node itself (`--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs: string[] = [],
): Promise<RoleProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const proc: RoleProcess = {
    name,
    child,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!readyLine.test(out)) {
    if (gone) throw new Error(`${name} exited before it was ready:\n${out.slice(-4000)}`);
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`${name} not ready after ${timeoutMs} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc;
}
