/**
 * The real Temporal server and its schema tool, built from Temporal's Go module (go.temporal.io/server) with the
 * machine's Go into a git-ignored folder, and reused while they are there: Docker cannot run here, and the server is a
 * plain Go program. The first build of a fresh clone downloads the module's dependencies and compiles them (about
 * 3 minutes on 2 cores); later runs find the binaries and start at once.
 *
 * Several processes may ask at the same time (vitest's global set-up starts the build early, the cluster test waits
 * for it): one builds, under a lock file holding its pid; the others wait for the binaries to appear.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The server version the cluster runs: the newest that the machine's Go (1.26) builds without another toolchain. */
export const TEMPORAL_SERVER_VERSION = 'v1.30.4';

export const CLUSTER_CACHE = path.resolve('.cache/temporal-cluster');
const BIN = path.join(CLUSTER_CACHE, 'bin', TEMPORAL_SERVER_VERSION);
const LOCK = path.join(CLUSTER_CACHE, 'build.lock');
const LOG = path.join(CLUSTER_CACHE, 'build.log');
/** How long the last build took, for the report (and the CI budget in docs/operations.md). */
const TIMING = path.join(CLUSTER_CACHE, 'build-seconds.json');

export interface TemporalBinaries {
  /** go.temporal.io/server/cmd/server, as `temporal-server`. */
  server: string;
  /** go.temporal.io/server/cmd/tools/sql, as `temporal-sql-tool`. */
  sqlTool: string;
  /** Seconds this call spent building (0 when reused). */
  builtSeconds: number;
}

const binaries = () => ({ server: path.join(BIN, 'server'), sqlTool: path.join(BIN, 'sql') });
const present = () => Object.values(binaries()).every((p) => existsSync(p));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid holding the build lock, if that process is still running. */
function builder(): number | undefined {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8'));
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `go install` of both commands into the cache. `background`: at the lowest CPU priority, one compile at a time, so
 * that it can run beside the rest of the suite without stealing its timings.
 */
async function build(background: boolean): Promise<number> {
  const started = Date.now();
  await mkdir(BIN, { recursive: true });
  const log = await open(LOG, 'w');
  const go = ['install', ...(background ? ['-p', '1'] : [])].concat(
    ['cmd/server', 'cmd/tools/sql'].map((c) => `go.temporal.io/server/${c}@${TEMPORAL_SERVER_VERSION}`),
  );
  const [command, args] = background ? ['nice', ['-n', '19', 'go', ...go]] : ['go', go];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, GOBIN: BIN, GOFLAGS: '-buildvcs=false', ...(background ? { GOMAXPROCS: '1' } : {}) },
      stdio: ['ignore', log.fd, log.fd],
    });
    // The lock names the go command itself: a run that ends before the build does (vitest exits) leaves it going,
    // and the next run waits for it rather than building beside it.
    if (child.pid) void writeFile(LOCK, String(child.pid));
    if (background) child.unref();
    child.once('error', (err) =>
      reject(new Error(`cannot run Go (${err.message}): the cluster needs Go ≥ 1.26 on the PATH (go version)`)),
    );
    child.once('exit', resolve);
  }).finally(() => log.close());
  if (code !== 0 || !present())
    throw new Error(
      `go install of the Temporal server ${TEMPORAL_SERVER_VERSION} failed (exit ${code}); see ${LOG}:\n${readFileSync(LOG, 'utf8').slice(-3000)}`,
    );
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  await writeFile(TIMING, JSON.stringify({ version: TEMPORAL_SERVER_VERSION, seconds, background, at: new Date() }));
  return seconds;
}

/**
 * The binaries, built first if they are missing (or waited for, if another process is building them).
 * `timeoutMs` bounds the wait for another process's build.
 */
export async function temporalBinaries(
  opts: { background?: boolean; timeoutMs?: number } = {},
): Promise<TemporalBinaries> {
  if (present()) return { ...binaries(), builtSeconds: 0 };
  await mkdir(CLUSTER_CACHE, { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  const waited = Date.now();
  for (;;) {
    // Take the lock: 'wx' fails if it exists. A lock whose process is gone (killed mid-build) is taken over.
    const handle = await open(LOCK, 'wx').catch(() => undefined);
    if (handle) {
      try {
        await handle.writeFile(String(process.pid));
        await handle.close();
        if (present()) return { ...binaries(), builtSeconds: 0 };
        return { ...binaries(), builtSeconds: await build(opts.background ?? false) };
      } finally {
        await rm(LOCK, { force: true });
      }
    }
    if (builder() === undefined && !present()) await rm(LOCK, { force: true });
    if (present()) return { ...binaries(), builtSeconds: Math.round((Date.now() - waited) / 1000) };
    if (Date.now() > deadline)
      throw new Error(
        `the Temporal server build by process ${builder() ?? '?'} is not done after ${opts.timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 1000).unref());
  }
}

/** The last build's duration, if one was made here. */
export function lastBuildSeconds(): number | undefined {
  try {
    return (JSON.parse(readFileSync(TIMING, 'utf8')) as { seconds: number }).seconds;
  } catch {
    return undefined;
  }
}
