import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import type { MikroORM } from '../../src/db/orm.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { startServices, type Services } from '../helpers/services.js';
import { incomingNotification, stateNotification } from '../helpers/notifications.js';

// A fuzzer at the Graph webhook: 10,000 generated requests (valid, mutated, truncated, wrong types, huge strings,
// bad tokens) against the real app, real Temporal and real Postgres. The app must answer every one with a 2xx or a
// 4xx, never fail or leak, and still process every valid notification mixed in.
const RUNS = 100;
const BATCH = 100; // RUNS × BATCH = 10,000 requests
const CONCURRENCY = 16;
const ANCHORS = 10;

let services: Services;
let orm: MikroORM;
let client: Client;
let base: string;
const keys = new SigningKeys();
let errorLogs = 0;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
const onException = (err: unknown) => void rejections.push(err);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  services = await startServices('fuzz', { keys });
  ({ orm, client } = services);
  // Error-level lines (>= 50) would mean a request broke something inside; the rest is dropped, not kept.
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void (/"level":(5\d|60)/.test(line) && errorLogs++) },
  );
  const app = createApp({
    client,
    orm,
    logger,
    taskQueue: 'fuzz-no-worker',
    publicUrl: 'https://switchboard.test',
    notificationVerifier: new NotificationVerifier({
      openIdConfigUrl: keys.openIdConfigUrl,
      audience: 'bot-app-id',
      allowedTenants: ['tenant-a'],
      logger,
    }),
  });
  base = await services.serve(app);
}, 180_000);

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  await services?.stop();
});

type Json = Record<string, unknown>;

const incomingBody = (callId: string): Json => incomingNotification(callId);

const stateBody = (callId: string, state: string): Json => stateNotification(callId, state);

/** What the fuzzer sends: a body (object or raw text), a token, and what it expects to be processed. */
interface Req {
  body: unknown;
  raw?: string;
  token: 'valid' | 'none' | string;
  contentType?: string;
  valid?: { kind: 'incoming' | 'signal'; callId: string };
}

let badTokens: string[] = [];

const anyJson = fc.jsonValue({ maxDepth: 4 });
const hugeString = fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n));
const wrongType = fc.oneof(
  anyJson,
  hugeString,
  fc.constant(null),
  fc.integer(),
  fc.array(fc.integer(), { maxLength: 5 }),
);
const fuzzCallId = fc.oneof(
  fc.uuid().map((u) => `fuzz-${u}`),
  fc.string({ maxLength: 80 }),
  hugeString,
  fc.constantFrom('', '../../etc/passwd', '%00', '\u0000', '🙂', 'a'.repeat(65)),
);
const baseBody = fc
  .tuple(
    fc.constantFrom('incoming', 'state'),
    fuzzCallId,
    fc.constantFrom('established', 'terminated', 'Established', 42),
  )
  .map(([kind, id, state]) => (kind === 'incoming' ? incomingBody(String(id)) : stateBody(String(id), String(state))));

/** Set a value somewhere in the tree, chosen by a list of indexes into the keys met on the way. */
function mutate(body: Json, steps: number[], value: unknown, remove: boolean): Json {
  const copy = structuredClone(body);
  let node: unknown = copy;
  for (const [i, step] of steps.entries()) {
    if (!node || typeof node !== 'object') break;
    const keysHere = Object.keys(node as object);
    if (keysHere.length === 0) break;
    const key = keysHere[step % keysHere.length]!;
    const last = i === steps.length - 1 || typeof (node as Json)[key] !== 'object' || (node as Json)[key] === null;
    if (last) {
      if (remove) delete (node as Json)[key];
      else (node as Json)[key] = value;
      break;
    }
    node = (node as Json)[key];
  }
  return copy;
}

const token = fc.oneof(
  { weight: 6, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 99 }).map((i) => badTokens[i % badTokens.length]!) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 200 }),
      hugeString.map((s) => s.slice(0, 6000)),
    ),
  },
);

const mutated: fc.Arbitrary<Req> = fc
  .tuple(baseBody, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), wrongType, fc.boolean(), token)
  .map(([b, steps, value, remove, t]) => ({ body: mutate(b, steps, value, remove), token: t }));
const truncated: fc.Arbitrary<Req> = fc
  .tuple(baseBody, fc.double({ min: 0, max: 1, noNaN: true }), token)
  .map(([b, f, t]) => {
    const text = JSON.stringify(b);
    return { body: undefined, raw: text.slice(0, Math.floor(text.length * f)), token: t };
  });
const garbage: fc.Arbitrary<Req> = fc
  .tuple(
    fc.oneof(
      fc.string({ maxLength: 300 }),
      anyJson.map((j) => JSON.stringify(j) ?? 'null'),
      hugeString.map((s) => `{"value":"${s}"}`),
    ),
    token,
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      '',
    ),
  )
  .map(([raw, t, contentType]) => ({ body: undefined, raw, token: t, contentType }));
const validIncoming: fc.Arbitrary<Req> = fc.uuid().map((u) => {
  const callId = `valid-${u}`;
  return { body: incomingBody(callId), token: 'valid', valid: { kind: 'incoming', callId } };
});
const validSignal: fc.Arbitrary<Req> = fc
  // States the workflow reads: an `establishing` is acknowledged without a signal (src/server/unread-notifications.ts).
  .tuple(fc.integer({ min: 0, max: ANCHORS - 1 }), fc.constantFrom('established', 'transferring'))
  .map(([i, state]) => ({
    body: stateBody(`anchor-${i}`, state),
    token: 'valid',
    valid: { kind: 'signal', callId: `anchor-${i}` },
  }));
const request: fc.Arbitrary<Req> = fc.oneof(
  { weight: 5, arbitrary: mutated },
  { weight: 2, arbitrary: truncated },
  { weight: 2, arbitrary: garbage },
  { weight: 1, arbitrary: validIncoming },
  { weight: 1, arbitrary: validSignal },
);

const ALLOWED = new Set([202, 204, 400, 401, 403, 413, 415]);

it('survives 10,000 hostile notifications and still processes every valid one', async () => {
  const validToken = await keys.sign({ kid: 'k1' });
  const now = Math.floor(Date.now() / 1000);
  badTokens = await Promise.all([
    keys.sign({ kid: 'k1', exp: now - 600, nbf: now - 4000 }),
    keys.sign({ kid: 'k1', claims: { aud: 'someone-else' } }),
    keys.sign({ kid: 'k1', claims: { iss: 'https://evil.example' } }),
    keys.sign({ kid: 'k1', claims: { tid: 'tenant-b' } }),
    keys.sign({ kid: 'k1', claims: { tid: undefined } }),
    keys.sign({ kid: 'k1', claims: { tid: ['tenant-a'] } }),
    keys.sign({ kid: 'k1', claims: { aud: 42, exp: 'never' } }),
    keys.sign({ kid: 'unknown-kid' }).catch(() => 'x.y.z'),
    `${validToken.slice(0, -4)}AAAA`,
    validToken.split('.').slice(0, 2).join('.') + '.',
  ]);

  // The anchors: calls whose workflows exist, so valid state notifications for them become signals.
  for (let i = 0; i < ANCHORS; i++) {
    const res = await send({ body: incomingBody(`anchor-${i}`), token: 'valid' });
    expect(res).toBe(202);
  }

  const statuses = new Map<number, number>();
  const incomingSent = new Set<string>();
  const signalsSent = new Map<string, number>();
  let sent = 0;

  async function send(r: Req): Promise<number> {
    const authorization =
      r.token === 'valid' ? `Bearer ${validToken}` : r.token === 'none' ? undefined : `Bearer ${r.token}`;
    const headers: Record<string, string> = {};
    if (r.contentType !== '') headers['content-type'] = r.contentType ?? 'application/json';
    if (authorization) headers.authorization = authorization;
    let res: Response;
    try {
      res = await fetch(`${base}/api/calling`, { method: 'POST', headers, body: r.raw ?? JSON.stringify(r.body) });
    } catch (err) {
      // Headers fetch itself refuses (a token with characters no header may carry) never reach the app.
      if (err instanceof TypeError && /header/i.test(String((err as { cause?: unknown }).cause ?? err.message)))
        return -1;
      throw err;
    }
    await res.arrayBuffer();
    return res.status;
  }

  let rssBefore = 0;
  /** RSS and heap after a forced GC, every 1,000 requests: a leak grows them in step with the requests. */
  const memory: { sent: number; rssMb: number; heapMb: number }[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const results: number[] = new Array(batch.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < batch.length) {
            const i = next++;
            results[i] = await send(batch[i]!);
          }
        }),
      );
      sent += batch.length;
      for (const [i, status] of results.entries()) {
        if (status === -1) continue;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const what = () => JSON.stringify(batch[i]).slice(0, 300);
        if (!ALLOWED.has(status)) throw new Error(`status ${status} for ${what()}`);
        const v = batch[i]!.valid;
        if (v) {
          if (status !== 202) throw new Error(`valid notification refused with ${status}: ${what()}`);
          if (v.kind === 'incoming') incomingSent.add(v.callId);
          else signalsSent.set(v.callId, (signalsSent.get(v.callId) ?? 0) + 1);
        }
      }
      if (sent % (BATCH * 10) === 0) {
        gc();
        const m = process.memoryUsage();
        if (sent === BATCH * 10) rssBefore = m.rss;
        memory.push({ sent, rssMb: Math.round(m.rss / 1048576), heapMb: Math.round(m.heapUsed / 1048576) });
      }
      if (rejections.length) throw new Error(`unhandled: ${String(rejections[0])}`);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  gc();
  const rssAfter = process.memoryUsage().rss;
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  console.log(
    `fuzz ${JSON.stringify({ sent, statuses: Object.fromEntries(statuses), validIncoming: incomingSent.size, validSignals: [...signalsSent.values()].reduce((a, b) => a + b, 0), rssBeforeMb: mb(rssBefore), rssAfterMb: mb(rssAfter), memory, errorLogs })}`,
  );

  expect(sent).toBeGreaterThanOrEqual(10_000);
  expect(rejections).toEqual([]);
  expect(errorLogs).toBe(0);
  // Memory stays bounded: 9,000 requests after the first 1,000 grow the heap-collected RSS by less than 256 MB.
  expect(rssBefore).toBeGreaterThan(0);
  expect(rssAfter - rssBefore).toBeLessThan(256 * 1024 * 1024);
  // And it does not grow with the requests. Measured (2026-11-29, two runs): the JavaScript heap after GC stays at
  // 50–56 MB from the 1,000th request to the 10,000th; RSS rises once, between the 1,000th and the 2,000th (206–222 →
  // 303–308 MB: the allocator and native Temporal client state, which Node does not hand back), then stays within
  // 244–337 MB.
  // A leak would grow both with every thousand requests.
  expect(memory.length).toBe(10);
  const settled = memory[1]!;
  for (const m of memory.slice(2)) {
    expect(m.heapMb - settled.heapMb, `heap after ${m.sent} requests`).toBeLessThan(16);
    expect(m.rssMb - settled.rssMb, `RSS after ${m.sent} requests`).toBeLessThan(96);
  }

  // Every valid incoming call started exactly one workflow.
  expect(incomingSent.size).toBeGreaterThan(100);
  const described = await Promise.all(
    [...incomingSent].map((id) =>
      client.workflow
        .getHandle(callWorkflowId(id))
        .describe()
        .then(
          (d) => d.type,
          () => 'missing',
        ),
    ),
  );
  expect(described.filter((t) => t !== 'callWorkflow')).toEqual([]);
  // Every valid state notification for a known call reached its workflow as a signal, once.
  for (let i = 0; i < ANCHORS; i++) {
    const history = await client.workflow.getHandle(callWorkflowId(`anchor-${i}`)).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    expect(signals, `signals to anchor-${i}`).toBe(signalsSent.get(`anchor-${i}`) ?? 0);
  }
  // The app is still up and taking calls.
  expect(await send({ body: incomingBody('after-the-storm'), token: 'valid' })).toBe(202);
}, 600_000);
