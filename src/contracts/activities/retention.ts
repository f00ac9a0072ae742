/** The daily retention run's one activity (activities/retention.ts); it heartbeats as it goes. */

/** What a retention run deleted, and from before when. */
export interface RetentionSummary {
  cutoff: string;
  calls: number;
  events: number;
  voicemails: number;
  callbacks: number;
  recordings: number;
  /** Agents' state history (agent_state_change; the agent metrics' facts follow by trigger). */
  agentStates: number;
  recordingAccesses: number;
  /** Recording access tokens (recording_token) kept over a day, or of a deleted call. */
  recordingTokens: number;
  /** Audit rows, older than the audit's own period (AUDIT_RETENTION_DAYS). */
  auditEntries: number;
  files: number;
}

export interface RetentionActivities {
  /** Delete everything older than `retentionDays`, counted from when the run was scheduled: a retry never widens it. */
  purgeExpiredData(input: { retentionDays: number }): Promise<RetentionSummary>;
}
