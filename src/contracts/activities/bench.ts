/** The benchmark ceiling workflow's activity (activities/bench.ts). */
export interface BenchActivities {
  /** A round trip through Temporal that does nothing else. */
  benchNoop(i: number): Promise<number>;
}
