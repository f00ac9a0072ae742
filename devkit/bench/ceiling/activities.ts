import type { BenchActivities } from './contract.js';

/** The ceiling workflow's activity: a round trip through Temporal that does nothing else. */
export function createBenchActivities(): BenchActivities {
  return {
    async benchNoop(i: number): Promise<number> {
      return i;
    },
  };
}
