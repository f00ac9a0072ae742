/**
 * Business-hours schedules: plain data and types only (the call flows and the workflow bundle import these).
 * Definitions live in code (flows/schedules.ts); holidays and special dates added at run time by admins live in
 * Postgres (`schedule_exception`) and are merged in by the `isOpen` activity, whose answer (ScheduleStatus) is in
 * src/contracts/activities/schedules.ts.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type ScheduleDefinition = {
  displayName: string;
  /** IANA time zone, e.g. America/Los_Angeles. */
  timeZone: string;
  /** 'HH:MM' open intervals in local time, start inclusive, end exclusive; '24:00' is allowed as an end. */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /**
   * The country's (and region's) public holidays, from the date-holidays library for any year, closed all day. They
   * rank below the schedule's own holidays and special dates and below admins' exceptions, so those override them;
   * `except` drops some ('YYYY-MM-DD' once, 'MM-DD' every year, or the library's holiday name).
   */
  publicHolidays?: PublicHolidaySource;
  /** Closed all day: 'YYYY-MM-DD' once, or 'MM-DD' every year. */
  holidays?: Array<{ date: string; name: string }>;
  /** These hours replace that day's weekly hours ('YYYY-MM-DD' once, or 'MM-DD' every year). */
  specialDates?: Array<{ date: string; name: string; hours: Array<[string, string]> }>;
};

export type PublicHolidaySource = {
  /** ISO 3166-1 alpha-2, e.g. 'US', 'GB', 'FR', 'DE'. */
  country: string;
  /** The library's state or region code within the country, e.g. 'CA', 'ENG', 'BY'. */
  region?: string;
  except?: string[];
};

/** One public holiday on a full local date ('YYYY-MM-DD'), as the isOpen activity hands it to scheduleStatus. */
export type PublicHoliday = { date: string; name: string };

/** A holiday or special date added at run time (Postgres), for one schedule. */
export type ScheduleException = {
  /** 'YYYY-MM-DD' once, or 'MM-DD' every year. */
  date: string;
  name: string;
  kind: 'holiday' | 'specialHours';
  /** specialHours only: replaces that day's weekly hours. */
  hours?: Array<[string, string]>;
};
