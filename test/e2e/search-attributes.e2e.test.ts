import { findPhoneNumbersInText } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { queues } from '../../flows/index.js';
import { CALL_SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { privacyHmacKey, subjectRef } from '../../src/privacy/subject-ref.js';
import { callExplorer } from '../../dashboards/call-explorer.js';

// Issue 26, point 3: the call's search attributes on the embedded stack (emulator → webhook → Temporal dev server
// started with --search-attribute → worker). Calls placed end to end are found by a visibility query as a person
// would type it in the Temporal UI, and no attribute holds a caller's number or name.

const ABANDONING_CALLER = '+14255550142';
const SALES_CALLER = '+447700900123';
const CONNECTED_NAME = 'Megan Bowen';
const [adele, alex] = queues.support!.agents as [string, string];

let stack: TestStack;
stackForFile(
  async () =>
    (stack = await startTestStack({}, { queues: { ...queues, support: { ...queues.support!, wrapUpSeconds: 0 } } })),
);

/** Every workflow a visibility query lists, once the dev server's visibility has caught up with `expected` of them. */
async function listed(query: string, expected: number): Promise<WorkflowExecutionInfo[]> {
  return eventually(async () => {
    const found: WorkflowExecutionInfo[] = [];
    for await (const w of stack.client.workflow.list({ query })) found.push(w);
    return found.length === expected ? found : undefined;
  }, `${expected} workflow(s) for ${query}`);
}

/** The call's own search attributes, as strings (all are Keyword). */
function attributesOf(w: WorkflowExecutionInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CALL_SEARCH_ATTRIBUTES) {
    const value = w.searchAttributes[name];
    if (Array.isArray(value) && value.length) out[name] = String(value[0]);
  }
  return out;
}

describe('call search attributes (Temporal visibility)', () => {
  it("lists a queue's abandoned calls with Queue = 'support' AND Outcome = 'abandoned', and nothing holds a number", async () => {
    // A connected call on the support line first (a Teams user with a display name).
    for (const a of [adele, alex])
      stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 500 });
    const connected = await stack.emulator!.placeCall({
      from: { user: { id: 'search-attr-user', displayName: CONNECTED_NAME } },
      applicationInstanceId: 'ra-support',
    });
    const connectedSummary = await callResult(stack.client, connected.callId);
    expect(connectedSummary.outcome).toBe('connected');

    // Then nobody answers: one caller gives up on the support line, another on the sales line.
    for (const a of [adele, alex, ...(queues.sales!.agents as string[])])
      stack.emulator!.setAgent(a, { onTransfer: 'decline', answerAfterMs: 200 });
    const [abandoned, sales] = await Promise.all([
      stack.emulator!.placeCall({
        from: { phone: ABANDONING_CALLER },
        applicationInstanceId: 'ra-support',
        hangUpAfterMs: 3000,
      }),
      stack.emulator!.placeCall({
        from: { phone: SALES_CALLER },
        applicationInstanceId: 'ra-sales',
        hangUpAfterMs: 3000,
      }),
    ]);
    expect((await callResult(stack.client, abandoned.callId)).outcome).toBe('abandoned');
    expect((await callResult(stack.client, sales.callId)).outcome).toBe('abandoned');

    // What README shows for the Temporal UI's search box: the support queue's abandoned calls, and only those.
    const supportAbandoned = await listed(`Queue = 'support' AND Outcome = 'abandoned'`, 1);
    expect(supportAbandoned.map((w) => w.workflowId)).toEqual([callWorkflowId(abandoned.callId)]);
    expect((await listed(`Queue = 'sales' AND Outcome = 'abandoned'`, 1)).map((w) => w.workflowId)).toEqual([
      callWorkflowId(sales.callId),
    ]);
    expect((await listed(`Queue = 'support'`, 2)).map((w) => w.workflowId).sort()).toEqual(
      [callWorkflowId(connected.callId), callWorkflowId(abandoned.callId)].sort(),
    );

    // Each attribute, as the call moved on: the line and flow from the webhook, the queue, the agent, the outcome.
    const [connectedInfo] = await listed(`WorkflowId = '${callWorkflowId(connected.callId)}'`, 1);
    expect(attributesOf(connectedInfo!)).toEqual({
      Queue: 'support',
      Outcome: 'connected',
      Agent: connectedSummary.agentId,
      FlowName: 'support-line',
      Line: 'ra-support',
      CallerHash: expect.stringMatching(/^subject:hmac-sha256:/),
    });
    expect(attributesOf(supportAbandoned[0]!)).toMatchObject({
      Queue: 'support',
      Outcome: 'abandoned',
      Line: 'ra-support',
    });
    expect(attributesOf(supportAbandoned[0]!)).not.toHaveProperty('Agent');

    // CallerHash is the reference privacy requests name the person by (the same key): it finds their calls.
    const key = privacyHmacKey(stack.config.privacy.hmacKey, stack.config.dataDir);
    const hash = subjectRef({ kind: 'phone', e164: ABANDONING_CALLER }, key);
    expect((await listed(`CallerHash = '${hash}'`, 1)).map((w) => w.workflowId)).toEqual([
      callWorkflowId(abandoned.callId),
    ]);

    // The Call explorer's links open the Temporal UI on a visibility query: each one finds what it says.
    const overrides = (callExplorer().panels?.[0] as { fieldConfig: { defaults: unknown; overrides: unknown[] } })
      .fieldConfig.overrides as {
      matcher: { options: string };
      properties: { value: { title: string; url: string }[] }[];
    }[];
    const linkQuery = (column: string, title: string, value: string) => {
      const url = overrides
        .find((o) => o.matcher.options === column)!
        .properties[0]!.value.find((l) => l.title === title)!
        .url.replaceAll('${__value.raw}', value);
      expect(url.startsWith('${temporal_ui}/namespaces/${temporal_namespace}/workflows?query=')).toBe(true);
      return new URL(url.replace('${temporal_ui}', 'http://temporal-ui')).searchParams.get('query')!;
    };
    const workflowId = callWorkflowId(abandoned.callId);
    expect((await listed(linkQuery('workflow_id', 'This call in Temporal', workflowId), 1))[0]!.workflowId).toBe(
      workflowId,
    );
    expect(
      (await listed(linkQuery('queue', 'This queue’s abandoned calls in Temporal', 'support'), 1))[0]!.workflowId,
    ).toBe(workflowId);
    expect(await listed(linkQuery('queue', 'This queue’s calls in Temporal', 'support'), 2)).toHaveLength(2);

    // No attribute of any call holds a phone number (in any form libphonenumber finds in text) or a name.
    const all = await listed(`WorkflowType = 'callWorkflow'`, 3);
    for (const w of all) {
      const values = Object.values(attributesOf(w));
      expect(values.length).toBeGreaterThanOrEqual(5);
      for (const value of values) {
        for (const country of ['US', 'GB'] as const)
          expect(findPhoneNumbersInText(value, country), `${w.workflowId}: ${value}`).toEqual([]);
        for (const secret of [ABANDONING_CALLER, SALES_CALLER, '4255550142', '7700900123', CONNECTED_NAME])
          expect(value).not.toContain(secret);
      }
    }
  });
});
