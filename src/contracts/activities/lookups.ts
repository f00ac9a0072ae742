/** The call flows' data dips (`call.lookup`), run as an activity (activities/lookups.ts). */
export interface LookupActivities {
  /** Runs the named lookup; its result as JSON (null for nothing). An unknown name fails for good. */
  lookup(input: { name: string; input: unknown }): Promise<unknown>;
}
