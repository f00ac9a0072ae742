import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { callWorkflowId } from '../../src/contracts/call.js';
import { startServices, type Services } from '../helpers/services.js';
import { incomingNotification } from '../helpers/notifications.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { createWebhookApp } from '../helpers/webhook-app.js';

// The Graph webhook facing the internet: authentication of notifications and anything a hostile party can send.
// Real Temporal (dev server) and Postgres; keys served over HTTP like Microsoft's OpenID document.
let services: Services;
let client: Client;
let base: string;
const keys = new SigningKeys();
const logLines: string[] = [];

beforeAll(async () => {
  services = await startServices('webhook', { keys });
  client = services.client;
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const app = createWebhookApp(
    { client, orm: services.orm, keys, logger },
    { subscriptionClientState: 'a-client-state-secret' },
  );
  base = await services.serve(app);
});

afterAll(async () => {
  await services?.stop();
});

let n = 0;
function incoming(callId = `auth-call-${++n}`) {
  return { callId, body: incomingNotification(callId) };
}

async function post(body: unknown, token?: string, pathname = '/api/calling'): Promise<Response> {
  return fetch(`${base}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function workflowExists(callId: string): Promise<boolean> {
  return client.workflow
    .getHandle(callWorkflowId(callId))
    .describe()
    .then(
      () => true,
      () => false,
    );
}

describe('notification authentication', () => {
  it('accepts a token signed the way Graph signs them, and starts the call workflow', async () => {
    const { callId, body } = incoming();
    const res = await post(body, await keys.sign({ kid: 'k1' }));
    expect(res.status).toBe(202);
    expect(await workflowExists(callId)).toBe(true);
  });

  it('accepts the other documented issuer, https://graph.microsoft.com', async () => {
    const { body } = incoming();
    expect(
      (await post(body, await keys.sign({ kid: 'k1', claims: { iss: 'https://graph.microsoft.com' } }))).status,
    ).toBe(202);
  });

  const rejected: [string, () => Promise<string | undefined>, number, RegExp][] = [
    ['no token', async () => undefined, 401, /missing bearer token/],
    ['a token that is not a JWT', async () => 'not-a-jwt', 401, /malformed/],
    [
      'an expired token',
      () =>
        keys.sign({ kid: 'k1', exp: Math.floor(Date.now() / 1000) - 600, nbf: Math.floor(Date.now() / 1000) - 4000 }),
      401,
      /expired/,
    ],
    ['a token not yet valid', () => keys.sign({ kid: 'k1', nbf: Math.floor(Date.now() / 1000) + 3600 }), 401, /nbf/],
    ['a token for another app', () => keys.sign({ kid: 'k1', claims: { aud: 'someone-else' } }), 401, /aud/],
    [
      'a token from another issuer',
      () => keys.sign({ kid: 'k1', claims: { iss: 'https://evil.example' } }),
      401,
      /iss/,
    ],
    ['a token without exp', () => keys.sign({ kid: 'k1', claims: { exp: undefined } }), 401, /exp/],
    [
      'a token from another tenant',
      () => keys.sign({ kid: 'k1', claims: { tid: 'tenant-b' } }),
      403,
      /tenant not allowed/,
    ],
    ['a token without a tenant', () => keys.sign({ kid: 'k1', claims: { tid: undefined } }), 403, /no tenant/],
    [
      'an unsigned token (alg none)',
      async () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: 'https://api.botframework.com', aud: 'bot-app-id', tid: 'tenant-a', nbf: now, exp: now + 600 })}.`;
      },
      401,
      /./,
    ],
    [
      'a forged token (right kid, wrong key)',
      async () => {
        const forger = new SigningKeys();
        await forger.addKey('k1');
        return forger.sign({ kid: 'k1' });
      },
      401,
      /signature/,
    ],
  ];

  it.each(rejected)(
    'refuses %s with the right status, and nothing reaches Temporal',
    async (_what, token, status, reason) => {
      const { callId, body } = incoming();
      const res = await post(body, await token());
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(reason);
      if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await workflowExists(callId)).toBe(false);
    },
  );

  it('refetches the key set when Graph rotates to a new signing key', async () => {
    await keys.addKey('k2', false);
    const { body } = incoming();
    // Not yet published: refused.
    expect((await post(body, await keys.sign({ kid: 'k2' }))).status).toBe(401);
    keys.publish('k2');
    const before = keys.fetches;
    const again = incoming();
    expect((await post(again.body, await keys.sign({ kid: 'k2' }))).status).toBe(202);
    expect(keys.fetches).toBeGreaterThan(before);
    expect(await workflowExists(again.callId)).toBe(true);
  });

  it('never writes a token to the log', async () => {
    const token = await keys.sign({ kid: 'k1', claims: { tid: 'tenant-b' } });
    await post(incoming().body, token);
    const signature = token.split('.')[2]!;
    expect(logLines.join('\n')).toContain('tenant not allowed');
    expect(logLines.join('\n')).not.toContain(signature);
  });
});

describe('hostile input with a valid token', () => {
  let token: string;
  beforeAll(async () => {
    token = await keys.sign({ kid: 'k1' });
  });

  it.each([
    ['garbage JSON', '{"value": [', 400, /not valid JSON/],
    ['a JSON string', '"hello"', 400, /JSON/],
    ['an unknown @odata.type', { '@odata.type': '#microsoft.graph.somethingElse', value: [{}] }, 400, /@odata.type/],
    ['a huge value[]', { value: new Array(5000).fill({ changeType: 'updated' }) }, 400, /at most 100/],
    ['no value[]', { hello: 'world' }, 400, /value\[\]/],
  ] as [string, unknown, number, RegExp][])(
    'answers %s with a 4xx and a reason',
    async (_what, body, status, reason) => {
      const res = await post(body, token);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(reason);
    },
  );

  it('refuses a 10 MB body with 413', async () => {
    const big = JSON.stringify({
      value: [{ resourceUrl: '/communications/calls/x', resourceData: { junk: 'x'.repeat(10 * 1024 * 1024) } }],
    });
    const res = await post(big, token);
    expect(res.status).toBe(413);
  });

  it('acknowledges, and only logs, notifications it cannot use inside a valid envelope', async () => {
    const logged = logLines.length;
    const res = await post(
      {
        value: [
          {
            changeType: 'updated',
            resourceUrl: '/communications/calls/zzz',
            resourceData: { '@odata.type': '#microsoft.graph.unheardOf' },
          },
          { changeType: 'updated', resourceUrl: '/users/u1' },
          {
            changeType: 'updated',
            resourceUrl: '/communications/calls/no-such-call',
            resourceData: { '@odata.type': '#microsoft.graph.call', state: 'established' },
          },
        ],
      },
      token,
    );
    expect(res.status).toBe(202);
    // One warning per notification, each saying why it went nowhere; no workflow was started for any of them.
    const lines = logLines
      .slice(logged)
      .map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; callId?: string });
    const warned = lines.filter((l) => l.level === 40).map((l) => ({ msg: l.msg, reason: l.reason, callId: l.callId }));
    expect(warned).toEqual([
      { msg: 'notification ignored', reason: 'unsupported resourceData type unheardof', callId: 'zzz' },
      { msg: 'notification ignored', reason: 'resourceUrl does not name a call', callId: undefined },
      {
        msg: 'notification for a call with no running workflow; acknowledged',
        reason: undefined,
        callId: 'no-such-call',
      },
    ]);
    expect(await workflowExists('zzz')).toBe(false);
    expect(await workflowExists('no-such-call')).toBe(false);
  });

  it('answers a legacy-format notification with 204', async () => {
    expect((await post({ id: 'legacy-1', callState: 'Incoming', participants: [] }, token)).status).toBe(204);
  });

  it('is still serving after all of the above, and an accepted notification still starts its call', async () => {
    const { callId, body } = incoming();
    expect((await post(body, token)).status).toBe(202);
    expect(await workflowExists(callId)).toBe(true);
  });
});

describe('/metrics', () => {
  it('counts notifications by result and times their acknowledgement, in Prometheus format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const count = (result: string) =>
      Number(new RegExp(`switchboard_notifications_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('accepted')).toBeGreaterThanOrEqual(4);
    expect(count('rejected')).toBeGreaterThanOrEqual(3);
    expect(count('unknownCall')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/switchboard_webhook_latency_seconds_count \d+/);
    expect(text).toContain('switchboard_process_resident_memory_bytes');
  });
});

describe('/subscriptions change notifications', () => {
  it('echoes the validation token as text/plain', async () => {
    const res = await fetch(
      `${base}/api/subscriptions?validationToken=${encodeURIComponent('Validation: Token <1&2>')}`,
      { method: 'POST' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Validation: Token <1&2>');
  });

  it('keeps only notifications with the right clientState', async () => {
    const res = await post(
      {
        value: [
          { changeType: 'updated', resource: 'communications/presences/u1', clientState: 'a-client-state-secret' },
          { changeType: 'updated', resource: 'communications/presences/u2', clientState: 'guessed' },
          { changeType: 'updated', resource: 'communications/presences/u3' },
        ],
      },
      undefined,
      '/api/subscriptions',
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, dropped: 2 });
  });
});
