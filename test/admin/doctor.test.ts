import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Emulator } from '../../devkit/emulator/index.js';
import { loadConfig } from '../../src/config.js';
import { doctor } from '../../cli/doctor.js';
import { createApp } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { doctorApp, doctorFlows, emulatedTenantsForFile, graphClientAsDoctor } from '../helpers/doctor-tenant.js';
import { startServices, type Services } from '../helpers/services.js';

// Issue 21, point 5: `switchboard doctor` against a tenant (the Graph emulator, whose tokens carry the roles it is
// configured with and which refuses with Graph's 403 what a role does not allow), a real Temporal dev server, real
// Postgres, and this deployment's webhook served on PUBLIC_URL.
const { tenantId, clientId } = doctorApp;
const ALL_BUT_MEDIA = [
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Presence.Read.All',
  'TeamsActivity.Send',
  'User.Read.All',
];
const FLOWS = doctorFlows({ queues: 2, agents: 3, voicemailBoxes: 1, boxesWithTeamsUsers: 1 });

let services: Services;
let webhook: string;
const startTenant = emulatedTenantsForFile();

beforeAll(async () => {
  services = await startServices('doctor', { migrate: false });
  const logger = pino({ level: 'silent' });
  webhook = await services.serve(
    createApp({
      client: services.client,
      orm: services.orm,
      logger,
      taskQueue: 'doctor',
      publicUrl: 'http://unused.test',
      notificationVerifier: new NotificationVerifier({
        openIdConfigUrl: services.keys.openIdConfigUrl,
        audience: clientId,
        allowedTenants: [tenantId],
        logger,
      }),
    }),
  );
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

async function tenant(appRoles?: string[]): Promise<Emulator> {
  return startTenant({ botCallingUrl: `${webhook}/api/calling`, users: ['ra-main', 'ra-support'], appRoles });
}

function envFor(emulator: Emulator): Record<string, string> {
  return {
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    AZURE_AUTHORITY_METADATA_URL: emulator.authorityMetadataUrl,
    GRAPH_NOTIFICATION_OPENID_URL: emulator.callingOpenIdUrl,
    PUBLIC_URL: webhook,
    TEMPORAL_ADDRESS: services.temporal.address,
    DATABASE_URL: services.db.url,
    DATA_DIR: services.dataDir,
  };
}

async function runDoctor(emulator: Emulator): Promise<{ code: number; lines: string[] }> {
  let text = '';
  const code = await doctor(loadConfig(envFor(emulator)), { stdout: (t) => void (text += t) }, FLOWS);
  return { code, lines: text.split('\n').filter(Boolean) };
}

const lineFor = (lines: string[], check: string) => lines.find((l) => l.slice(6).startsWith(`${check}:`));

describe('switchboard doctor', () => {
  it('names the permission a tenant lacks, the features it breaks and where to grant it, and exits 1', async () => {
    const emulator = await tenant(ALL_BUT_MEDIA);
    const { code, lines } = await runDoctor(emulator);
    expect(code).toBe(1);
    for (const feature of ['menus, digit input and offer confirmation (key presses)', 'voicemail recording']) {
      const l = lineFor(lines, `permission for ${feature}`);
      expect(l).toMatch(/^FAIL {2}/);
      expect(l).toContain('the token has none of Calls.AccessMedia.All');
      expect(l).toContain(
        `Azure portal → Microsoft Entra ID → App registrations → the app ${clientId} → API permissions → Add a permission → Microsoft Graph → Application permissions → Calls.AccessMedia.All, then "Grant admin consent"`,
      );
    }
    expect(lineFor(lines, 'permission for putting callers through to agents and numbers (transfer)')).toMatch(
      /^ok {4}.*Calls\.Initiate\.All \(POST \/communications\/calls\/\{id\}\/transfer; call-transfer\.md\)$/,
    );
    expect(lineFor(lines, 'permission for incoming calls: who is calling')).toMatch(/^ok {4}.*Calls\.Initiate\.All/);
    expect(lineFor(lines, 'app token')).toMatch(/^ok {4}.*roles: Calls\.Initiate\.All, /);
    expect(lineFor(lines, 'resource account ra-main (flow main line)')).toBe(
      'ok    resource account ra-main (flow main line): "Emulated ra-main"',
    );
    expect(lineFor(lines, 'resource account ra-gone (flow sales line)')).toMatch(
      /^FAIL {2}.*no such account in tenant .*New-CsOnlineApplicationInstance/,
    );
    expect(lineFor(lines, 'PUBLIC_URL')).toMatch(/^FAIL {2}PUBLIC_URL: http:\/\/127\.0\.0\.1:\d+ is not https/);
    expect(lineFor(lines, 'webhook')).toMatch(/^ok {4}.*answers as Switchboard's calling webhook$/);
    expect(lineFor(lines, 'notification signing keys')).toMatch(/^ok {4}notification signing keys: 1 key\(s\) from /);
    expect(lineFor(lines, 'Temporal')).toMatch(/^ok {4}Temporal: 127\.0\.0\.1:\d+, namespace default$/);
    expect(lineFor(lines, 'Postgres')).toBe('ok    Postgres: answers');
    expect(lines.at(-1)).toBe('4 check(s) failed: fix them before the first call.');

    // What the missing permission means on the wire: Graph's 403 for the calling API (code 7504, as real tenants
    // answer: microsoft-graph-comms-samples#276), for subscribeToTone (call-subscribetotone.md: Calls.AccessMedia.All).
    const graph = await graphClientAsDoctor(emulator);
    const res = await fetch(`${emulator.graphBaseUrl}/communications/calls/any-call/subscribeToTone`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await graph.getAccessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientContext: 'doctor-test' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: '7504',
      message: 'Insufficient enterprise tenant permissions, cannot access this API.',
      innerError: { 'request-id': expect.any(String) as string },
    });
  });

  it('passes every permission of a fully consented tenant, and still fails an unknown resource account', async () => {
    const emulator = await tenant();
    const { code, lines } = await runDoctor(emulator);
    const failed = lines.filter((l) => l.startsWith('FAIL'));
    // The account the tenant lacks, and PUBLIC_URL: the test serves the webhook over plain http on loopback.
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatch(/^FAIL {2}resource account ra-gone/);
    expect(failed[1]).toMatch(/^FAIL {2}PUBLIC_URL/);
    expect(lines.filter((l) => l.startsWith('ok    permission for'))).toHaveLength(7);
    expect(code).toBe(1);
  });

  it('is a command: `switchboard doctor` prints its lines and exits 1 on a failure', async () => {
    const emulator = await tenant(ALL_BUT_MEDIA);
    const main = path.resolve(import.meta.dirname, '../../cli/main.ts');
    const run = promisify(execFile)('node', ['--import', 'tsx', main, 'doctor'], {
      env: { ...process.env, ...envFor(emulator), LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    const failure = (await run.then(
      () => undefined,
      (err: unknown) => err,
    )) as { code?: number; stdout?: string } | undefined;
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toMatch(
      /^FAIL {2}permission for voicemail recording: the token has none of Calls\.AccessMedia\.All/m,
    );
    expect(failure?.stdout).toMatch(/^ok {4}Postgres: answers$/m);
  });
});
