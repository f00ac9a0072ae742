/**
 * The webhook takes a notification however its envelope is spelt (issue 21, point 6):
 * - the Content-Type's charset in its variants (`utf-8` in any case, `utf8`, quoted), all UTF-8: JSON is UTF-8
 *   (RFC 8259) and Graph's examples send `application/json` (api-reference/v1.0/api/call-answer.md);
 * - `@odata.type` with its value in Microsoft's other casing (`#Microsoft.Graph.CommsNotifications`), its key as
 *   `@odata.Type`, and without the `@` as OData's JSON before v4 wrote it.
 * Real Temporal (dev server), no worker: a started workflow shows that the incoming call was read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { callWorkflowId } from '../../src/contracts/call.js';
import { startServices, type Services } from '../helpers/services.js';
import { incomingNotification } from '../helpers/notifications.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { createWebhookApp } from '../helpers/webhook-app.js';

let services: Services;
let client: Client;
let base: string;
const keys = new SigningKeys();

beforeAll(async () => {
  services = await startServices('webhook-variants', { keys });
  client = services.client;
  const app = createWebhookApp({ client, orm: services.orm, keys });
  base = await services.serve(app);
});

afterAll(async () => {
  await services?.stop();
});

let n = 0;
async function post(body: unknown, contentType: string): Promise<Response> {
  return fetch(`${base}/api/calling`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${await keys.sign({ kid: 'k1' })}` },
    body: JSON.stringify(body),
  });
}

const started = (callId: string) =>
  client.workflow
    .getHandle(callWorkflowId(callId))
    .describe()
    .then(
      () => true,
      () => false,
    );

describe('charset variants', () => {
  for (const contentType of [
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=UTF-8',
    'application/json;charset=utf8',
    'application/json; charset=UTF8',
    'application/json; charset="utf-8"',
  ]) {
    it(`accepts ${contentType}`, async () => {
      const callId = `charset-call-${++n}`;
      const res = await post(incomingNotification(callId), contentType);
      expect(res.status).toBe(202);
      expect(await started(callId)).toBe(true);
    });
  }

  it('refuses a charset that is not UTF-8, with a clear status', async () => {
    const res = await post(incomingNotification(`charset-call-${++n}`), 'application/json; charset=iso-8859-1');
    expect(res.status).toBe(415);
  });
});

describe('@odata.type spellings', () => {
  const respell = (body: Record<string, unknown>, key: string, upper: boolean): Record<string, unknown> => {
    const text = JSON.stringify(body)
      .replaceAll('"@odata.type"', JSON.stringify(key))
      .replaceAll('#microsoft.graph.', upper ? '#Microsoft.Graph.' : '#microsoft.graph.');
    return JSON.parse(text) as Record<string, unknown>;
  };
  for (const [key, upper] of [
    ['@odata.type', true],
    ['@odata.Type', false],
    ['@Odata.Type', true],
    ['odata.type', false],
  ] as const) {
    it(`reads ${key} with ${upper ? '#Microsoft.Graph.' : '#microsoft.graph.'} values`, async () => {
      const callId = `odata-call-${++n}`;
      const body = respell(incomingNotification(callId), key, upper);
      const res = await post(body, 'application/json; charset=utf-8');
      expect(res.status).toBe(202);
      expect(await started(callId)).toBe(true);
    });
  }

  it('still refuses a body of another type', async () => {
    const body: Record<string, unknown> = {
      ...incomingNotification(`odata-call-${++n}`),
      '@odata.Type': '#microsoft.graph.changeNotification',
    };
    delete body['@odata.type'];
    const res = await post(body, 'application/json');
    expect(res.status).toBe(400);
  });
});
