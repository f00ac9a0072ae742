import { proxyActivities } from '@temporalio/workflow';
import type { ScheduleActivities } from '../../src/contracts/activities/schedules.js';
import { failureDetails } from '../call-session.js';
import type { ScheduleStatus } from './api.js';
import type { CallContext } from './context.js';

const schedules = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '500ms', maximumAttempts: 3 },
});

/** The isOpen verb: business hours, holidays and special dates, asked of the schedules activity. */
export function isOpenVerb(ctx: CallContext, schedule: string): Promise<ScheduleStatus> {
  return ctx.verb('isOpen', { schedule }, async () => {
    try {
      return await schedules.isOpen({ schedule, at: new Date().toISOString() });
    } catch (err) {
      // A schedule that can't be read must not strand the caller: treat it as open, so the queue's own
      // no-agents action decides, and record why.
      ctx.recorder.event('scheduleFailed', { schedule, ...failureDetails(err) });
      return { schedule, open: true, reason: 'unknownSchedule' } satisfies ScheduleStatus;
    }
  });
}
