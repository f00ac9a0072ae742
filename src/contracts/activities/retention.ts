/** The daily retention run's one activity (activities/retention.ts). */

/** What a retention run deleted, and from before when. */
export interface RetentionSummary {
  cutoff: string;
  calls: number;
  events: number;
  voicemails: number;
  callbacks: number;
  recordings: number;
  files: number;
}

export interface RetentionActivities {
  /** Delete everything older than `retentionDays`, counted from when the run was scheduled: a retry never widens it. */
  purgeExpiredData(input: { retentionDays: number }): Promise<RetentionSummary>;
}
