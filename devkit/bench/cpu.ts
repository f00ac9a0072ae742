/**
 * CPU time by process (Linux /proc): this process (the emulator and the driver) and those it started (Switchboard,
 * the Temporal dev server, Postgres), so the bench charges each its own share.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime in seconds of this process and every process under it, by pid, with the command name. */
export function cpuTimes(): Map<number, { comm: string; seconds: number }> {
  const tick = 100; // USER_HZ on Linux
  const procs = new Map<number, { comm: string; ppid: number; seconds: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map(); // not Linux
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] = state (field 3)
      procs.set(Number(pid), { comm, ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12])) / tick });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Map<number, { comm: string; seconds: number }>();
  const isMine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, p] of procs) if (isMine(pid)) mine.set(pid, { comm: p.comm, seconds: p.seconds });
  return mine;
}

/** A Switchboard worker or web process of the production shape (devkit/cluster/ spawns them from this entry). */
function isSwitchboardRole(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('switchboard-process.ts');
  } catch {
    return false;
  }
}

export function cpuPerCall(
  before: ReturnType<typeof cpuTimes>,
  after: ReturnType<typeof cpuTimes>,
  calls: number,
  switchboardPid: number | undefined,
): Record<string, number> {
  const by: Record<string, number> = {};
  for (const [pid, p] of after) {
    const name =
      pid === process.pid
        ? 'emulator'
        : pid === switchboardPid || isSwitchboardRole(pid)
          ? 'switchboard'
          : /^postgres/.test(p.comm)
            ? 'postgres'
            : /^temporal/.test(p.comm) || p.comm === 'server' // the dev server, or the server built from Go
              ? 'temporal'
              : 'other';
    by[name] = (by[name] ?? 0) + p.seconds - (before.get(pid)?.seconds ?? 0);
  }
  const perCall = Object.fromEntries(
    Object.entries(by).map(([k, v]) => [k, Math.round((v / Math.max(1, calls)) * 1000) / 1000]),
  );
  perCall.total = Math.round((Object.values(by).reduce((a, b) => a + b, 0) / Math.max(1, calls)) * 1000) / 1000;
  return perCall;
}
