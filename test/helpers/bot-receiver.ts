/**
 * A stand-in for the bot's calling webhook and prompt host, for emulator tests: collects the notifications the
 * emulator POSTs (answering 202 like Microsoft's SDK) and serves prompt files. Plus an emulator with the app's real
 * Graph layer (MSAL + Graph JS client + CallControl) pointed at it.
 */
import express from 'express';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../devkit/emulator/index.js';
import { CallControl } from '../../src/graph/call-control.js';
import { createGraphClient, type GraphClient } from '../../src/graph/client.js';
import { listen } from './services.js';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '9ab1c7d4-5e2f-4a61-b8a3-0c1d2e3f4a5b';
export const SECRET = 'emulator-test-secret';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface Received {
  at: number;
  authorization?: string;
  headers: Record<string, string | string[] | undefined>;
  envelope: { '@odata.type': string; value: unknown[] };
  item: { '@odata.type': string; changeType: string; resource?: string; resourceUrl: string; resourceData: Loose };
}

export interface Receiver {
  url: string;
  callbackUri: string;
  received: Received[];
  prompt(name: string, wav: Buffer): string;
  waitFor(pred: (r: Received) => boolean, what: string, timeoutMs?: number): Promise<Received>;
  forCall(callId: string): Received[];
  close(): Promise<void>;
}

/** The bot's side: collects notifications at /api/calls (answering 202 like Microsoft's SDK) and serves prompts. */
export async function startReceiver(opts: { waitTimeoutMs?: number } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const prompts = new Map<string, Buffer>();
  const app = express();
  app.use(express.json());
  app.post('/api/calls', (req, res) => {
    for (const item of req.body.value) {
      received.push({
        at: Date.now(),
        authorization: req.header('authorization'),
        headers: req.headers,
        envelope: req.body,
        item,
      });
    }
    res.status(202).end();
  });
  app.get('/prompts/:name', (req, res) => {
    const wav = prompts.get(req.params.name);
    if (!wav) return void res.status(404).end();
    res.type('audio/wav').send(wav);
  });
  const { server, url } = await listen(app);
  const callIdOf = (r: Received) => /\/communications\/calls\/([^/]+)/.exec(r.item.resourceUrl)?.[1];
  return {
    url,
    callbackUri: `${url}/api/calls`,
    received,
    prompt(name, wav) {
      prompts.set(name, wav);
      return `${url}/prompts/${name}`;
    },
    async waitFor(pred, what, timeoutMs = opts.waitTimeoutMs ?? 5000) {
      return vi.waitFor(
        () => {
          const hit = received.find(pred);
          if (!hit) throw new Error(`no notification yet: ${what}`);
          return hit;
        },
        { timeout: timeoutMs, interval: 10 },
      );
    },
    forCall(callId) {
      return received.filter((r) => callIdOf(r) === callId);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const isState = (callId: string, state: string) => (r: Received) =>
  r.item.resourceUrl === `/communications/calls/${callId}` &&
  !Array.isArray(r.item.resourceData) &&
  r.item.resourceData['state'] === state;
export const isOperation = (callId: string, opId: string) => (r: Received) =>
  r.item.resourceUrl === `/communications/calls/${callId}/operations/${opId}`;

export interface EmulatorRig {
  receiver: Receiver;
  emulator: Emulator;
  graph: GraphClient;
  calls: CallControl;
  /** A raw Graph request with the app's real token, to see statuses and error bodies. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: Loose; headers: Headers }>;
  /** Places a call and answers it; resolves once established. */
  establishedCall(script?: Partial<Parameters<Emulator['placeCall']>[0]>): Promise<string>;
  stop(): Promise<void>;
}

/** Switchboard's Graph client on the emulator's tenant, with the app's secret unless a test gives another. */
export function graphClientOn(emulator: Emulator, clientSecret = SECRET): Promise<GraphClient> {
  return createGraphClient({
    graphBaseUrl: emulator.graphBaseUrl,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret,
    authorityMetadataUrl: emulator.authorityMetadataUrl,
  });
}

export async function startRig(
  options: Partial<EmulatorOptions> = {},
  receiverOptions: Parameters<typeof startReceiver>[0] = {},
): Promise<EmulatorRig> {
  const receiver = await startReceiver(receiverOptions);
  const emulator = await startEmulator({
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    botCallingUrl: receiver.callbackUri,
    mediaSpeed: 10,
    answerTimeoutMs: 60000,
    ...options,
  });
  const graph = await graphClientOn(emulator);
  const calls = new CallControl(graph);
  return {
    receiver,
    emulator,
    graph,
    calls,
    async raw(method, path, body, headers = {}) {
      const res = await fetch(`${emulator.graphBaseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await graph.getAccessToken()}`,
          'content-type': 'application/json',
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async establishedCall(script = {}) {
      const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' }, ...script });
      await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
      await calls.answer(callId, { callbackUri: receiver.callbackUri });
      await receiver.waitFor(isState(callId, 'established'), 'established');
      return callId;
    },
    async stop() {
      await emulator.stop();
      await receiver.close();
    },
  };
}

/**
 * One rig for a test file: started before the file's tests and stopped after them. The object is filled in by the
 * time the tests run (use its fields inside tests and hooks, not at the top of the file).
 */
export function rigForFile(
  options: Partial<EmulatorOptions> = {},
  receiverOptions: Parameters<typeof startReceiver>[0] = {},
): EmulatorRig {
  const rig = {} as EmulatorRig;
  let started: EmulatorRig | undefined;
  beforeAll(async () => {
    started = await startRig(options, receiverOptions);
    Object.assign(rig, started);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return rig;
}

/** The client-request-id rawGraph sends; Graph echoes it in an error's innerError. */
export const CLIENT_REQUEST_ID = 'test-client-request-id';

/** A raw Graph request with the app's real token and a client-request-id, to look at statuses and bodies CallControl hides. */
export function rawGraph(
  rig: EmulatorRig,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Loose; headers: Headers }> {
  return rig.raw(method, path, body, { 'client-request-id': CLIENT_REQUEST_ID });
}

/** A Graph error response as documented: status, code, a message, and innerError with date and both request ids. */
export function expectGraphError(r: { status: number; json: Loose }, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.json.error.code).toBe(code);
  expect(typeof r.json.error.message).toBe('string');
  expect(r.json.error.message.length).toBeGreaterThan(0);
  expect(r.json.error.innerError).toEqual({
    date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
    'request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    'client-request-id': CLIENT_REQUEST_ID,
  });
}
