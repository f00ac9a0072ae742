/**
 * test/helpers/history-check/v1.ts changed the way issue 28 forbids: an activity where v1 started its timer, with no
 * patch. v1's histories do not replay on this code.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export const releaseSignal = defineSignal('release');

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function historyCheckWorkflow(input: { wait: boolean }): Promise<string> {
  let released = !input.wait;
  setHandler(releaseSignal, () => void (released = true));
  await noop();
  await condition(() => released);
  return 'done';
}
