/** Business hours, as the call flows' `isOpen` asks for them (activities/schedules.ts). */

export type ScheduleStatus = {
  schedule: string;
  open: boolean;
  /**
   * hours: open by the weekly hours; closed: outside the weekly hours; holiday: closed all day;
   * specialHours: today has special hours (open or closed by them).
   */
  reason: 'hours' | 'closed' | 'holiday' | 'specialHours';
  /** The holiday's or special date's name. */
  name?: string;
  /** ISO 8601 (UTC), when it next opens or closes, if that is within 14 days. */
  nextChange?: string;
};

export interface ScheduleActivities {
  /** Whether a schedule is open now (or at `at`, ISO 8601), why, and when that next changes; unknown fails for good. */
  isOpen(input: { schedule: string; at?: string }): Promise<ScheduleStatus>;
}
