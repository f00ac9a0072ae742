import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { commandLine, isRunning, processEntry, processesWith, stopProcess } from '../../src/infra/process-table.js';
import type { StackStep } from './types.js';

/** The data folder's embedded servers belong to one stack at a time: this file names it (PID and start time). */
export const LOCK_FILE = 'switchboard.pid';

export class DataFolderInUseError extends Error {
  override name = 'DataFolderInUseError';
}

function readLock(file: string): { pid: number; startTime: string } | undefined {
  try {
    const [pid, startTime] = readFileSync(file, 'utf8').trim().split(/\s+/);
    return Number(pid) > 0 ? { pid: Number(pid), startTime: startTime ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/** Postgres of this data folder still running from an earlier run: stopped (fast shutdown), its lock file cleared. */
async function stopLeftoverPostgres(databaseDir: string, say: (s: StackStep) => void): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isRunning(pid) && commandLine(pid).includes(`-D ${databaseDir} `)) {
    const stopped = await stopProcess(pid, 'SIGINT', 10_000);
    say({
      component: 'postgres',
      detail: stopped
        ? `stopped the Postgres an earlier run left running on ${databaseDir} (pid ${pid}); starting it afresh`
        : `the Postgres an earlier run left running on ${databaseDir} (pid ${pid}) did not stop`,
    });
    if (!stopped) return;
  } else if (pid > 0 && isRunning(pid)) {
    say({
      component: 'postgres',
      detail: `removed a stale postmaster.pid: its pid ${pid} is now another program, not Postgres`,
    });
  }
  // A postmaster killed hard leaves its pid file; while its PID is still a zombie, Postgres would take it for alive.
  if (existsSync(pidFile) && !isRunning(pid)) await rm(pidFile, { force: true });
}

/** A Temporal dev server on this data folder's temporal.db still running from an earlier run: stopped. */
async function stopLeftoverDevServer(dbFile: string, say: (s: StackStep) => void): Promise<void> {
  for (const pid of processesWith(['start-dev', `--db-filename ${dbFile}`])) {
    const stopped = await stopProcess(pid, 'SIGTERM', 10_000);
    say({
      component: 'temporal',
      detail: stopped
        ? `stopped the Temporal dev server an earlier run left running on ${dbFile} (pid ${pid}); starting it afresh`
        : `the Temporal dev server an earlier run left running on ${dbFile} (pid ${pid}) did not stop`,
    });
  }
}

/**
 * Claims the data folder for this stack's embedded Postgres and Temporal dev server (issue 25, point 6): refused
 * while another live Switchboard holds it; otherwise whatever an earlier run that crashed (or was killed) left
 * running there is stopped first, with a line saying so. Returns the release, for the stack's stop.
 */
export async function claimDataFolder(
  config: Config,
  embedded: { postgres: boolean; temporal: boolean },
  say: (s: StackStep) => void,
): Promise<() => Promise<void>> {
  if (!embedded.postgres && !embedded.temporal) return async () => {};
  const dataDir = path.resolve(config.dataDir);
  const lockFile = path.join(dataDir, LOCK_FILE);
  const holder = readLock(lockFile);
  if (holder && holder.pid !== process.pid && processEntry(holder.pid)?.startTime === holder.startTime) {
    if (isRunning(holder.pid))
      throw new DataFolderInUseError(
        `the data folder ${dataDir} is in use by a running Switchboard (pid ${holder.pid}: ` +
          `${commandLine(holder.pid).slice(0, 100)}): stop it, or set DATA_DIR to another folder`,
      );
  }
  // A stack of this very process holds the folder (tests start several): what runs there is its, not left over.
  const ownStackRuns = holder?.pid === process.pid;
  if (embedded.postgres && !ownStackRuns) await stopLeftoverPostgres(path.join(dataDir, 'postgres'), say);
  if (embedded.temporal && !ownStackRuns) await stopLeftoverDevServer(path.join(dataDir, 'temporal.db'), say);
  await mkdir(dataDir, { recursive: true });
  const mine = `${process.pid} ${processEntry(process.pid)?.startTime ?? ''}\n`;
  await writeFile(lockFile, mine);
  return async () => {
    const now = readLock(lockFile);
    if (now?.pid === process.pid) await rm(lockFile, { force: true });
  };
}
