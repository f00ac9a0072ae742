import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { AdminAuth } from '../../src/admin/identity.js';
import type { MikroORM } from '../../src/db/orm.js';
import { createRecordActivities } from '../../activities/records.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { startServices, type Services } from '../helpers/services.js';
import { admin } from '../../src/cli/admin.js';
import { ApplicationFailure } from '@temporalio/common';
import { agentWorkflowId } from '../../src/contracts/agent.js';
import { decodeHistoryPayloads } from '../../src/temporal/history-codec.js';
import { createScheduleActivities } from '../../activities/schedules.js';
import { schedules } from '../../flows/schedules.js';
import { agents as configuredAgents, queues as configuredQueues } from '../../flows/index.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { startEmulator } from '../../devkit/emulator/server.js';

// The admin API as an attacker and each role would use it: real Postgres, real Temporal, Entra-shaped tokens
// signed by keys served over HTTP.
const ISSUER = 'https://login.microsoftonline.com/tenant-a/v2.0';
const keys = new SigningKeys(ISSUER);
let services: Services;
let orm: MikroORM;
let client: Client;
let dataDir: string;
let base: string;

const ADMIN = { oid: 'a0000000-0000-4000-8000-00000000000a', name: 'Ada Admin', roles: ['Switchboard.Admin'] };
const SUPERVISOR = {
  oid: 'b0000000-0000-4000-8000-00000000000b',
  name: 'Sam Supervisor',
  roles: ['Switchboard.Supervisor'],
};
const AGENT = { oid: 'c0000000-0000-4000-8000-00000000000c', name: 'Alex Agent', roles: ['Switchboard.Agent'] };

async function serve(
  extra: Partial<AppDeps> = {},
  auth: Partial<ConstructorParameters<typeof AdminAuth>[0]> = {},
): Promise<string> {
  const logger = pino({ level: 'silent' });
  const app = createApp({
    client,
    orm,
    logger,
    taskQueue: 'tq',
    publicUrl: 'https://switchboard.test',
    notificationVerifier: new NotificationVerifier({
      openIdConfigUrl: keys.openIdConfigUrl,
      audience: 'x',
      allowedTenants: ['tenant-a'],
      logger,
    }),
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
  return services.serve(app);
}

beforeAll(async () => {
  services = await startServices('admin', { keys, migrate: true });
  ({ orm, client, dataDir } = services);
  const { recordCall } = createRecordActivities(orm);
  for (const [i, from] of ['+14255550100', '+14255550111', '+44207946000', '100%_match'].entries()) {
    await recordCall({
      record: {
        callId: `call-${i}`,
        workflowId: `call-call-${i}`,
        fromKind: 'phone',
        fromId: from,
        queue: 'support',
        outcome: 'connected',
        arrivedAt: `2026-11-28T09:0${i}:00.000Z`,
      },
      events: [{ seq: 1, type: 'incoming', at: `2026-11-28T09:0${i}:00.000Z` }],
    });
  }
  await orm.em
    .getConnection()
    .execute(
      `insert into agent_live (agent_id, state, since, updated_at) values (?, 'available', now(), now()), (?, 'onCall', now(), now())`,
      [AGENT.oid, 'other-agent'],
    );
  base = await serve();
});

afterAll(async () => {
  await services?.stop();
});

const token = (
  who: { oid: string; name: string; roles: string[] },
  claims: Record<string, unknown> = {},
  opts: { exp?: number; nbf?: number } = {},
) =>
  keys.sign({
    kid: 'k1',
    claims: { aud: 'api://switchboard', tid: 'tenant-a', oid: who.oid, name: who.name, roles: who.roles, ...claims },
    ...opts,
  });

async function call(
  method: string,
  pathname: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {},
) {
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

const wrapUpCount = async () =>
  Number((await orm.em.getConnection().execute('select count(*)::int as n from wrap_up_code'))[0]!.n);
const auditCount = async () =>
  Number((await orm.em.getConnection().execute('select count(*)::int as n from audit_entry'))[0]!.n);

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
    expect(bad.json.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['body.label', 'body']),
    );
    const limit = await call('GET', '/api/admin/calls?limit=0', { token: t });
    expect(limit.json.error.details[0].path).toBe('query.limit');
    expect((await call('GET', '/api/admin/calls?cursor=garbage', { token: t })).status).toBe(400);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await call('PUT', '/api/admin/wrap-up-codes/big', {
      token: await token(ADMIN),
      body: { label: 'x'.repeat(200_000) },
    });
    expect(res.status).toBe(413);
  });

  it('offers no way to change or delete audit entries, and the database refuses it too', async () => {
    const t = await token(ADMIN);
    expect((await call('DELETE', '/api/admin/audit', { token: t })).status).toBe(404);
    expect((await call('PUT', '/api/admin/audit/1', { token: t, body: {} })).status).toBe(404);
    await expect(orm.em.getConnection().execute(`update audit_entry set actor_name = 'someone else'`)).rejects.toThrow(
      /append-only/,
    );
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
    expect(
      (await call('GET', '/api/admin/me', { base: closed, token: t, headers: { 'x-forwarded-for': '10.1.2.3' } }))
        .status,
    ).toBe(403);
    const behindProxy = await serve({ adminAllowedCidrs: ['10.0.0.0/8'], trustedProxies: ['127.0.0.1/32', '::1/128'] });
    const viaProxy = await call('GET', '/api/admin/me', {
      base: behindProxy,
      token: t,
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.json.ip).toBe('10.1.2.3');
    const webhookClosed = await serve({ webhookAllowedCidrs: ['10.0.0.0/8'] });
    expect((await call('POST', '/api/calling', { base: webhookClosed, body: { value: [] } })).status).toBe(403);
  });
});

describe('switchboard admin (CLI over the same API)', () => {
  const cli = cliRun;

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

// --- queues and memberships, schedules and holidays, voicemail boxes -----------------------------------------------

const ADELE_ID = '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d'; // support, sales (flows/index.ts)
const ALEX_ID = '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f'; // support
const MEGAN_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'; // sales
const ALEX_AGENT = { oid: ALEX_ID, name: 'Alex Wilber', roles: ['Switchboard.Agent'] };
const lastAudit = async () =>
  (await orm.em.getConnection().execute('select * from audit_entry order by id desc limit 1'))[0] as Record<
    string,
    unknown
  >;

/** A workflow's history with its payloads decrypted (Temporal keeps them encrypted: src/temporal/payload-codec.ts). */
async function decodedHistory(workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return decodeHistoryPayloads(history, services.codec);
}

/** The membership signals an agent's workflow received, in order. */
async function membershipSignals(agentId: string): Promise<string[]> {
  const history = await decodedHistory(agentWorkflowId(agentId));
  return (history.events ?? []).flatMap((e) => {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (!s || (s.signalName !== 'optIn' && s.signalName !== 'optOut')) return [];
    const arg = JSON.parse(Buffer.from(s.input!.payloads![0]!.data!).toString('utf8')) as { queue: string };
    return [`${s.signalName}:${arg.queue}`];
  });
}

describe('queues and memberships', () => {
  it('lists the queues of flows/ with their members, a page at a time', async () => {
    const all: { name: string; members: unknown[] }[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await call('GET', `/api/admin/queues?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
        token: await token(page ? SUPERVISOR : AGENT),
      });
      expect(res.status).toBe(200);
      expect(res.json.items).toHaveLength(1);
      all.push(...res.json.items);
      if (!res.json.nextCursor) break;
      cursor = res.json.nextCursor;
    }
    expect(all.map((q) => q.name)).toEqual(Object.keys(configuredQueues).sort());
    expect(all.find((q) => q.name === 'support')!.members).toEqual(
      // No agent workflow runs here, so whether each takes calls now is unknown (null).
      configuredQueues.support!.agents.map((agentId) => ({
        agentId,
        name: configuredAgents[agentId]!.name,
        configured: true,
        member: null,
      })),
    );
  });

  it("lets an agent opt out of and back in to their own queue, through the agent's workflow, audited", async () => {
    // Agent workflows as start-up makes them, on a task queue no worker polls: signals are kept in their history.
    for (const agentId of [ADELE_ID, ALEX_ID, MEGAN_ID]) {
      await client.workflow.start('agentWorkflow', {
        workflowId: agentWorkflowId(agentId),
        taskQueue: 'admin-test-no-worker',
        args: [{ agentId }],
      });
    }
    const t = await token(ALEX_AGENT);
    const out = await call('DELETE', `/api/admin/queues/support/members/${ALEX_ID}`, { token: t });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ queue: 'support', agentId: ALEX_ID, member: false, before: null });
    expect(await lastAudit()).toMatchObject({
      action: 'queueMembership.optOut',
      target: `queue:support/agent:${ALEX_ID}`,
      actor_id: ALEX_ID,
      before: { queue: 'support', agentId: ALEX_ID, member: null },
      after: { queue: 'support', agentId: ALEX_ID, member: false },
    });
    expect((await call('PUT', `/api/admin/queues/support/members/${ALEX_ID}`, { token: t })).status).toBe(200);
    expect(await membershipSignals(ALEX_ID)).toEqual(['optOut:support', 'optIn:support']);
  });

  it('lets an admin opt any agent in to any queue', async () => {
    const res = await call('PUT', `/api/admin/queues/support/members/${MEGAN_ID}`, { token: await token(ADMIN) });
    expect(res.status).toBe(200);
    expect(await membershipSignals(MEGAN_ID)).toEqual(['optIn:support']);
    expect(await lastAudit()).toMatchObject({
      action: 'queueMembership.optIn',
      actor_id: ADMIN.oid,
      after: { member: true },
    });
  });

  it('refuses an agent touching another agent, an agent joining an unlisted queue, and a supervisor writing; nothing changes', async () => {
    const cases: [string, string, { oid: string; name: string; roles: string[] }, number][] = [
      ['DELETE', `/api/admin/queues/support/members/${ADELE_ID}`, ALEX_AGENT, 403],
      ['PUT', `/api/admin/queues/support/members/${ADELE_ID}`, ALEX_AGENT, 403],
      ['PUT', `/api/admin/queues/sales/members/${ALEX_ID}`, ALEX_AGENT, 403], // sales does not list Alex
      ['PUT', `/api/admin/queues/support/members/${ALEX_ID}`, SUPERVISOR, 403],
      ['DELETE', `/api/admin/queues/support/members/${ALEX_ID}`, SUPERVISOR, 403],
      ['PUT', `/api/admin/queues/nope/members/${ALEX_ID}`, ADMIN, 404],
      ['PUT', '/api/admin/queues/support/members/no-such-agent', ADMIN, 404],
    ];
    const signals = async () => [await membershipSignals(ADELE_ID), await membershipSignals(ALEX_ID)];
    const before = [await auditCount(), await signals()];
    for (const [method, url, who, status] of cases) {
      const res = await call(method, url, { token: await token(who) });
      expect([url, who.name, res.status]).toEqual([url, who.name, status]);
    }
    expect([await auditCount(), await signals()]).toEqual(before);
  });

  it('brings a paused agent back to available (supervisor or the agent), audited; refuses another agent and bad bodies', async () => {
    const availability = async (agentId: string) => {
      const history = await decodedHistory(agentWorkflowId(agentId));
      return (history.events ?? []).flatMap((e) => {
        const sig = e.workflowExecutionSignaledEventAttributes;
        if (sig?.signalName !== 'setAvailability') return [];
        return [(JSON.parse(Buffer.from(sig.input!.payloads![0]!.data!).toString('utf8')) as { state: string }).state];
      });
    };
    const res = await call('PUT', `/api/admin/agents/${ADELE_ID}/availability`, {
      token: await token(SUPERVISOR),
      body: { state: 'available' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ agentId: ADELE_ID, state: 'available', before: null });
    expect(await lastAudit()).toMatchObject({
      action: 'agent.availability',
      target: `agent:${ADELE_ID}`,
      actor_id: SUPERVISOR.oid,
      after: { state: 'available' },
    });
    expect(
      (
        await call('PUT', `/api/admin/agents/${ALEX_ID}/availability`, {
          token: await token(ALEX_AGENT),
          body: { state: 'away', reason: 'lunch' },
        })
      ).status,
    ).toBe(200);
    const before = [await auditCount(), await availability(ADELE_ID), await availability(ALEX_ID)];
    expect(before.slice(1)).toEqual([['available'], ['away']]);
    const refused: [string, { oid: string; name: string; roles: string[] }, unknown, number][] = [
      [ADELE_ID, ALEX_AGENT, { state: 'available' }, 403],
      [ADELE_ID, ADMIN, { state: 'onCall' }, 400],
      [ADELE_ID, ADMIN, { state: 'away', extra: 1 }, 400],
      ['no-such-agent', ADMIN, { state: 'available' }, 404],
    ];
    for (const [agentId, who, body, status] of refused) {
      const r = await call('PUT', `/api/admin/agents/${agentId}/availability`, { token: await token(who), body });
      expect([agentId, who.name, JSON.stringify(body), r.status]).toEqual([
        agentId,
        who.name,
        JSON.stringify(body),
        status,
      ]);
    }
    expect([await auditCount(), await availability(ADELE_ID), await availability(ALEX_ID)]).toEqual(before);
  });

  it('opts in and out from the CLI through the same API', async () => {
    const r = await cliRun(['queue', 'opt-out', 'sales', ADELE_ID], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ queue: 'sales', agentId: ADELE_ID, member: false });
    expect(await membershipSignals(ADELE_ID)).toEqual(['optOut:sales']);
    const refused = await cliRun(['queue', 'opt-in', 'sales', ADELE_ID], await token(SUPERVISOR));
    expect([refused.code, refused.stderr]).toEqual([1, '403: requires one of: Switchboard.Admin, Switchboard.Agent\n']);
  });
});

describe('schedules and holidays', () => {
  const exceptionCount = async () =>
    Number((await orm.em.getConnection().execute('select count(*)::int as n from schedule_exception'))[0]!.n);

  it('lists the schedules of flows/schedules.ts with their status now, and shows one with its hours', async () => {
    const list = await call('GET', '/api/admin/schedules', { token: await token(AGENT) });
    expect(list.status).toBe(200);
    expect(list.json.items.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['main-office', 'support-24x7']),
    );
    const office = list.json.items.find((s: { name: string }) => s.name === 'main-office');
    expect(office).toMatchObject({
      timeZone: 'America/Los_Angeles',
      status: { schedule: 'main-office', open: expect.any(Boolean) },
    });
    const one = await call('GET', '/api/admin/schedules/main-office', { token: await token(SUPERVISOR) });
    expect(one.json).toMatchObject({ name: 'main-office', weekly: { sat: [['09:00', '13:00']] }, exceptions: [] });
    expect(one.json.holidays).toContainEqual({ date: '12-25', name: 'Christmas Day' });
    expect((await call('GET', '/api/admin/schedules/nowhere', { token: await token(ADMIN) })).status).toBe(404);
  });

  it('adds, replaces and removes a holiday as an admin, audited, and isOpen honours it', async () => {
    const { isOpen } = createScheduleActivities(orm, schedules);
    const tuesdayNoon = '2027-03-02T20:00:00Z'; // Tuesday 12:00 PST: open by the weekly hours
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({ open: true, reason: 'hours' });

    const t = await token(ADMIN);
    const added = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-02', {
      token: t,
      body: { kind: 'holiday', name: 'Office move' },
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      schedule: 'main-office',
      date: '2027-03-02',
      kind: 'holiday',
      hours: null,
      createdBy: `Ada Admin (${ADMIN.oid})`,
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toEqual({
      schedule: 'main-office',
      open: false,
      reason: 'holiday',
      name: 'Office move',
      nextChange: '2027-03-03T16:00:00.000Z',
    });

    const replaced = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-02', {
      token: t,
      body: { kind: 'specialHours', name: 'Move, half day', hours: [['13:00', '17:00']] },
    });
    expect(replaced.status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      action: 'scheduleException.update',
      target: 'schedule:main-office/2027-03-02',
      before: { kind: 'holiday', name: 'Office move' },
      after: { kind: 'specialHours', hours: [['13:00', '17:00']] },
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({
      open: false,
      reason: 'specialHours',
      nextChange: '2027-03-02T21:00:00.000Z',
    });
    const detail = await call('GET', '/api/admin/schedules/main-office', { token: t });
    expect(detail.json.exceptions).toEqual([expect.objectContaining({ date: '2027-03-02', name: 'Move, half day' })]);

    const removed = await call('DELETE', '/api/admin/schedules/main-office/exceptions/2027-03-02', { token: t });
    expect(removed.status).toBe(200);
    expect(await lastAudit()).toMatchObject({
      action: 'scheduleException.delete',
      after: null,
      before: { name: 'Move, half day' },
    });
    expect(await isOpen({ schedule: 'main-office', at: tuesdayNoon })).toMatchObject({ open: true, reason: 'hours' });
    expect((await call('DELETE', '/api/admin/schedules/main-office/exceptions/2027-03-02', { token: t })).status).toBe(
      404,
    );
  });

  it('adds a recurring holiday from the CLI', async () => {
    const r = await cliRun(['holiday', 'add', 'support-24x7', '07-04', 'Independence', 'Day'], await token(ADMIN));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ date: '07-04', name: 'Independence Day', kind: 'holiday' });
    const { isOpen } = createScheduleActivities(orm, schedules);
    expect(await isOpen({ schedule: 'support-24x7', at: '2031-07-04T16:00:00Z' })).toMatchObject({
      open: false,
      reason: 'holiday',
      name: 'Independence Day',
    });
    expect((await cliRun(['schedule-exception', 'remove', 'support-24x7', '07-04'], await token(ADMIN))).code).toBe(0);
  });

  it('fails isOpen for an unknown schedule without retrying', async () => {
    const { isOpen } = createScheduleActivities(orm, schedules);
    const err = await isOpen({ schedule: 'nowhere' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'UnknownSchedule', nonRetryable: true });
  });

  it('refuses supervisors and agents writing, and bad bodies with the field path; nothing changes', async () => {
    const before = [await exceptionCount(), await auditCount()];
    for (const who of [SUPERVISOR, AGENT]) {
      const res = await call('PUT', '/api/admin/schedules/main-office/exceptions/2027-03-03', {
        token: await token(who),
        body: { kind: 'holiday', name: 'x' },
      });
      expect(res.status).toBe(403);
      expect(
        (await call('DELETE', '/api/admin/schedules/main-office/exceptions/12-25', { token: await token(who) })).status,
      ).toBe(403);
    }
    const t = await token(ADMIN);
    const bad = async (date: string, body: unknown) => {
      const res = await call('PUT', `/api/admin/schedules/main-office/exceptions/${date}`, { token: t, body });
      expect(res.status).toBe(400);
      return res.json.error.details.map((d: { path: string }) => d.path);
    };
    expect(await bad('2027-02-30', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('2027-13-01', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('tomorrow', { kind: 'holiday', name: 'x' })).toEqual(['params.date']);
    expect(await bad('2027-03-03', { kind: 'vacation', name: '' })).toEqual(
      expect.arrayContaining(['body.kind', 'body.name']),
    );
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x', hours: [['18:00', '08:00']] })).toEqual([
      'body.hours.0',
    ]);
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x', hours: [['9:00', '12:00']] })).toEqual([
      'body.hours.0.0',
    ]);
    expect(await bad('2027-03-03', { kind: 'specialHours', name: 'x' })).toEqual(['body.hours']);
    expect(await bad('2027-03-03', { kind: 'holiday', name: 'x', hours: [] })).toEqual(['body.hours']);
    expect(await bad('2027-03-03', { kind: 'holiday', name: 'x', extra: 1 })).toEqual(['body']);
    expect([await exceptionCount(), await auditCount()]).toEqual(before);
  });

  it.each(["' OR '1'='1", "x'; drop table schedule_exception; --", '"; select pg_sleep(1); --'])(
    'stores %s as a plain holiday name',
    async (evil) => {
      const t = await token(ADMIN);
      const put = await call('PUT', '/api/admin/schedules/main-office/exceptions/2030-01-02', {
        token: t,
        body: { kind: 'holiday', name: evil },
      });
      expect(put.status).toBe(200);
      expect(put.json.name).toBe(evil.trim());
      const rows = await orm.em
        .getConnection()
        .execute(`select name from schedule_exception where schedule = 'main-office' and date = '2030-01-02'`);
      expect(rows).toEqual([{ name: evil.trim() }]);
      // In path parameters it is not a schedule name at all.
      expect((await call('GET', `/api/admin/schedules/${encodeURIComponent(evil)}`, { token: t })).status).toBe(400);
      expect(
        (await call('DELETE', `/api/admin/schedules/main-office/exceptions/${encodeURIComponent(evil)}`, { token: t }))
          .status,
      ).toBe(400);
      expect(
        (await call('DELETE', '/api/admin/schedules/main-office/exceptions/2030-01-02', { token: t })).status,
      ).toBe(200);
    },
  );
});

describe('voicemail boxes', () => {
  let recordingsBase: string;
  let recordingId: string;

  beforeAll(async () => {
    const store = new FolderRecordingStore(path.join(dataDir, 'admin-recordings'));
    const stored = await store.put(Buffer.from('RIFF-not-really-audio'));
    const knex = orm.em.getKnex();
    const [rec] = await knex('recording')
      .insert({
        call_id: 'vm-1',
        kind: 'voicemail',
        storage_key: stored.key,
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        duration_ms: 4000,
      })
      .returning('id');
    recordingId = String(rec.id);
    await knex('voicemail').insert([
      {
        call_id: 'vm-1',
        box: 'support',
        from_id: '+14255550100',
        recorded_at: new Date('2026-11-28T10:00:00Z'),
        duration_seconds: 4,
        status: 'recorded',
        recording_id: recordingId,
      },
      {
        call_id: 'vm-2',
        box: 'support',
        from_id: "'; drop table voicemail; --",
        recorded_at: new Date('2026-11-28T11:00:00Z'),
        duration_seconds: 0,
        status: 'failed',
      },
      {
        call_id: 'vm-3',
        box: 'sales',
        from_id: '+14255550123',
        recorded_at: new Date('2026-11-28T12:00:00Z'),
        duration_seconds: 2,
        status: 'empty',
        handled_at: new Date(),
      },
    ]);
    recordingsBase = await serve({
      recordings: {
        store,
        signingKey: Buffer.from('0123456789abcdef0123456789abcdef'),
        linkTtlSeconds: 60,
        publicUrl: 'https://switchboard.test',
      },
    });
  });

  it('lists the boxes of flows/voicemail-boxes.ts with message counts', async () => {
    const res = await call('GET', '/api/admin/voicemail-boxes', { token: await token(SUPERVISOR) });
    expect(res.status).toBe(200);
    expect(res.json.items).toEqual([
      {
        name: 'after-hours',
        displayName: 'After-hours messages',
        maxSeconds: 120,
        notify: { teamsUserIds: [ADELE_ID], webhook: false },
        messages: 0,
        unhandled: 0,
      },
      expect.objectContaining({ name: 'sales', messages: 1, unhandled: 0 }),
      expect.objectContaining({ name: 'support', messages: 2, unhandled: 2 }),
    ]);
    expect((await call('GET', '/api/admin/voicemail-boxes', { token: await token(AGENT) })).status).toBe(403);
  });

  it("pages a box's messages newest first, each recording with a signed link that downloads once audited", async () => {
    const t = await token(SUPERVISOR);
    const accessBefore = Number(
      (await orm.em.getConnection().execute('select count(*)::int as n from recording_access'))[0]!.n,
    );
    const first = await call('GET', '/api/admin/voicemail-boxes/support/messages?limit=1', {
      token: t,
      base: recordingsBase,
    });
    expect(first.status).toBe(200);
    expect(first.json.items).toEqual([
      expect.objectContaining({
        callId: 'vm-2',
        fromId: "'; drop table voicemail; --",
        status: 'failed',
        recording: null,
      }),
    ]);
    const second = await call(
      'GET',
      `/api/admin/voicemail-boxes/support/messages?limit=1&cursor=${first.json.nextCursor}`,
      { token: t, base: recordingsBase },
    );
    expect(second.json.nextCursor).toBeNull();
    const [message] = second.json.items;
    expect(message).toMatchObject({
      callId: 'vm-1',
      durationSeconds: 4,
      recording: {
        id: recordingId,
        url: expect.stringMatching(`^https://switchboard.test/api/recordings/${recordingId}\\?exp=`),
      },
    });
    const link = new URL(message.recording.url);
    const download = await fetch(`${recordingsBase}${link.pathname}${link.search}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('RIFF-not-really-audio');
    const access = await orm.em
      .getConnection()
      .execute('select action, actor_id from recording_access order by id desc limit 2');
    expect(access).toEqual([
      { action: 'download', actor_id: SUPERVISOR.oid },
      { action: 'link', actor_id: SUPERVISOR.oid },
    ]);
    expect(
      Number((await orm.em.getConnection().execute('select count(*)::int as n from recording_access'))[0]!.n),
    ).toBe(accessBefore + 2);
  });

  it('refuses unknown boxes, bad cursors and agents', async () => {
    const t = await token(ADMIN);
    expect((await call('GET', '/api/admin/voicemail-boxes/nobody/messages', { token: t })).status).toBe(404);
    expect(
      (await call('GET', `/api/admin/voicemail-boxes/${encodeURIComponent("' or 1=1 --")}/messages`, { token: t }))
        .status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/admin/voicemail-boxes/support/messages?cursor=WyJ4IiwieSJd', { token: t })).status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/admin/voicemail-boxes/support/messages', { token: await token(AGENT) })).status,
    ).toBe(403);
  });

  it('lists messages from the CLI', async () => {
    const r = await cliRun(['voicemails', 'sales'], await token(SUPERVISOR));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.map((m: { callId: string }) => m.callId)).toEqual(['vm-3']);
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

async function cliRun(args: string[], tokenValue?: string) {
  let stdout = '';
  let stderr = '';
  const code = await admin(
    args,
    { SWITCHBOARD_API_URL: base, ...(tokenValue ? { SWITCHBOARD_ADMIN_TOKEN: tokenValue } : {}) },
    {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    },
  );
  return { code, stdout, stderr };
}
