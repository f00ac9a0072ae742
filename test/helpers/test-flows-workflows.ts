/**
 * The workflows exactly as deployed (workflows/index.ts), plus one test-only flow on a number of its own,
 * 'ra-test-callback': the support queue with a callback offered after 2 s and retried 10 s apart. An end-to-end test
 * over the real stack (Temporal dev server, no time skipping) can then take a callback without sitting through the
 * support line's 2 minutes. A worker's `workflowsPath` in test/helpers/test-flows-stack.ts; never deployed.
 */
import { callFlows } from '../../flows/flows.js';
import type { FlowDefinition } from '../../workflows/flow/api.js';

export const TEST_CALLBACK_NUMBER = 'ra-test-callback';

const testCallbackLine: FlowDefinition = {
  name: 'test-callback-line',
  description: 'Tests only: the support queue, a callback offered after 2 s, 2 tries 10 s apart',
  numbers: [TEST_CALLBACK_NUMBER],
  async run(call) {
    await call.queue('support', { offerCallbackAfterSeconds: 2, callbackAttempts: 2, callbackRetryDelaySeconds: 10 });
  },
};

// Module state evaluated once when the bundle loads, before any workflow runs: deterministic on every replay.
if (!callFlows.some((f) => f.name === testCallbackLine.name)) callFlows.unshift(testCallbackLine);

export * from '../../workflows/index.js';
