import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../src/config.js';
import { temporalCheck } from '../../src/doctor/checks.js';
import { freePort, startTemporalDevServer, type DevServer } from '../../src/infra/temporal-dev-server.js';
import { connectClient, securityOptions } from '../../src/temporal/connection.js';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 26, point 6: Temporal's standard client configuration through @temporalio/envconfig, as documented in
 * docs.temporal.io/references/client-environment-configuration (variables, TOML paths) and
 * docs.temporal.io/develop/environment-configuration (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml;
 * the environment overrides the file). Switchboard's older TLS names stay as aliases.
 */

let dir: string;
let temporal: DevServer;
const CERT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-envconfig-'));
  await Promise.all([
    writeFile(path.join(dir, 'client.pem'), CERT),
    writeFile(path.join(dir, 'client.key'), KEY),
    writeFile(path.join(dir, 'ca.pem'), CA),
  ]);
  temporal = await startTemporalDevServer({
    dataDir: dir,
    port: await freePort(),
    namespace: 'default',
    dbFilename: ':memory:',
  });
  await writeFile(
    path.join(dir, 'temporal.toml'),
    [
      '[profile.default]',
      'address = "default.example.net:7233"',
      '',
      '[profile.local]',
      `address = "${temporal.address}"`,
      'namespace = "default"',
      '',
      '[profile.cloud]',
      'address = "switchboard.a1b2c.tmprl.cloud:7233"',
      'namespace = "switchboard.a1b2c"',
      'api_key = "from-the-file"',
      '[profile.cloud.tls]',
      `client_cert_path = "${path.join(dir, 'client.pem')}"`,
      `client_key_path = "${path.join(dir, 'client.key')}"`,
      'server_name = "switchboard.a1b2c.tmprl.cloud"',
      '[profile.cloud.grpc_meta]',
      'x-tenant = "contoso"',
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await temporal?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The TLS settings a connection gets, the certificates as text (envconfig hands them over as bytes). */
function tlsOf(t: Config['temporal']) {
  const tls = securityOptions(t).tls;
  if (typeof tls !== 'object' || tls === null) return tls;
  const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString() : undefined);
  return {
    serverName: tls.serverNameOverride,
    ca: text(tls.serverRootCACertificate),
    crt: text(tls.clientCertPair?.crt),
    key: text(tls.clientCertPair?.key),
  };
}

describe('Temporal client configuration: the standard variables', () => {
  it('reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY; an API key turns TLS on', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'switchboard.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'switchboard.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
    });
    expect(c.temporal).toMatchObject({
      address: 'switchboard.a1b2c.tmprl.cloud:7233',
      namespace: 'switchboard.a1b2c',
      apiKey: 'secret-key',
      tls: true,
    });
    expect(securityOptions(c.temporal)).toEqual({ tls: true, apiKey: 'secret-key' });
  });

  it('reads the client certificate, key, server CA and server name from TEMPORAL_TLS_* paths', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(c.temporal.tls).toBe(true);
    expect(tlsOf(c.temporal)).toEqual({ serverName: 'temporal.internal', ca: CA, crt: CERT, key: KEY });
  });

  it('takes inline PEM data (TEMPORAL_TLS_CLIENT_CERT_DATA, _KEY_DATA) as well as paths', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_DATA: CERT,
      TEMPORAL_TLS_CLIENT_KEY_DATA: KEY,
    });
    expect(tlsOf(c.temporal)).toMatchObject({ crt: CERT, key: KEY });
  });

  it('keeps the older names TEMPORAL_TLS_CERT_PATH, _KEY_PATH and _CA_PATH as aliases', () => {
    const c = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_CA_PATH: path.join(dir, 'ca.pem'),
    });
    expect(c.temporal).toMatchObject({
      tls: true,
      tlsCertPath: path.join(dir, 'client.pem'),
      tlsKeyPath: path.join(dir, 'client.key'),
      tlsCaPath: path.join(dir, 'ca.pem'),
    });
    expect(tlsOf(c.temporal)).toEqual({ serverName: undefined, ca: CA, crt: CERT, key: KEY });
  });

  it('TEMPORAL_TLS=false turns TLS off even with an API key; TEMPORAL_TLS=yes (the older spelling) turns it on', () => {
    const off = loadConfig({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' });
    expect(off.temporal.tls).toBe(false);
    expect(securityOptions(off.temporal).tls).toBe(false);
    const on = loadConfig({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_TLS: 'yes' });
    expect(on.temporal.tls).toBe(true);
  });

  it('with nothing set, and no config file at home, starts the embedded dev server in namespace default', () => {
    const c = loadConfig({ HOME: dir });
    expect(c.temporal.address).toBeUndefined();
    expect(c.temporal.namespace).toBe('default');
    expect(c.temporal.tls).toBe(false);
  });
});

describe('Temporal client configuration: a profile in the TOML file', () => {
  it('uses the profile TEMPORAL_PROFILE names in TEMPORAL_CONFIG_FILE: address, namespace, API key, TLS, gRPC metadata', () => {
    const c = loadConfig({ TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'), TEMPORAL_PROFILE: 'cloud' });
    expect(c.temporal).toMatchObject({
      address: 'switchboard.a1b2c.tmprl.cloud:7233',
      namespace: 'switchboard.a1b2c',
      apiKey: 'from-the-file',
      tls: true,
    });
    expect(securityOptions(c.temporal)).toMatchObject({ apiKey: 'from-the-file', metadata: { 'x-tenant': 'contoso' } });
    expect(tlsOf(c.temporal)).toEqual({
      serverName: 'switchboard.a1b2c.tmprl.cloud',
      ca: undefined,
      crt: CERT,
      key: KEY,
    });
  });

  it('lets the environment override the file, setting by setting', () => {
    const c = loadConfig({
      TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'),
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_NAMESPACE: 'switchboard-staging.a1b2c',
      TEMPORAL_API_KEY: 'from-the-environment',
    });
    expect(c.temporal).toMatchObject({
      address: 'switchboard.a1b2c.tmprl.cloud:7233',
      namespace: 'switchboard-staging.a1b2c',
      apiKey: 'from-the-environment',
    });
  });

  it('reads the default profile of ~/.config/temporalio/temporal.toml (XDG_CONFIG_HOME first) when nothing names a file', async () => {
    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'temporalio'), { recursive: true });
    await writeFile(
      path.join(xdg, 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "xdg.example.net:7233"\n',
    );
    expect(loadConfig({ XDG_CONFIG_HOME: xdg }).temporal.address).toBe('xdg.example.net:7233');
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.config', 'temporalio'), { recursive: true });
    await writeFile(
      path.join(home, '.config', 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "home.example.net:7233"\nnamespace = "ops"\n',
    );
    expect(loadConfig({ HOME: home }).temporal).toMatchObject({ address: 'home.example.net:7233', namespace: 'ops' });
  });

  it('connects a client and passes doctor through a profile that points at a real Temporal server', async () => {
    const config = loadConfig({
      TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'),
      TEMPORAL_PROFILE: 'local',
      DATA_DIR: dir,
    });
    expect(config.temporal.address).toBe(temporal.address);
    const client = await connectClient(config, config.temporal.address!);
    try {
      const ns = await client.workflowService.describeNamespace({ namespace: config.temporal.namespace });
      expect(ns.namespaceInfo?.name).toBe('default');
    } finally {
      await client.connection.close();
    }
    const doctor = await temporalCheck(config);
    expect(doctor.verdict).toBe('ok');
  }, 60_000);
});

describe('Temporal client configuration: bad input gets one clear line', () => {
  const file = () => path.join(dir, 'temporal.toml');
  it.each([
    [
      'a profile the file does not have',
      () => ({ TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'prod' }),
      /TEMPORAL_PROFILE="prod": no such profile in .*temporal\.toml/,
    ],
    [
      'a TEMPORAL_CONFIG_FILE that does not exist',
      () => ({ TEMPORAL_CONFIG_FILE: path.join(dir, 'nope.toml') }),
      /TEMPORAL_CONFIG_FILE=".*nope\.toml": no such file/,
    ],
    [
      'a client certificate without its key',
      () => ({ TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem') }),
      /TEMPORAL_TLS_CLIENT_KEY_PATH \(or TEMPORAL_TLS_KEY_PATH\) is required/,
    ],
    [
      'an older name and its standard name that disagree',
      () => ({ TEMPORAL_TLS_CERT_PATH: '/a.pem', TEMPORAL_TLS_CLIENT_CERT_PATH: '/b.pem' }),
      /set TEMPORAL_TLS_CLIENT_CERT_PATH or its older name TEMPORAL_TLS_CERT_PATH, not both/,
    ],
  ])('refuses %s', (_what, env, message) => {
    expect(() => loadConfig(env())).toThrow(ConfigError);
    expect(() => loadConfig(env())).toThrow(message);
  });

  it('refuses a config file that is not TOML, naming the file', async () => {
    const bad = path.join(dir, 'bad.toml');
    await writeFile(bad, '[profile.default\naddress = \n');
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: bad })).toThrow(
      /Temporal config file in .*bad\.toml could not be read/,
    );
  });

  it('stops the CLI at start-up with exit code 2 and the line', async () => {
    const r = await runCli(['up'], { TEMPORAL_CONFIG_FILE: file(), TEMPORAL_PROFILE: 'prod' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^Invalid configuration: TEMPORAL_PROFILE="prod": no such profile/m);
  }, 60_000);
});
