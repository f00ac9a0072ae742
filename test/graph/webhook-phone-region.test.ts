import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId, type CallWorkflowInput } from '../../src/contracts/call.js';
import { incomingNotification } from '../helpers/notifications.js';
import { startServices, type Services } from '../helpers/services.js';
import { createWebhookApp } from '../helpers/webhook-app.js';

// Issue 26, point 1: PHONE_REGION, the default country of lines whose flow names none, reaches each call's workflow
// (CallWorkflowInput.phoneRegion), where the callback offer reads keyed numbers in it. Real Temporal and Postgres; the
// webhook as Graph calls it. No worker: the started workflow's input is read from its history.
let services: Services;

async function webhookWith(phoneRegion: string | undefined): Promise<string> {
  return services.serve(
    createWebhookApp(
      { client: services.client, orm: services.orm, keys: services.keys },
      phoneRegion ? { phoneRegion } : {},
    ),
  );
}

async function startedInput(base: string, callId: string): Promise<CallWorkflowInput> {
  const res = await fetch(`${base}/api/calling`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await services.keys.sign({ kid: 'k1' })}` },
    body: JSON.stringify(incomingNotification(callId)),
  });
  expect(res.status).toBe(202);
  const history = await services.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const [input] = (await decodeArrayFromPayloads(
    services.client.options.loadedDataConverter,
    payloads as Parameters<typeof decodeArrayFromPayloads>[1],
  )) as [CallWorkflowInput];
  return input;
}

beforeAll(async () => {
  services = await startServices('webhook-phone-region');
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

describe('PHONE_REGION reaches every call', () => {
  it('a web process with PHONE_REGION=GB starts each call with phoneRegion GB', async () => {
    const input = await startedInput(await webhookWith('GB'), 'phone-region-gb');
    expect(input.phoneRegion).toBe('GB');
  });

  it('without it, the call has none (the callback reads national numbers in the caller’s country)', async () => {
    const input = await startedInput(await webhookWith(undefined), 'phone-region-none');
    expect(input).not.toHaveProperty('phoneRegion');
  });
});
