/**
 * docker-compose.yml as `docker compose config` resolves it (merge keys, interpolation, defaults, profiles), with the
 * compose plugin bin/bootstrap.sh installs in .venv/docker and the variables the file requires set to test values.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** The variables docker-compose.yml refuses to start without, at values no real deployment has. */
const REQUIRED_ENV = {
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  PUBLIC_URL: 'https://switchboard.example',
  WEBHOOK_ALLOWED_CIDRS: '52.112.0.0/14',
  ADMIN_ALLOWED_CIDRS: '10.0.0.0/8',
};

/** The resolved file as JSON; `args` go before `config` (e.g. `--profile tracing`), `env` over the defaults. */
export async function composeConfig<T>(args: string[] = [], env: Record<string, string> = {}): Promise<T> {
  const { stdout } = await promisify(execFile)(
    'docker',
    ['compose', '-f', 'docker-compose.yml', ...args, 'config', '--format', 'json'],
    {
      timeout: 60_000,
      env: { ...process.env, DOCKER_CONFIG: path.resolve('.venv/docker'), ...REQUIRED_ENV, ...env },
    },
  );
  return JSON.parse(stdout) as T;
}
