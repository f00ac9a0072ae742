/**
 * Who may use the admin API: its OpenAPI document, sign-in (every kind of bad token refused, repeated failures slowed
 * down), what each role may do, and the Graph emulator's admin tokens.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../devkit/emulator/server.js';
import { AdminAuth } from '../../src/admin/identity.js';
import { admin } from '../../cli/admin.js';
import { ADMIN, AGENT, ISSUER, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';
import { SigningKeys } from '../helpers/signing-keys.js';

const api = adminApiForFile();
const { call, token, serve, wrapUpCount, auditCount } = api;

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document generated from the validation schemas', async () => {
    const { status, json } = await call('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    const listCalls = json.paths['/api/admin/calls'].get;
    expect(listCalls.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'caller', 'outcome']),
    );
    expect(listCalls.parameters.find((p: { name: string }) => p.name === 'outcome').schema.enum).toEqual([
      'connected',
      'abandoned',
      'disconnected',
      'failed',
    ]);
    expect(
      json.paths['/api/admin/wrap-up-codes/{code}'].put.requestBody.content['application/json'].schema.required,
    ).toEqual(['label']);
    const putException = json.paths['/api/admin/schedules/{schedule}/exceptions/{date}'].put;
    expect(putException.requestBody.content['application/json'].schema.required).toEqual(['kind', 'name']);
    expect(putException.parameters.map((p: { name: string }) => p.name)).toEqual(['schedule', 'date']);
    expect(Object.keys(json.paths['/api/admin/queues/{queue}/members/{agentId}'])).toEqual(['put', 'delete']);
    expect(
      json.paths['/api/admin/voicemail-boxes/{box}/messages'].get.parameters.map((p: { name: string }) => p.name),
    ).toEqual(['box', 'limit', 'cursor']);
  });
});

describe('authentication', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no token', async () => undefined, 401],
    ['an expired token', () => token(ADMIN, {}, { exp: now() - 600, nbf: now() - 4000 }), 401],
    ['a token for another API', () => token(ADMIN, { aud: 'api://someone-else' }), 401],
    ['a token from another tenant', () => token(ADMIN, { tid: 'tenant-b' }), 403],
    [
      'a token from another issuer',
      () => token(ADMIN, { iss: 'https://login.microsoftonline.com/tenant-b/v2.0' }),
      401,
    ],
    ['a token without a Switchboard role', () => token({ ...ADMIN, roles: ['Something.Else'] }), 403],
    [
      'an unsigned token (alg none)',
      async () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none' })}.${enc({ iss: ISSUER, aud: 'api://switchboard', tid: 'tenant-a', oid: ADMIN.oid, roles: ADMIN.roles, exp: now() + 600 })}.`;
      },
      401,
    ],
    [
      'a forged token',
      async () => {
        const forger = new SigningKeys(ISSUER);
        await forger.addKey('k1');
        return forger.sign({ kid: 'k1', claims: { aud: 'api://switchboard', oid: ADMIN.oid, roles: ADMIN.roles } });
      },
      401,
    ],
  ] as [string, () => Promise<string | undefined>, number][])(
    'refuses %s and changes nothing',
    async (_what, make, status) => {
      const before = await wrapUpCount();
      const t = await make();
      const res = await call('PUT', '/api/admin/wrap-up-codes/hacked', {
        ...(t ? { token: t } : {}),
        body: { label: 'pwned' },
      });
      expect(res.status).toBe(status);
      expect(res.json.error.code).toBe(status === 401 ? 'Unauthorized' : 'Forbidden');
      expect(await wrapUpCount()).toBe(before);
    },
  );

  it('slows down an address after repeated failed sign-ins, even for a good token', async () => {
    const limited = await serve({}, { maxFailuresPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/admin/me', { base: limited })).status).toBe(401);
    const res = await call('GET', '/api/admin/me', { base: limited, token: await token(ADMIN) });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
  });
});

describe('roles', () => {
  it('lets an admin create and change a wrap-up code, each change audited with before and after', async () => {
    const t = await token(ADMIN);
    const created = await call('PUT', '/api/admin/wrap-up-codes/resolved', { token: t, body: { label: 'Resolved' } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ code: 'resolved', label: 'Resolved', active: true });
    const changed = await call('PUT', '/api/admin/wrap-up-codes/resolved', {
      token: t,
      body: { label: 'Resolved on first call' },
    });
    expect(changed.json.label).toBe('Resolved on first call');

    const audit = await call('GET', '/api/admin/audit?limit=2', { token: await token(SUPERVISOR) });
    expect(audit.status).toBe(200);
    const [update, create] = audit.json.items;
    expect(update).toMatchObject({
      action: 'wrapUpCode.update',
      target: 'wrap-up-code:resolved',
      actorId: ADMIN.oid,
      actorName: 'Ada Admin',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      before: { label: 'Resolved' },
      after: { label: 'Resolved on first call' },
    });
    expect(create).toMatchObject({ action: 'wrapUpCode.create', before: null, after: { label: 'Resolved' } });
  });

  it('refuses a supervisor or an agent who tries to write, and changes nothing', async () => {
    for (const who of [SUPERVISOR, AGENT]) {
      const before = [await wrapUpCount(), await auditCount()];
      const res = await call('PUT', '/api/admin/wrap-up-codes/escalated', {
        token: await token(who),
        body: { label: 'Escalated' },
      });
      expect(res.status).toBe(403);
      expect([await wrapUpCount(), await auditCount()]).toEqual(before);
    }
  });

  it('lets an agent see their own state but not another agent’s', async () => {
    const t = await token(AGENT);
    const own = await call('GET', `/api/admin/agents/${AGENT.oid}/state`, { token: t });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ agentId: AGENT.oid, state: 'available' });
    expect((await call('GET', '/api/admin/agents/other-agent/state', { token: t })).status).toBe(403);
    expect((await call('GET', '/api/admin/calls', { token: t })).status).toBe(403);
    const asSupervisor = await call('GET', '/api/admin/agents/other-agent/state', { token: await token(SUPERVISOR) });
    expect(asSupervisor.json.state).toBe('onCall');
  });
});

describe('admin tokens from the Graph emulator', () => {
  it('issues Entra-shaped user tokens with app roles that the admin API accepts through the OpenID configuration', async () => {
    const emulator = await startEmulator({
      tenantId: 'tenant-e',
      clientId: 'client-e',
      clientSecret: 's',
      botCallingUrl: 'http://127.0.0.1:9/api/calling',
    });
    try {
      const logger = pino({ level: 'silent' });
      const emulatorBase = await serve({
        adminAuth: new AdminAuth({
          openIdConfigUrl: `${emulator.url}/tenant-e/v2.0/.well-known/openid-configuration`,
          audiences: ['api://client-e'],
          allowedTenants: ['tenant-e'],
          logger,
        }),
      });
      const issue = async (args: string[]) => {
        let stdout = '';
        const code = await admin(
          ['token', ...args],
          { EMULATOR_URL: emulator.url },
          { stdout: (s) => void (stdout += s), stderr: () => {} },
        );
        return { code, token: stdout.trim() };
      };
      const asAdmin = await issue([
        '--role',
        'Admin',
        '--name',
        'Demo Admin',
        '--oid',
        'd0000000-0000-4000-8000-00000000000d',
      ]);
      expect(asAdmin.code).toBe(0);
      const me = await call('GET', '/api/admin/me', { base: emulatorBase, token: asAdmin.token });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({
        objectId: 'd0000000-0000-4000-8000-00000000000d',
        name: 'Demo Admin',
        tenantId: 'tenant-e',
        roles: ['Switchboard.Admin'],
      });

      const asSupervisor = await issue(['--role', 'Supervisor']);
      const write = await call('PUT', '/api/admin/wrap-up-codes/emulated', {
        base: emulatorBase,
        token: asSupervisor.token,
        body: { label: 'x' },
      });
      expect(write.status).toBe(403);
      // The emulator's tokens are not valid for an API trusting another tenant's keys.
      expect((await call('GET', '/api/admin/me', { token: asAdmin.token })).status).toBe(401);
      expect((await issue(['--role', 'Owner'])).code).toBe(1);
    } finally {
      await emulator.stop();
    }
  });
});
