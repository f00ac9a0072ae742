import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { formatScheduleErrors, scheduleStatus, validateSchedules } from '../src/schedules/evaluate.js';
import { checkPublicHolidaySources, publicHolidaysAround } from '../src/schedules/public-holidays.js';
import type { ScheduleDefinition, ScheduleException } from '../src/schedules/types.js';
import type { ScheduleActivities, ScheduleStatus } from '../src/contracts/activities/schedules.js';

/** The run-time holidays and special dates of one schedule (Postgres `schedule_exception`). */
export async function loadScheduleExceptions(orm: MikroORM, schedule: string): Promise<ScheduleException[]> {
  const rows = (await orm.em
    .getKnex()('schedule_exception')
    .where('schedule', schedule)
    .orderBy('date')
    .select('date', 'name', 'kind', 'hours')) as Array<{
    date: string;
    name: string;
    kind: ScheduleException['kind'];
    hours: Array<[string, string]> | null;
  }>;
  return rows.map((r) => ({ date: r.date, name: r.name, kind: r.kind, ...(r.hours ? { hours: r.hours } : {}) }));
}

/**
 * Business hours for the call flows: the schedules defined in code with their country's public holidays, and the
 * holidays and special dates admins added in Postgres (those win for their date). The definitions are checked once, here, so a bad one stops the worker.
 */
export function createScheduleActivities(
  /** Where admins' holidays and special dates are read from: Postgres, or (flow tests) a function. */
  exceptionsFrom: MikroORM | ((schedule: string) => Promise<ScheduleException[]>),
  schedules: Record<string, ScheduleDefinition>,
): ScheduleActivities {
  const exceptionsOf =
    typeof exceptionsFrom === 'function'
      ? exceptionsFrom
      : (schedule: string) => loadScheduleExceptions(exceptionsFrom, schedule);
  const errors = [...validateSchedules(schedules), ...checkPublicHolidaySources(schedules)];
  if (errors.length > 0) throw new Error(`invalid schedules:\n${formatScheduleErrors(errors)}`);
  return {
    /** Whether a schedule is open now (or at `at`, ISO 8601), why, and when that next changes. */
    async isOpen(input: { schedule: string; at?: string }): Promise<ScheduleStatus> {
      const definition = Object.hasOwn(schedules, input.schedule) ? schedules[input.schedule] : undefined;
      if (!definition) {
        throw ApplicationFailure.nonRetryable(
          `unknown schedule '${input.schedule}' (known: ${Object.keys(schedules).join(', ')})`,
          'UnknownSchedule',
        );
      }
      const at = input.at === undefined ? new Date() : new Date(input.at);
      if (Number.isNaN(at.getTime()))
        throw ApplicationFailure.nonRetryable(
          `isOpen: at '${input.at}' is not an ISO 8601 date-time`,
          'InvalidArgument',
        );
      // Public holidays come from date-holidays here, in the activity, never in workflow code.
      const exceptions = await exceptionsOf(input.schedule);
      return scheduleStatus(input.schedule, definition, exceptions, at, publicHolidaysAround(definition, at));
    },
  };
}
