import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig, ConfigError } from '../../src/config.js';
import { failClosed, LOOPBACK } from '../../app/stack/fail-closed.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { emulatorStandIn } from '../../devkit/emulator/stand-in.js';
import { SigningKeys } from '../helpers/signing-keys.js';

// Production fails closed (issue 22, point 5): one test per rule.
const logger = pino({ level: 'silent' });
const both = { worker: true, web: true };
const webOnly = { worker: false, web: true };
const GRAPH = {
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
  PUBLIC_URL: 'https://switchboard.example',
};
const LISTS = { WEBHOOK_ALLOWED_CIDRS: '52.112.0.0/14', ADMIN_ALLOWED_CIDRS: '10.0.0.0/8' };

describe('the Graph emulator starts only in the embedded demo', () => {
  it('runs in `switchboard up` (it offers the emulator) without GRAPH_BASE_URL, admitting only this machine', () => {
    const { config, emulator } = failClosed(loadConfig({}), { roles: both, emulatorOffered: true, logger });
    expect(emulator).toBe(true);
    expect(config.security.webhookAllowedCidrs).toEqual(LOOPBACK);
    expect(config.security.adminAllowedCidrs).toEqual(LOOPBACK);
  });

  it('never in a web or worker process of its own: GRAPH_BASE_URL is required, and the error says what to set', () => {
    for (const roles of [webOnly, { worker: true, web: false }]) {
      expect(() => failClosed(loadConfig({}), { roles, emulatorOffered: false, logger })).toThrow(
        /GRAPH_BASE_URL is required for a (web|worker) process of its own: set GRAPH_BASE_URL=https:\/\/graph\.microsoft\.com\/v1\.0 with AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and PUBLIC_URL/,
      );
    }
    // With Graph configured, the demo's offer is not taken up: no emulator.
    const withGraph = loadConfig({ ...GRAPH, ...LISTS });
    expect(failClosed(withGraph, { roles: both, emulatorOffered: true, logger }).emulator).toBe(false);
  });

  it('refuses with NODE_ENV=production, in the stack and in the emulator itself', async () => {
    expect(() =>
      failClosed(loadConfig({}), { roles: both, emulatorOffered: true, logger, env: { NODE_ENV: 'production' } }),
    ).toThrow(ConfigError);
    expect(() =>
      failClosed(loadConfig({}), { roles: both, emulatorOffered: true, logger, env: { NODE_ENV: 'production' } }),
    ).toThrow(/NODE_ENV=production and GRAPH_BASE_URL is unset.*set GRAPH_BASE_URL=/);
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(emulatorStandIn(loadConfig({ EMULATOR_PORT: '0' }), logger)).rejects.toThrow(
        /the Graph emulator does not start with NODE_ENV=production/,
      );
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('`switchboard web` without GRAPH_BASE_URL exits with the error naming the setting, starting nothing', async () => {
    const run = promisify(execFile)('node', ['--import', 'tsx', 'cli/main.ts', 'web'], {
      env: { ...process.env, GRAPH_BASE_URL: '', LOG_LEVEL: 'silent', DATA_DIR: '/nonexistent/switchboard-test' },
      timeout: 60_000,
    });
    const failed = await run.then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/GRAPH_BASE_URL is required for a web process of its own/);
  }, 90_000);
});

describe('outside the demo, the web process needs allow-lists', () => {
  it('refuses to start without WEBHOOK_ALLOWED_CIDRS or ADMIN_ALLOWED_CIDRS, naming the one missing', () => {
    expect(() =>
      failClosed(loadConfig({ ...GRAPH, ADMIN_ALLOWED_CIDRS: '10.0.0.0/8' }), {
        roles: webOnly,
        emulatorOffered: false,
        logger,
      }),
    ).toThrow(/WEBHOOK_ALLOWED_CIDRS is required for the web process/);
    expect(() =>
      failClosed(loadConfig({ ...GRAPH, WEBHOOK_ALLOWED_CIDRS: '52.112.0.0/14' }), {
        roles: webOnly,
        emulatorOffered: false,
        logger,
      }),
    ).toThrow(/ADMIN_ALLOWED_CIDRS is required for the web process/);
    // A worker has no web endpoints: it needs none.
    expect(() =>
      failClosed(loadConfig(GRAPH), { roles: { worker: true, web: false }, emulatorOffered: false, logger }),
    ).not.toThrow();
  });

  it('takes `*` as an explicit choice, and logs it', () => {
    const lines: string[] = [];
    const recording = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const { config } = failClosed(loadConfig({ ...GRAPH, WEBHOOK_ALLOWED_CIDRS: '*', ADMIN_ALLOWED_CIDRS: '*' }), {
      roles: webOnly,
      emulatorOffered: false,
      logger: recording,
    });
    expect(config.security.webhookAllowedCidrs).toEqual(['*']);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'WEBHOOK_ALLOWED_CIDRS=*: every address is admitted',
      'ADMIN_ALLOWED_CIDRS=*: every address is admitted',
    ]);
  });

  it('refuses several web processes (WEB_REPLICAS > 1) without RECORDINGS_SIGNING_KEY', () => {
    expect(() =>
      failClosed(loadConfig({ ...GRAPH, ...LISTS, WEB_REPLICAS: '2' }), {
        roles: webOnly,
        emulatorOffered: false,
        logger,
      }),
    ).toThrow(/RECORDINGS_SIGNING_KEY \(or RECORDINGS_SIGNING_KEY_FILE\) is required with WEB_REPLICAS=2/);
    const key = 'k'.repeat(32);
    expect(() =>
      failClosed(loadConfig({ ...GRAPH, ...LISTS, WEB_REPLICAS: '2', RECORDINGS_SIGNING_KEY: key }), {
        roles: webOnly,
        emulatorOffered: false,
        logger,
      }),
    ).not.toThrow();
    expect(() => loadConfig({ WEB_REPLICAS: '0' })).toThrow(
      'Invalid configuration: WEB_REPLICAS="0": expected at least 1',
    );
  });
});

describe('notification keys while their endpoint is down', () => {
  it('verifies with the keys fetched last, and answers 503 (retry), not 401, for what they cannot verify', async () => {
    const keys = await new SigningKeys().start();
    await keys.addKey('k1');
    const verifier = new NotificationVerifier({
      openIdConfigUrl: keys.openIdConfigUrl,
      audience: 'bot-app-id',
      allowedTenants: ['tenant-a'],
      logger,
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 1,
    });
    expect(await verifier.verify(`Bearer ${await keys.sign({ kid: 'k1' })}`)).toEqual({
      ok: true,
      tenantId: 'tenant-a',
    });
    // A key rotated in while the endpoint was up but never fetched, then the endpoint goes away.
    await keys.addKey('k2');
    const signedByK1 = await keys.sign({ kid: 'k1' });
    const signedByK2 = await keys.sign({ kid: 'k2' });
    const expired = await keys.sign({ kid: 'k1', exp: Math.floor(Date.now() / 1000) - 3600 });
    await keys.stop();
    await new Promise((r) => setTimeout(r, 5));

    expect(await verifier.verify(`Bearer ${signedByK1}`)).toEqual({ ok: true, tenantId: 'tenant-a' });
    expect(await verifier.verify(`Bearer ${signedByK2}`)).toEqual({
      ok: false,
      status: 503,
      reason: 'signing keys unavailable; retry later',
    });
    // What the last keys prove invalid is still refused.
    expect(await verifier.verify(`Bearer ${expired}`)).toMatchObject({ ok: false, status: 401 });

    // Never fetched at all: nothing can be verified, so retry.
    const cold = new NotificationVerifier({
      openIdConfigUrl: keys.openIdConfigUrl,
      audience: 'bot-app-id',
      allowedTenants: ['tenant-a'],
      logger,
    });
    expect(await cold.verify(`Bearer ${signedByK1}`)).toMatchObject({ ok: false, status: 503 });
  });
});
