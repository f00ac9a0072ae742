// The bench's own workflow code, bundled for the bench's ceiling worker (worker.ts), never for Switchboard's.
/* eslint-disable no-restricted-imports -- the ceiling runs its local activities one after another, as plain as can be */
import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
/* eslint-enable no-restricted-imports */
import type { BenchActivities } from './contract.js';

/** A signal standing in for a Graph notification. */
export const ceilingSignal = defineSignal<[number]>('ceilingSignal');

const { benchNoop } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<BenchActivities>({ startToCloseTimeout: '30s' });

/**
 * The benchmark's ceiling: the same number of activities (and local activities), signals and timers as a
 * Switchboard call, with none of Switchboard's logic. Calls per second of this on the same server is what
 * Switchboard is measured against.
 */
export async function benchCeilingWorkflow(input: {
  activities: number;
  localActivities?: number;
  signals: number;
  timers: number;
}): Promise<void> {
  let received = 0;
  setHandler(ceilingSignal, () => {
    received++;
  });
  for (let i = 0; i < input.activities; i++) {
    await benchNoop(i);
    if (i < (input.localActivities ?? 0)) await local.benchNoop(i);
    if (i < input.timers) await sleep(1);
  }
  for (let i = input.activities; i < (input.localActivities ?? 0); i++) await local.benchNoop(i);
  for (let i = input.activities; i < input.timers; i++) await sleep(1);
  await condition(() => received >= input.signals);
}
