/**
 * A test-only workflow as first deployed (test/reliability/history-check.test.ts): a timer, then it waits to be released. v2.ts
 * is the same workflow changed without a patch, so a history written by this one does not replay on that one.
 */
import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const releaseSignal = defineSignal('release');

export async function historyCheckWorkflow(input: { wait: boolean }): Promise<string> {
  let released = !input.wait;
  setHandler(releaseSignal, () => void (released = true));
  await sleep(1);
  await condition(() => released);
  return 'done';
}
