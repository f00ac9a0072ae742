import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../src/temporal/payload-codec.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { createTestApp } from '../helpers/admin-api.js';
import { startServices, type Services } from '../helpers/services.js';

// Issue 22, point 1: the codec endpoint of Temporal's codec-server protocol (docs.temporal.io/codec-server: POST
// /encode and /decode, a JSON body { payloads: [...] } each way) shows Temporal's encrypted payloads to signed-in
// admins and supervisors only, to the Temporal UI's origin only, and every use leaves an audit row.
const ISSUER = 'https://login.microsoftonline.com/tenant-a/v2.0';
const UI = 'http://127.0.0.1:8233';
const keys = new SigningKeys(ISSUER);
let services: Services;
let base: string;

const SUPERVISOR = {
  oid: 'b0000000-0000-4000-8000-0000000000c1',
  name: 'Sam Supervisor',
  roles: ['Switchboard.Supervisor'],
};
const ADMIN = { oid: 'a0000000-0000-4000-8000-0000000000c2', name: 'Ada Admin', roles: ['Switchboard.Admin'] };
const AGENT = { oid: 'c0000000-0000-4000-8000-0000000000c3', name: 'Alex Agent', roles: ['Switchboard.Agent'] };
const token = (who: { oid: string; name: string; roles: string[] }) =>
  keys.sign({
    kid: 'k1',
    claims: { aud: 'api://switchboard', tid: 'tenant-a', oid: who.oid, name: who.name, roles: who.roles },
  });

const caller = { from: '+14255550123', name: 'Codec Caller' };
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

beforeAll(async () => {
  services = await startServices('codec-endpoint', { keys, migrate: true });
  base = await services.serve(
    createTestApp(
      { client: services.client, orm: services.orm, keys },
      { temporalCodec: { codec: services.codec, uiOrigin: UI } },
    ),
  );
});

afterAll(async () => {
  await services?.stop();
});

interface CodecAnswer {
  payloads: { metadata: Record<string, string>; data: string }[];
  error: { code: string; message: string };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/codec/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as CodecAnswer };
}

const auditRows = async (action: string) =>
  (await services.orm.em.getKnex()('audit_entry').where('action', action).orderBy('id')) as Record<string, unknown>[];

describe('the codec endpoint', () => {
  it('decodes for a supervisor what Temporal stores encrypted, and audits who asked, from where, how many', async () => {
    const encrypted = await services.codec.encode([defaultPayloadConverter.toPayload(caller)]);
    const before = (await auditRows('temporal.decode')).length;
    const res = await post(
      'decode',
      { payloads: encrypted.map(asJson) },
      { authorization: `Bearer ${await token(SUPERVISOR)}` },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(defaultPayloadConverter.fromPayload(fromJson(res.body.payloads[0]!))).toEqual(caller);
    const rows = await auditRows('temporal.decode');
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      actor_id: SUPERVISOR.oid,
      actor_name: SUPERVISOR.name,
      target: 'default',
      ip: '127.0.0.1',
    });
    // What was decoded is never in the audit row, only how many payloads.
    expect(JSON.stringify(rows.at(-1))).not.toContain(caller.from);
    expect(rows.at(-1)!.after).toEqual({ payloads: 1 });
  });

  it('encodes for an admin (input the UI sends, e.g. a signal): what the app decodes', async () => {
    const plain = defaultPayloadConverter.toPayload(caller);
    const res = await post('encode', { payloads: [asJson(plain)] }, { authorization: `Bearer ${await token(ADMIN)}` });
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body.payloads[0]!.data, 'base64').toString('latin1')).not.toContain(caller.from);
    const [back] = await services.codec.decode([fromJson(res.body.payloads[0]!)]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(caller);
    expect((await auditRows('temporal.encode')).at(-1)).toMatchObject({ actor_id: ADMIN.oid });
  });

  it('refuses without a token (401), an agent (403), and audits neither', async () => {
    const encrypted = await services.codec.encode([defaultPayloadConverter.toPayload(caller)]);
    const before = (await auditRows('temporal.decode')).length;
    const anonymous = await post('decode', { payloads: encrypted.map(asJson) });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const agent = await post(
      'decode',
      { payloads: encrypted.map(asJson) },
      { authorization: `Bearer ${await token(AGENT)}` },
    );
    expect(agent.status).toBe(403);
    expect(agent.body.error.message).toBe('requires one of: Switchboard.Admin, Switchboard.Supervisor');
    expect(JSON.stringify(agent.body)).not.toContain(caller.from);
    expect(await auditRows('temporal.decode')).toHaveLength(before);
  });

  it('answers CORS for the Temporal UI (127.0.0.1 or localhost) and refuses any other origin', async () => {
    for (const origin of [UI, 'http://localhost:8233']) {
      const preflight = await fetch(`${base}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, x-namespace',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-namespace');
    }
    const evil = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // Even with a supervisor's token, a page elsewhere gets nothing decoded.
    const encrypted = await services.codec.encode([defaultPayloadConverter.toPayload(caller)]);
    const res = await post(
      'decode',
      { payloads: encrypted.map(asJson) },
      { origin: 'https://evil.example', authorization: `Bearer ${await token(SUPERVISOR)}` },
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('origin https://evil.example may not use the codec endpoint');
    const fromUi = await post(
      'decode',
      { payloads: encrypted.map(asJson) },
      { origin: UI, authorization: `Bearer ${await token(SUPERVISOR)}` },
    );
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('says what is wrong with a bad request: body (400), a key it does not have (422), a method (405)', async () => {
    const auth = { authorization: `Bearer ${await token(SUPERVISOR)}` };
    expect((await post('decode', { nope: 1 }, auth)).body.error.message).toBe(
      'expected a JSON body { "payloads": [ { "metadata": {...}, "data": "base64" } ] }',
    );
    const badData = await post('decode', { payloads: [{ metadata: {}, data: '%%%' }] }, auth);
    expect([badData.status, badData.body.error.message]).toEqual([400, 'payloads[0].data: expected base64']);
    const other = new EncryptionCodec(parseCodecKeys(newCodecKey('someone-else')));
    const foreign = await other.encode([defaultPayloadConverter.toPayload(caller)]);
    const unknownKey = await post('decode', { payloads: foreign.map(asJson) }, auth);
    expect([unknownKey.status, unknownKey.body.error.message]).toEqual([
      422,
      'payload encrypted with key "someone-else", which is not configured',
    ]);
    const get = await fetch(`${base}/codec/decode`, { headers: auth });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
