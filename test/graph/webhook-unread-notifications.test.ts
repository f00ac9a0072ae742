import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contracts/call.js';
import type { CallNotification } from '../../src/contracts/graph-call.js';
import { incomingNotification } from '../helpers/notifications.js';
import { startServices, type Services } from '../helpers/services.js';
import { createWebhookApp } from '../helpers/webhook-app.js';

// Issue 25, point 1: notifications that change nothing a call workflow reads are acknowledged without a signal (each
// signal is a workflow task and history for the Temporal server). Real Temporal and Postgres, the webhook as Graph
// calls it; no worker, so the call's history shows exactly what was signalled.
let services: Services;
let base: string;

function commsNotification(callId: string, resourceData: Record<string, unknown>, operationId?: string) {
  return {
    '@odata.type': '#microsoft.graph.commsNotification',
    changeType: operationId ? 'deleted' : 'updated',
    resourceUrl: `/communications/calls/${callId}${operationId ? `/operations/${operationId}` : ''}`,
    resourceData,
  };
}

const call = (state: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.call',
  state,
  ...extra,
});
/** An operation's completion as Graph notifies it (api-reference/v1.0/resources/commsoperation.md). */
const operation = (type: string, id: string) => ({
  '@odata.type': `#microsoft.graph.${type}Operation`,
  id,
  status: 'completed',
  clientContext: 'test',
  resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', code: 200, subcode: 0, message: 'Action completed.' },
});

async function post(body: unknown): Promise<number> {
  const res = await fetch(`${base}/api/calling`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await services.keys.sign({ kid: 'k1' })}` },
    body: JSON.stringify(body),
  });
  return res.status;
}

async function signalled(callId: string): Promise<CallNotification[]> {
  const history = await services.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
  const out: CallNotification[] = [];
  for (const e of history.events ?? []) {
    const attrs = e.workflowExecutionSignaledEventAttributes;
    if (!attrs) continue;
    expect(attrs.signalName).toBe('graphNotification');
    const [n] = (await decodeArrayFromPayloads(
      services.client.options.loadedDataConverter,
      attrs.input?.payloads as Parameters<typeof decodeArrayFromPayloads>[1],
    )) as [CallNotification];
    out.push(n);
  }
  return out;
}

beforeAll(async () => {
  services = await startServices('webhook-unread-notifications');
  base = await services.serve(createWebhookApp({ client: services.client, orm: services.orm, keys: services.keys }));
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

describe('notifications a call workflow does not read are acknowledged, not signalled', () => {
  it('establishing (either order) and the subscribeToTone and cancelMediaProcessing operations: 202, no signal', async () => {
    const callId = 'unread-1';
    expect(await post(incomingNotification(callId))).toBe(202);
    // One body as Graph batches them: the documented out-of-order establishing/established (graph-calling.md quirks).
    const body = {
      value: [
        commsNotification(callId, call('establishing')),
        commsNotification(callId, operation('subscribeToTone', 'op-tones'), 'op-tones'),
        commsNotification(callId, call('established')),
        commsNotification(callId, call('establishing')),
        commsNotification(callId, operation('playPrompt', 'op-greeting'), 'op-greeting'),
        commsNotification(callId, operation('cancelMediaProcessing', 'op-cancel'), 'op-cancel'),
        commsNotification(callId, call('terminated', { resultInfo: { code: 200, subcode: 4097 } })),
      ],
    };
    expect(await post(body)).toBe(202);
    const got = (await signalled(callId)).map((n) =>
      n.kind === 'state' ? `state:${n.state}` : n.kind === 'operation' ? `${n.operationType}:${n.status}` : n.kind,
    );
    expect(got).toEqual(['state:established', 'playPrompt:completed', 'state:terminated']);
  });

  it('an establishing that carries callRoutes still reaches the workflow (a forwarded ring is read)', async () => {
    const callId = 'unread-2';
    expect(await post(incomingNotification(callId))).toBe(202);
    const identity = (id: string) => ({ user: { id, displayName: id } }); // an identitySet (callroute.md)
    const routes = [{ routingType: 'forwarded', original: identity('adele'), final: identity('bob') }];
    expect(await post({ value: [commsNotification(callId, call('establishing', { callRoutes: routes }))] })).toBe(202);
    const got = await signalled(callId);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'state', state: 'establishing', routes: [{ routingType: 'forwarded' }] });
  });
});
