import net from 'node:net';
import type { Config } from '../../src/config.js';
import { portHolder } from '../../src/infra/process-table.js';
import type { StackRoles } from './types.js';

/** A port this stack will listen on, and the setting that moves it. */
export interface WantedPort {
  port: number;
  host: string;
  what: string;
  setting: string;
}

/** A port the stack needs is taken: said before anything starts, naming the port and, where /proc tells, its holder. */
export class PortTakenError extends Error {
  override name = 'PortTakenError';
}

/**
 * The ports the embedded pieces and this process's servers will take. A configured Temporal or Postgres is only
 * connected to, so its port is not ours to check; port 0 means "any free one".
 */
export function wantedPorts(config: Config, roles: StackRoles, emulator: boolean): WantedPort[] {
  const wanted: WantedPort[] = [];
  const add = (port: number | undefined, host: string, what: string, setting: string) => {
    if (port) wanted.push({ port, host, what, setting });
  };
  if (!config.temporal.address) {
    add(config.temporal.devPort, '127.0.0.1', 'the Temporal dev server', 'TEMPORAL_DEV_PORT');
    add(config.temporal.devUiPort, '127.0.0.1', "the Temporal dev server's UI", 'TEMPORAL_DEV_UI_PORT');
  }
  if (!config.database.url)
    add(config.database.embeddedPort, '127.0.0.1', 'embedded Postgres', 'EMBEDDED_POSTGRES_PORT');
  if (roles.web) add(config.port, config.host, 'the web process', 'PORT');
  if (emulator) add(config.emulator.port, '127.0.0.1', 'the Graph emulator', 'EMULATOR_PORT');
  add(config.temporal.sdkMetricsPort, '127.0.0.1', "the Temporal SDK's metrics", 'TEMPORAL_SDK_METRICS_PORT');
  return wanted;
}

/** Whether we could listen there now: the error code when not (EADDRINUSE, EACCES, …). */
function tryListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

function describeTaken(w: WantedPort, code: string): string {
  if (code !== 'EADDRINUSE')
    return `port ${w.port} on ${w.host} (${w.what}, ${w.setting}) cannot be listened on: ${code}`;
  const holder = portHolder(w.port);
  const by =
    holder?.pid !== undefined
      ? ` by pid ${holder.pid} (${(holder.command || '?').slice(0, 100)})`
      : ' by another process (not visible from here)';
  return `port ${w.port} (${w.what}, ${w.setting}) is already in use${by}`;
}

/**
 * Fails at once, in one line, when a port the stack needs is taken: a stranger on 7233 would otherwise be taken for
 * our Temporal dev server and get our calls (issue 25, point 6).
 */
export async function assertPortsFree(wanted: WantedPort[]): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, WantedPort>();
  for (const w of wanted) {
    const twice = seen.get(w.port);
    if (twice) {
      problems.push(`port ${w.port} is set for both ${twice.what} (${twice.setting}) and ${w.what} (${w.setting})`);
      continue;
    }
    seen.set(w.port, w);
    const code = await tryListen(w.port, w.host);
    if (code) problems.push(describeTaken(w, code));
  }
  if (problems.length > 0)
    throw new PortTakenError(`${problems.join('; ')}: stop it or choose another port (see .env.example)`);
}
