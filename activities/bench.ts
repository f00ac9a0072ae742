/** The ceiling workflow's activity: a round trip through Temporal that does nothing else. */
export function createBenchActivities() {
  return {
    async benchNoop(i: number): Promise<number> {
      return i;
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
