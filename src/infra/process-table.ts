import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What /proc says about processes and listening sockets, with no tool beyond the kernel's own files: which process
 * holds a port, whether a PID in a pid file is still the process that wrote it. Linux only; elsewhere every answer is
 * "unknown" (undefined or empty), and callers say less.
 */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** R, S, D, Z (dead, not yet reaped), T, … */
  state: string;
  /** Clock ticks since boot when it started: with the PID, names one process even after the PID is reused. */
  startTime: string;
}

export const hasProcfs = (): boolean => existsSync('/proc/self/stat');

export function processEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … starttime(22nd field)": comm may hold spaces and parentheses, so it ends at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), state: fields[0]!, startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Running (a zombie is dead: it only waits to be reaped, and holds no port or file). */
export function isRunning(pid: number): boolean {
  const entry = processEntry(pid);
  return entry !== undefined && entry.state !== 'Z';
}

/** The command line, arguments joined by spaces; '' when unreadable or gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

export function allPids(): number[] {
  if (!hasProcfs()) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Socket inodes listening on a TCP port (any address, IPv4 or IPv6), from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // "sl local_address rem_address st … uid timeout inode": st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && f[1]!.endsWith(`:${hexPort}`)) inodes.add(f[9]!);
    }
  }
  return inodes;
}

export interface PortHolder {
  /** Undefined when the socket is seen but not its process (another user's, without the rights to look). */
  pid?: number;
  command?: string;
}

/**
 * Who listens on a TCP port: the process whose file descriptors include the listening socket. Undefined when nothing
 * is seen listening (or /proc is not there).
 */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) return { pid, command: commandLine(pid) };
    }
  }
  return {};
}

/** PIDs of running processes whose command line contains every one of `parts`. */
export function processesWith(parts: string[]): number[] {
  return allPids().filter((pid) => {
    if (pid === process.pid || !isRunning(pid)) return false;
    const cmd = commandLine(pid);
    return cmd !== '' && parts.every((p) => cmd.includes(p));
  });
}

/** Signal a process, ignoring one that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/**
 * Stop a process: `signal`, then SIGKILL when it is still running after `graceMs`. Resolves once it is gone (or,
 * after a SIGKILL that did not take within 10 s, with false).
 */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  signalProcess(pid, signal);
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (isRunning(pid)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  };
  if (await waitGone(graceMs)) return true;
  signalProcess(pid, 'SIGKILL');
  return waitGone(10_000);
}
