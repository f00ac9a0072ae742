/**
 * The workflows exactly as deployed (workflows/index.ts), plus one test-only flow on a number of its own,
 * 'ra-test-callback': the support queue with a callback offered after 2 s and retried 10 s apart. An end-to-end test
 * over the real stack (Temporal dev server, no time skipping) can then take a callback without sitting through the
 * support line's 2 minutes. And 'ra-test-voicemail', straight to the sales voicemail box. A worker's `workflowsPath` in test/helpers/test-flows-stack.ts; never deployed.
 */
import { callFlows } from '../../flows/flows.js';
import type { FlowDefinition } from '../../workflows/flow/api.js';

export const TEST_CALLBACK_NUMBER = 'ra-test-callback';
/** Straight to the sales voicemail box: voicemail tests need no queue emptied first. */
export const TEST_VOICEMAIL_NUMBER = 'ra-test-voicemail';

const testCallbackLine: FlowDefinition = {
  name: 'test-callback-line',
  description: 'Tests only: the support queue, a callback offered after 2 s, 2 tries 10 s apart',
  numbers: [TEST_CALLBACK_NUMBER],
  async run(call) {
    await call.queue('support', { offerCallbackAfterSeconds: 2, callbackAttempts: 2, callbackRetryDelaySeconds: 10 });
  },
};

const testVoicemailLine: FlowDefinition = {
  name: 'test-voicemail-line',
  description: 'Tests only: the sales voicemail box, nothing before it',
  numbers: [TEST_VOICEMAIL_NUMBER],
  async run(call) {
    await call.voicemail('sales');
  },
};

// Module state evaluated once when the bundle loads, before any workflow runs: deterministic on every replay.
for (const line of [testCallbackLine, testVoicemailLine])
  if (!callFlows.some((f) => f.name === line.name)) callFlows.unshift(line);

export * from '../../workflows/index.js';
