import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configSchema, ConfigError, loadConfig } from '../../src/config.js';

const run = promisify(execFile);

describe('configuration', () => {
  it('starts on embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3978);
    expect(c.temporal.address).toBeUndefined();
    expect(c.database.url).toBeUndefined();
    expect(c.graph.baseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://127.0.0.1:3978');
  });

  it('takes production settings: a real cluster with TLS, a real Postgres and real Graph', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'switchboard.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'switchboard.a1b2c',
      TEMPORAL_API_KEY: 'key',
      DATABASE_URL: 'postgres://sb:pw@db.internal:5432/switchboard',
      GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0/',
      PUBLIC_URL: 'https://switchboard.contoso.com/',
    });
    expect(c.temporal).toMatchObject({
      address: 'switchboard.a1b2c.tmprl.cloud:7233',
      namespace: 'switchboard.a1b2c',
      tls: true,
    });
    expect(c.database.url).toBe('postgres://sb:pw@db.internal:5432/switchboard');
    expect(c.graph.baseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(c.publicUrl).toBe('https://switchboard.contoso.com');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_TLS', 'maybe'],
    ['GRAPH_BASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain(`${name}=`);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('stops the CLI at start-up with exit code 2 and one clear line', async () => {
    const err = await run('npx', ['tsx', 'cli/main.ts', 'up'], { env: { ...process.env, PORT: 'eighty' } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    const stderr = (err as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Invalid configuration: PORT="eighty"/);
  });

  it('reads secrets from a mounted file, and never echoes a secret back in an error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-secret-'));
    await writeFile(path.join(dir, 'graph'), 's3cr3t-from-file\n');
    expect(loadConfig({ AZURE_CLIENT_SECRET_FILE: path.join(dir, 'graph') }).graph.clientSecret).toBe(
      's3cr3t-from-file',
    );
    expect(() => loadConfig({ AZURE_CLIENT_SECRET_FILE: path.join(dir, 'missing') })).toThrow(
      /AZURE_CLIENT_SECRET_FILE=.*ENOENT/,
    );
    expect(() => loadConfig({ AZURE_CLIENT_SECRET: 'a', AZURE_CLIENT_SECRET_FILE: path.join(dir, 'graph') })).toThrow(
      /not both/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(
      /^Invalid configuration: DATABASE_URL=\(secret\): expected a postgres:\/\/ URL$/,
    );
    await rm(dir, { recursive: true });
  });

  it('.env.example lists every variable, with values the validator accepts', async () => {
    const text = await readFile('.env.example', 'utf8');
    const vars = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(Object.keys(vars).sort()).toEqual(Object.keys(configSchema.shape).sort());
    expect(() => loadConfig(vars)).not.toThrow();
  });
});
