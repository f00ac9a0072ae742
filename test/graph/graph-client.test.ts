/**
 * The app's Graph layer against the emulator: MSAL's real client-credentials flow, token caching,
 * credential failures, Graph's 401s, and GraphRequestError's mapping of Graph error responses.
 */
import express from 'express';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../devkit/emulator/index.js';
import { CLIENT_ID, SECRET, TENANT, startRig, type EmulatorRig } from '../helpers/bot-receiver.js';
import { listen } from '../helpers/services.js';
import { CallControl, promptResourceId } from '../../src/graph/call-control.js';
import { createGraphClient } from '../../src/graph/client.js';
import { GraphAuthError, GraphRequestError, parseRetryAfter } from '../../src/graph/errors.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createGraphActivities } from '../../activities/graph.js';

let rig: EmulatorRig;
let emulator: Emulator;

beforeAll(async () => {
  // The bot's webhook (the rig's receiver) is only needed so incoming-call notifications have somewhere to go.
  rig = await startRig({ mediaSpeed: 50 });
  emulator = rig.emulator;
});

afterAll(async () => {
  await rig?.stop();
});

function clientOptions(overrides: Partial<Parameters<typeof createGraphClient>[0]> = {}) {
  return {
    graphBaseUrl: emulator.graphBaseUrl,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    authorityMetadataUrl: emulator.authorityMetadataUrl,
    ...overrides,
  };
}

describe('MSAL against the emulator', () => {
  it('gets an Entra-shaped app token through MSAL and caches it', async () => {
    const before = emulator.tokenRequests.length;
    const graph = await createGraphClient(clientOptions());
    const token = await graph.getAccessToken();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      appid: CLIENT_ID,
      idtyp: 'app',
      roles: expect.arrayContaining(['Calls.Initiate.All', 'Calls.AccessMedia.All']),
    });
    expect(claims.exp! - claims.iat!).toBeGreaterThan(3000);

    // MSAL really made the client-credentials request...
    const requests = emulator.tokenRequests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: expect.stringMatching(new RegExp(`^/${TENANT}/oauth2/v2\\.0/token(\\?|$)`)),
      status: 200,
      body: {
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: '***',
        scope: 'https://graph.microsoft.com/.default',
      },
    });

    // ...and serves the next ones from its cache, including the token the Graph client attaches.
    expect(await graph.getAccessToken()).toBe(token);
    const calls = new CallControl(graph);
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' } });
    expect((await calls.getCall(callId)).state).toBe('incoming');
    await calls.hangUp(callId);
    expect(emulator.tokenRequests.length - before).toBe(1);
    const seen = emulator.requests.filter((r) => r.callId === callId);
    expect(seen.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'DELETE 204']);
    expect(seen[0]!.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('derives the metadata URL from an http loopback authorityHost', async () => {
    const graph = await createGraphClient(
      clientOptions({ authorityMetadataUrl: undefined, authorityHost: emulator.url }),
    );
    expect(decodeJwt(await graph.getAccessToken()).appid).toBe(CLIENT_ID);
  });

  it('a wrong secret fails with a clear invalid_client error (AADSTS7000215)', async () => {
    const graph = await createGraphClient(clientOptions({ clientSecret: 'wrong-secret' }));
    const err = await graph.getAccessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphAuthError);
    expect(err).toMatchObject({ code: 'invalid_client', aadstsCodes: [7000215], retryable: false });
    expect((err as Error).message).toMatch(/Invalid client secret provided/);
    expect(emulator.tokenRequests.at(-1)).toMatchObject({ status: 401 });

    // Through CallControl it is a non-retryable GraphRequestError, and no Graph request was sent.
    const sent = emulator.requests.length;
    const viaCalls = await new CallControl(graph).getCall('any-call').catch((e: unknown) => e);
    expect(viaCalls).toBeInstanceOf(GraphRequestError);
    expect(viaCalls).toMatchObject({ status: 401, code: 'invalid_client', retryable: false, callGone: false });
    expect(emulator.requests.length).toBe(sent);
  });

  it('an unknown client id fails with unauthorized_client (AADSTS700016)', async () => {
    const graph = await createGraphClient(clientOptions({ clientId: '00000000-1111-2222-3333-444444444444' }));
    await expect(graph.getAccessToken()).rejects.toMatchObject({ code: 'unauthorized_client', aadstsCodes: [700016] });
  });

  it('the token endpoint answers like Entra to bad requests', async () => {
    const post = (tenant: string, form: Record<string, string>) =>
      fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
    const good = {
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: SECRET,
      scope: 'https://graph.microsoft.com/.default',
    };

    const wrongSecret = await post(TENANT, { ...good, client_secret: 'nope' });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      error_description: expect.stringMatching(
        /^AADSTS7000215: .*\r\nTrace ID: .*\r\nCorrelation ID: .*\r\nTimestamp: /s,
      ),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
    });
    expect((await post(TENANT, { ...good, grant_type: 'password' })).status).toBe(400);
    expect((await (await post(TENANT, { ...good, scope: 'Calls.Initiate.All' })).json()) as object).toMatchObject({
      error: 'invalid_scope',
    });
    expect((await (await post('some-other-tenant', good)).json()) as object).toMatchObject({ error_codes: [90002] });

    const ok = (await (await post(TENANT, good)).json()) as Record<string, unknown>;
    expect(ok).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.any(String),
    });
  });

  it('an unreachable authority metadata URL fails at creation with a retryable GraphAuthError', async () => {
    const dead = await listen(express());
    const port = new URL(dead.url).port;
    await new Promise<void>((r) => dead.server.close(() => r()));
    const err = await createGraphClient(
      clientOptions({ authorityMetadataUrl: `http://127.0.0.1:${port}/t/v2.0/.well-known/openid-configuration` }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphAuthError);
    expect(err).toMatchObject({ code: 'authority_metadata_unavailable', retryable: true });
  });
});

describe('Graph authentication', () => {
  const get = (authorization?: string) =>
    fetch(`${emulator.graphBaseUrl}/communications/calls/00000000-0000-0000-0000-000000000000`, {
      headers: authorization ? { Authorization: authorization } : {},
    });
  async function expect401(res: Response, message: RegExp) {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const body = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.message).toMatch(message);
    expect(body.error.innerError['request-id']).toBeTruthy();
  }

  it('rejects requests without a token, with garbage, or with a token the emulator did not sign', async () => {
    await expect401(await get(), /empty/);
    await expect401(await get('Bearer not.a.jwt'), /validation failure/);
    await expect401(await get('Basic dXNlcjpwYXNz'), /empty/);

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ tid: TENANT, appid: CLIENT_ID, roles: ['Calls.Initiate.All'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(`https://sts.windows.net/${TENANT}/`)
      .setAudience('https://graph.microsoft.com')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect401(await get(`Bearer ${forged}`), /signature/);
  });

  it('rejects a real emulator token issued for another resource (wrong audience)', async () => {
    const res = await fetch(`${emulator.url}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: SECRET,
        scope: 'api://some-other-api/.default',
      }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).aud).toBe('api://some-other-api');
    await expect401(await get(`Bearer ${access_token}`), /audience/);
  });

  it('accepts the token MSAL obtained (404 for an unknown call, not 401)', async () => {
    const graph = await createGraphClient(clientOptions());
    const res = await get(`Bearer ${await graph.getAccessToken()}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('8522');
  });
});

describe('GraphRequestError', () => {
  const body = (code: string, message = 'm', inner: Record<string, unknown> = {}) =>
    JSON.stringify({
      error: {
        code,
        message,
        innerError: { date: '2024-01-01T00:00:00', 'request-id': 'rid', 'client-request-id': 'cid', ...inner },
      },
    });

  it('marks 429 and 5xx retryable and honours Retry-After (seconds or HTTP date)', () => {
    const throttled = GraphRequestError.fromResponse(
      429,
      new Headers({ 'Retry-After': '7' }),
      body('TooManyRequests', 'slow down'),
      'playPrompt',
    );
    expect(throttled).toMatchObject({
      status: 429,
      code: 'TooManyRequests',
      retryable: true,
      retryAfterSeconds: 7,
      requestId: 'rid',
      clientRequestId: 'cid',
      operation: 'playPrompt',
      callGone: false,
    });
    expect(throttled.message).toBe('playPrompt: slow down');

    const at = new Date(Date.now() + 30_000).toUTCString();
    const unavailable = GraphRequestError.fromResponse(
      503,
      new Headers({ 'Retry-After': at }),
      body('ServiceUnavailable'),
    );
    expect(unavailable.retryable).toBe(true);
    expect(unavailable.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(unavailable.retryAfterSeconds).toBeLessThanOrEqual(31);
    expect(GraphRequestError.fromResponse(504, undefined, '').retryable).toBe(true);
    expect(GraphRequestError.fromResponse(500, undefined, 'oops, not json')).toMatchObject({
      retryable: true,
      code: 'Http500',
      message: 'oops, not json',
    });
  });

  it('does not retry other 4xx; flags 404 8522 as callGone; reads inner codes', () => {
    expect(GraphRequestError.fromResponse(400, undefined, body('BadRequest'))).toMatchObject({
      retryable: false,
      callGone: false,
    });
    expect(GraphRequestError.fromResponse(403, undefined, body('Forbidden'))).toMatchObject({ retryable: false });
    expect(GraphRequestError.fromResponse(404, undefined, body('8522', 'Call not found.'))).toMatchObject({
      callGone: true,
      retryable: false,
    });
    expect(GraphRequestError.fromResponse(404, undefined, body('NotFound', 'x', { code: '8522' }))).toMatchObject({
      callGone: true,
      innerCode: '8522',
    });
    expect(parseRetryAfter('nonsense')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('a Graph that does not answer is a retryable NetworkError (status 0)', async () => {
    const dead = await listen(express());
    const port = new URL(dead.url).port;
    await new Promise<void>((r) => dead.server.close(() => r()));
    const graph = await createGraphClient(clientOptions({ graphBaseUrl: `http://127.0.0.1:${port}/v1.0` }));
    const err = await new CallControl(graph).getCall('some-call').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', retryable: true });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('CallControl request shapes', () => {
  it('sends Graph-typed bodies the emulator accepts, with stable prompt resource ids', async () => {
    const graph = await createGraphClient(clientOptions());
    const calls = new CallControl(graph);
    const botUrl = rig.receiver.url;
    const promptUri = `${botUrl}/prompts/hello.wav`;
    const { callId } = await emulator.placeCall({ from: { user: { id: 'u1' } } });
    await calls.answer(callId, { callbackUri: `${botUrl}/api/calls`, preFetchMedia: [{ uri: promptUri }] });
    const answer = emulator.requests.find((r) => r.callId === callId && r.path.endsWith('/answer'))!;
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      callbackUri: `${botUrl}/api/calls`,
      acceptedModalities: ['audio'],
      mediaConfig: {
        '@odata.type': '#microsoft.graph.serviceHostedMediaConfig',
        preFetchMedia: [
          { '@odata.type': '#microsoft.graph.mediaInfo', uri: promptUri, resourceId: promptResourceId(promptUri) },
        ],
      },
    });
    expect(promptResourceId('https://cdn.example.com/hello.wav')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(promptResourceId('a')).not.toBe(promptResourceId('b'));

    await expect.poll(() => emulator.getCall(callId)?.state).toBe('established');
    await calls.transfer(callId, { target: { userId: 'agent-9', displayName: 'Nine' }, clientContext: 'ctx' });
    const transfer = emulator.requests.find((r) => r.callId === callId && r.path.endsWith('/transfer'))!;
    expect(transfer.body).toEqual({
      transferTarget: {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        endpointType: 'default',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          user: { '@odata.type': '#microsoft.graph.identity', id: 'agent-9', displayName: 'Nine' },
        },
      },
      clientContext: 'ctx',
    });
    await calls.hangUp(callId);
  });
});

describe('The answer activity', () => {
  // A worker killed after Graph took an answer, but before its workflow task completed, leaves the answer to be made
  // again by the next worker (test/reliability/chaos-processes.test.ts found calls ended `failed` this way, left up with nobody on them).
  it("takes Graph's refusal of a repeated answer as the call answered, and fails on any other refusal", async () => {
    const graph = await createGraphClient(clientOptions());
    const answerCall = createGraphActivities(async () => new CallControl(graph)).answerCall;
    const callbackUri = rig.receiver.callbackUri;
    const { callId } = await emulator.placeCall({ from: { user: { id: 'u-repeat' } } });
    // Graph answers the call, and its response is lost: the attempt fails as retryable, and the retry is refused.
    emulator.injectFault({ action: 'answer', callId, status: 'noResponse' });
    const lost = await new MockActivityEnvironment().run(answerCall, { callId, callbackUri, preFetchUris: [] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(lost).toBeInstanceOf(ApplicationFailure);
    expect((lost as ApplicationFailure).type).toBe('GraphRetryableError');
    await new MockActivityEnvironment({ attempt: 2 }).run(answerCall, { callId, callbackUri, preFetchUris: [] });
    const answers = emulator.requests.filter((r) => r.callId === callId && r.path.endsWith('/answer'));
    expect(answers.map((r) => [r.status, r.responseLost ?? false])).toEqual([
      [202, true],
      [400, false],
    ]);
    expect(['establishing', 'established']).toContain(emulator.getCall(callId)!.state);

    // Refused because the caller hung up before the answer: not answered, and not retried.
    const other = await emulator.placeCall({ from: { user: { id: 'u-gone' } }, hangUpAfterMs: 20 });
    await expect.poll(() => emulator.getCall(other.callId)?.state).toBe('terminated');
    const refused = await new MockActivityEnvironment()
      .run(answerCall, { callId: other.callId, callbackUri, preFetchUris: [] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).message).toMatch(/Graph answer failed: 4\d\d/);
  });
});
