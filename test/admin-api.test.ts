import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../src/server/app.js';
import { NotificationVerifier } from '../src/server/notification-auth.js';
import { AdminAuth } from '../src/admin/identity.js';
import { startTemporalDevServer, freePort, type DevServer } from '../src/infra/temporal-dev-server.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/infra/embedded-postgres.js';
import { migrate, openDatabase, type MikroORM } from '../src/db/orm.js';
import { createRecordActivities } from '../activities/records.js';
import { SigningKeys } from './helpers/signing-keys.js';
import { admin } from '../src/cli/admin.js';

// The admin API as an attacker and each role would use it: real Postgres, real Temporal, Entra-shaped tokens
// signed by keys served over HTTP.
const ISSUER = 'https://login.microsoftonline.com/tenant-a/v2.0';
const keys = new SigningKeys(ISSUER);
let temporal: DevServer;
let db: EmbeddedDatabase;
let orm: MikroORM;
let client: Client;
let dataDir: string;
const servers: Server[] = [];
let base: string;

const ADMIN = { oid: 'a0000000-0000-4000-8000-00000000000a', name: 'Ada Admin', roles: ['Switchboard.Admin'] };
const SUPERVISOR = { oid: 'b0000000-0000-4000-8000-00000000000b', name: 'Sam Supervisor', roles: ['Switchboard.Supervisor'] };
const AGENT = { oid: 'c0000000-0000-4000-8000-00000000000c', name: 'Alex Agent', roles: ['Switchboard.Agent'] };

async function serve(extra: Partial<AppDeps> = {}, auth: Partial<ConstructorParameters<typeof AdminAuth>[0]> = {}): Promise<string> {
  const logger = pino({ level: 'silent' });
  const app = createApp({
    client,
    orm,
    logger,
    taskQueue: 'tq',
    publicUrl: 'https://switchboard.test',
    notificationVerifier: new NotificationVerifier({ openIdConfigUrl: keys.openIdConfigUrl, audience: 'x', allowedTenants: ['tenant-a'], logger }),
    adminAuth: new AdminAuth({
      openIdConfigUrl: keys.openIdConfigUrl,
      audiences: ['api://switchboard'],
      allowedTenants: ['tenant-a'],
      logger,
      jwksCooldownMs: 0,
      ...auth,
    }),
    ...extra,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-admin-'));
  [temporal, db] = await Promise.all([
    startTemporalDevServer({ dataDir, port: await freePort(), namespace: 'default', dbFilename: ':memory:' }),
    startEmbeddedPostgres({ dataDir, port: await freePort() }),
    keys.start(),
  ]);
  await keys.addKey('k1');
  orm = await openDatabase(db.url);
  await migrate(orm);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const { recordCall } = createRecordActivities(orm);
  for (const [i, from] of ['+14255550100', '+14255550111', '+44207946000', '100%_match'].entries()) {
    await recordCall({
      record: { callId: `call-${i}`, workflowId: `call-call-${i}`, fromKind: 'phone', fromId: from, queue: 'support', outcome: 'connected', arrivedAt: `2026-11-28T09:0${i}:00.000Z` },
      events: [{ seq: 1, type: 'incoming', at: `2026-11-28T09:0${i}:00.000Z` }],
    });
  }
  await orm.em.getConnection().execute(`insert into agent_live (agent_id, state, since, updated_at) values (?, 'available', now(), now()), (?, 'onCall', now(), now())`, [AGENT.oid, 'other-agent']);
  base = await serve();
});

afterAll(async () => {
  for (const s of servers) s.close();
  await client?.connection.close();
  await orm?.close();
  await db?.stop();
  await temporal?.stop();
  await keys.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const token = (who: { oid: string; name: string; roles: string[] }, claims: Record<string, unknown> = {}, opts: { exp?: number; nbf?: number } = {}) =>
  keys.sign({ kid: 'k1', claims: { aud: 'api://switchboard', tid: 'tenant-a', oid: who.oid, name: who.name, roles: who.roles, ...claims }, ...opts });

async function call(method: string, pathname: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {}) {
  const res = await fetch(`${opts.base ?? base}${pathname}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Record<string, any>, headers: res.headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const wrapUpCount = async () => Number((await orm.em.getConnection().execute('select count(*)::int as n from wrap_up_code'))[0]!.n);
const auditCount = async () => Number((await orm.em.getConnection().execute('select count(*)::int as n from audit_entry'))[0]!.n);

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document generated from the validation schemas', async () => {
    const { status, json } = await call('GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    const listCalls = json.paths['/api/admin/calls'].get;
    expect(listCalls.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'caller', 'outcome']));
    expect(listCalls.parameters.find((p: { name: string }) => p.name === 'outcome').schema.enum).toEqual(['connected', 'abandoned', 'disconnected', 'failed']);
    expect(json.paths['/api/admin/wrap-up-codes/{code}'].put.requestBody.content['application/json'].schema.required).toEqual(['label']);
  });
});

describe('authentication', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no token', async () => undefined, 401],
    ['an expired token', () => token(ADMIN, {}, { exp: now() - 600, nbf: now() - 4000 }), 401],
    ['a token for another API', () => token(ADMIN, { aud: 'api://someone-else' }), 401],
    ['a token from another tenant', () => token(ADMIN, { tid: 'tenant-b' }), 403],
    ['a token from another issuer', () => token(ADMIN, { iss: 'https://login.microsoftonline.com/tenant-b/v2.0' }), 401],
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
  ] as [string, () => Promise<string | undefined>, number][])('refuses %s and changes nothing', async (_what, make, status) => {
    const before = await wrapUpCount();
    const t = await make();
    const res = await call('PUT', '/api/admin/wrap-up-codes/hacked', { ...(t ? { token: t } : {}), body: { label: 'pwned' } });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(status === 401 ? 'Unauthorized' : 'Forbidden');
    expect(await wrapUpCount()).toBe(before);
  });

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
    const changed = await call('PUT', '/api/admin/wrap-up-codes/resolved', { token: t, body: { label: 'Resolved on first call' } });
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
      const res = await call('PUT', '/api/admin/wrap-up-codes/escalated', { token: await token(who), body: { label: 'Escalated' } });
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

describe('calls', () => {
  it('searches calls newest first, a page at a time', async () => {
    const t = await token(SUPERVISOR);
    const first = await call('GET', '/api/admin/calls?limit=3', { token: t });
    expect(first.status).toBe(200);
    expect(first.json.items.map((c: { id: string }) => c.id)).toEqual(['call-3', 'call-2', 'call-1']);
    const second = await call('GET', `/api/admin/calls?limit=3&cursor=${first.json.nextCursor}`, { token: t });
    expect(second.json.items.map((c: { id: string }) => c.id)).toEqual(['call-0']);
    expect(second.json.nextCursor).toBeNull();
    const byCaller = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('+1425555011')}`, { token: t });
    expect(byCaller.json.items.map((c: { id: string }) => c.id)).toEqual(['call-1']);
    // LIKE wildcards in the search are data: "100%" finds only the caller literally named so.
    const literal = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('100%_')}`, { token: t });
    expect(literal.json.items.map((c: { id: string }) => c.id)).toEqual(['call-3']);
    const wildcard = await call('GET', `/api/admin/calls?caller=${encodeURIComponent('%')}`, { token: t });
    expect(wildcard.json.items).toEqual([]);
  });

  it('shows a call with its timeline', async () => {
    const res = await call('GET', '/api/admin/calls/call-1', { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'call-1', fromId: '+14255550111', timeline: [{ seq: 1, type: 'incoming' }] });
  });

  it.each(["' OR '1'='1", "x'; drop table call; --", '1) or (1=1', '\\', '"; select pg_sleep(1); --'])(
    'treats %s as data in every string field and parameter',
    async (evil) => {
      const t = await token(ADMIN);
      const q = encodeURIComponent(evil);
      const search = await call('GET', `/api/admin/calls?caller=${q}&queue=${q}`, { token: t });
      expect(search.status).toBe(200);
      expect(search.json.items).toEqual([]);
      expect((await call('GET', `/api/admin/calls?outcome=${q}`, { token: t })).status).toBe(400);
      expect((await call('GET', `/api/admin/calls/${q}`, { token: t })).status).toBe(400);
      expect((await call('GET', `/api/admin/audit?action=${q}`, { token: t })).status).toBe(200);
      const put = await call('PUT', '/api/admin/wrap-up-codes/sqli', { token: t, body: { label: evil } });
      expect(put.status).toBe(200);
      expect(put.json.label).toBe(evil.trim());
      const rows = await orm.em.getConnection().execute('select count(*)::int as n from call');
      expect(rows[0]!.n).toBe(4);
    },
  );

  it('refuses path traversal in ids', async () => {
    const t = await token(ADMIN);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', 'a%00b']) {
      expect((await call('GET', `/api/admin/calls/${id}`, { token: t })).status).toBe(400);
    }
    // URL normalisation turns %2E%2E into `..` before routing: it lands on no route at all.
    const dots = await call('GET', '/api/admin/calls/%2E%2E/%2E%2E/package.json', { token: t });
    expect(dots.status).toBe(404);
    expect(JSON.stringify(dots.json)).not.toContain('switchboard');
  });
});

describe('input limits and transport', () => {
  it('explains invalid input with the field path', async () => {
    const t = await token(ADMIN);
    const bad = await call('PUT', '/api/admin/wrap-up-codes/x', { token: t, body: { label: '', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.label', 'body']));
    const limit = await call('GET', '/api/admin/calls?limit=0', { token: t });
    expect(limit.json.error.details[0].path).toBe('query.limit');
    expect((await call('GET', '/api/admin/calls?cursor=garbage', { token: t })).status).toBe(400);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await call('PUT', '/api/admin/wrap-up-codes/big', { token: await token(ADMIN), body: { label: 'x'.repeat(200_000) } });
    expect(res.status).toBe(413);
  });

  it('offers no way to change or delete audit entries, and the database refuses it too', async () => {
    const t = await token(ADMIN);
    expect((await call('DELETE', '/api/admin/audit', { token: t })).status).toBe(404);
    expect((await call('PUT', '/api/admin/audit/1', { token: t, body: {} })).status).toBe(404);
    await expect(orm.em.getConnection().execute(`update audit_entry set actor_name = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(orm.em.getConnection().execute('delete from audit_entry')).rejects.toThrow(/append-only/);
  });

  it('sets security headers', async () => {
    const res = await call('GET', '/api/admin/me', { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses addresses outside the allow-list, and believes X-Forwarded-For only from a trusted proxy', async () => {
    const t = await token(ADMIN);
    const closed = await serve({ adminAllowedCidrs: ['10.0.0.0/8'] });
    expect((await call('GET', '/api/admin/me', { base: closed, token: t })).status).toBe(403);
    // A client claiming to be inside, with no trusted proxy in between: still refused.
    expect((await call('GET', '/api/admin/me', { base: closed, token: t, headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(403);
    const behindProxy = await serve({ adminAllowedCidrs: ['10.0.0.0/8'], trustedProxies: ['127.0.0.1/32', '::1/128'] });
    const viaProxy = await call('GET', '/api/admin/me', { base: behindProxy, token: t, headers: { 'x-forwarded-for': '10.1.2.3' } });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.json.ip).toBe('10.1.2.3');
    const webhookClosed = await serve({ webhookAllowedCidrs: ['10.0.0.0/8'] });
    expect((await call('POST', '/api/calling', { base: webhookClosed, body: { value: [] } })).status).toBe(403);
  });
});

describe('switchboard admin (CLI over the same API)', () => {
  async function cli(args: string[], tokenValue?: string) {
    let stdout = '';
    let stderr = '';
    const code = await admin(args, { SWITCHBOARD_API_URL: base, ...(tokenValue ? { SWITCHBOARD_ADMIN_TOKEN: tokenValue } : {}) }, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    });
    return { code, stdout, stderr };
  }

  it('sets a wrap-up code as an admin, audited like any API change', async () => {
    const before = await auditCount();
    const r = await cli(['wrap-up-code', 'set', 'callback', 'Callback', 'arranged'], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'callback', label: 'Callback arranged', active: true });
    expect(await auditCount()).toBe(before + 1);
  });

  it('exits 1 with the API’s reason when the API refuses', async () => {
    const r = await cli(['wrap-up-code', 'set', 'x', 'y'], await token(SUPERVISOR));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('403: requires one of: Switchboard.Admin\n');
    const bad = await cli(['calls', '--limit', '0'], await token(SUPERVISOR));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^400: query.limit/);
  });

  it('exits 2 with usage on a wrong command or no token', async () => {
    expect((await cli(['calls'])).code).toBe(2);
    const wrong = await cli(['frobnicate'], await token(ADMIN));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/unknown or incomplete admin command 'frobnicate'/);
  });

  it('lists calls filtered by caller', async () => {
    const r = await cli(['calls', '--caller', '+44'], await token(SUPERVISOR));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.map((c: { id: string }) => c.id)).toEqual(['call-2']);
  });
});
