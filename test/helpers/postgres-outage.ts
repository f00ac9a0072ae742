import { expect } from 'vitest';
import { eventually } from './eventually.js';
import { sleep, type chaosScenarios, type ScenarioStack } from './chaos-scenario.js';

/** How long Switchboard's own Postgres stays down in the outage scenario. */
export const POSTGRES_OUTAGE_MS = 30_000;

/** Stops and starts Switchboard's own Postgres: the single-node chaos stack's embedded one, or the cluster's. */
export interface AppDatabaseSwitch {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Switchboard's Postgres down for 30 s while calls come (chaos-dependencies and the cluster test; issue 20, point 7):
 * three calls before, ten while it is down. Routing does not need Postgres, so every call is answered, transferred to
 * an agent and ended while it is down (the call workflow itself completes only once its record is written, so its
 * result waits for Postgres). Postgres is started again whatever happened, so that the next scenarios run on a whole
 * stack. Returns every call placed; what is written after recovery is the caller's to check.
 */
export async function callsThroughPostgresOutage(
  stack: ScenarioStack,
  scenarios: Pick<ReturnType<typeof chaosScenarios>, 'placeCalls' | 'succeeded'>,
  db: AppDatabaseSwitch,
  opts: { warmGapMs: number; tags: readonly [before: string, during: string] },
): Promise<string[]> {
  const { placeCalls, succeeded } = scenarios;
  const warm = await placeCalls(3, opts.warmGapMs, opts.tags[0]);
  await db.stop();
  const stoppedAt = Date.now();
  try {
    const all = [...warm, ...(await placeCalls(10, 300, opts.tags[1]))];
    await eventually(
      () =>
        all.every(
          (id) =>
            succeeded(id, 'answer') === 1 &&
            succeeded(id, 'transfer') === 1 &&
            stack.emulator.getCall(id)!.state === 'terminated',
        )
          ? true
          : undefined,
      'every call answered, transferred and ended with Postgres down',
      60_000,
    );
    expect(
      await stack.query('select 1', []).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');
    const downMs = Date.now() - stoppedAt;
    if (downMs < POSTGRES_OUTAGE_MS) await sleep(POSTGRES_OUTAGE_MS - downMs);
    return all;
  } finally {
    await db.start();
  }
}
