import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** R, S, D, Z (zombie: dead, not yet reaped), T (stopped), … */
  state: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so it ends at the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), state: state!, command: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined; // gone
  }
}

/** `root` and every process below it (children, their children, …), from /proc. Linux only. */
export function processTree(root: number): ProcessInfo[] {
  if (!existsSync('/proc/self/stat')) throw new Error('processTree needs /proc (Linux)');
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProcess(Number(d)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const tree: ProcessInfo[] = [];
  const rootInfo = all.find((p) => p.pid === root);
  if (rootInfo) tree.push(rootInfo);
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]!.pid));
  return tree;
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/**
 * SIGKILL of `root` and everything it started, at the same instant, as a power cut, an OOM kill of the container or
 * `kill -9` of every process would: the tree is frozen first (SIGSTOP), so no process reacts to another's death (a
 * worker noticing its Postgres gone), then killed. This reaches what a process-group kill does not: the Temporal dev
 * server runs in a process group of its own. Resolves once every one of them is gone, with what was killed and how long
 * the dead took to be reaped.
 *
 * Gone, not only dead: a killed process whose parent died with it is a zombie until PID 1 reaps it, and while it is,
 * its PID still answers kill(pid, 0). Postgres started again on the same folder takes the PID in its stale
 * postmaster.pid for a live postmaster and refuses to start. A machine's init reaps at once (this VM's within seconds);
 * one that never does (a container without an init) makes this fail, saying so.
 */
export async function killProcessTree(
  root: number,
  timeoutMs = 60_000,
): Promise<{ killed: ProcessInfo[]; reapedMs: number }> {
  const killed = new Map<number, ProcessInfo>();
  // A process may start a child between the listing and the freeze: list again until nothing new turns up.
  for (let round = 0; round < 5; round++) {
    const found = processTree(root).filter((p) => !killed.has(p.pid));
    if (found.length === 0) break;
    for (const p of found) {
      killed.set(p.pid, p);
      signal(p.pid, 'SIGSTOP');
    }
  }
  for (const pid of killed.keys()) signal(pid, 'SIGKILL');
  const started = Date.now();
  for (;;) {
    // The same PID and command: a PID taken by a new process since is not ours.
    const left = [...killed.values()]
      .map((p) => readProcess(p.pid))
      .filter((p) => p !== undefined && p.command === killed.get(p.pid)!.command);
    if (left.length === 0) return { killed: [...killed.values()], reapedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) {
      const line = left.map(
        (p) => `${p!.pid} ${p!.command} (${p!.state === 'Z' ? 'zombie: PID 1 does not reap it' : `state ${p!.state}`})`,
      );
      throw new Error(`processes still there ${timeoutMs} ms after SIGKILL: ${line.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
