import { afterEach } from 'vitest';
import type { HistoryCheck } from '../../src/temporal/history-check.js';
import { FlowTest } from './flow-test.js';
import type { FlowTestHistories, FlowTestOptions } from './options.js';

/**
 * For a test file with one FlowTest per test (vitest):
 *
 *   const flowTests = flowTestEachTest();
 *   it('…', async () => { const t = await flowTests.start({ agents: 'accept' }); … });
 *   it('every history replays', async () => expectReplayCheck(flowTests.replay, [...]));
 *
 * After each test its histories are kept and its server stopped, even when the test failed, so the replay check that
 * ends the file (issue 28) sees every call, queue and agent run the file wrote: a flow or workflow change that would
 * stall calls in flight fails in the admin's own tests.
 */
export function flowTestEachTest(): {
  start(options?: FlowTestOptions): Promise<FlowTest>;
  replay(): Promise<HistoryCheck>;
} {
  let current: FlowTest | undefined;
  const kept: FlowTestHistories[] = [];
  afterEach(async () => {
    try {
      if (current) kept.push(await current.histories());
    } finally {
      await current?.stop();
      current = undefined;
    }
  });
  return {
    async start(options) {
      current = await FlowTest.start(options);
      return current;
    },
    replay: () => FlowTest.replay(kept),
  };
}
