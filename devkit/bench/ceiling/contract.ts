/** The bench ceiling workflow's activity (activities.ts), as the workflow (workflow.ts) calls it. */
export interface BenchActivities {
  /** A round trip through Temporal that does nothing else. */
  benchNoop(i: number): Promise<number>;
}
