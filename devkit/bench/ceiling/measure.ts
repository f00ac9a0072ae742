/**
 * The ceiling: as many bare workflows as the bench's calls (at most `calls`), started as fast as the server takes
 * them, on the same server. Their completion rate is the most this server and a worker do with a call's number of
 * activities, signals and timers (the call's own and its share of routing's): what Switchboard is measured against.
 */
import type { Client } from '@temporalio/client';
import { bar, progress } from '../progress.js';
import { ceilingSignal } from './workflow.js';

/** One call's Temporal work, for the ceiling workflow to repeat. */
export interface CeilingWork {
  activities: number;
  localActivities: number;
  signals: number;
  timers: number;
}

/** Runs `calls` ceiling workflows on `taskQueue` (the ceiling worker's) and returns their completions per second. */
export async function measureCeiling(
  client: Client,
  taskQueue: string,
  work: CeilingWork,
  calls: number,
): Promise<{ perSecond: number; calls: number }> {
  const started = Date.now();
  let done = 0;
  const completions: number[] = [];
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < calls; i++) {
    const handle = await client.workflow.start('benchCeilingWorkflow', {
      workflowId: `ceiling-${i}`,
      taskQueue,
      args: [work],
    });
    runs.push(
      (async () => {
        for (let s = 0; s < work.signals; s++) await handle.signal(ceilingSignal, s);
        await handle.result();
        done++;
        completions.push(Date.now());
        progress(`ceiling ${bar(done, calls)}`);
      })(),
    );
    if (i % 10 === 9) progress(`ceiling ${bar(done, calls)} started ${i + 1}`);
  }
  await Promise.all(runs);
  // All started together, so throughput is all of them over the time until the last one finished.
  const perSecond = calls / Math.max(0.001, (Math.max(started, ...completions) - started) / 1000);
  return { perSecond, calls };
}
