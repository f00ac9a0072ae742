import { Context } from '@temporalio/activity';
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from '../src/recordings/store.js';
import { purgeOlderThan } from '../src/recordings/retention.js';
import { RECORDING_TOKEN_MAX_AGE_MS } from '../src/recordings/recording-tokens.js';
import type { RetentionActivities } from '../src/contracts/activities/retention.js';

const DAY_MS = 86_400_000;

/** The audit log's own period may not be shorter than this: the database refuses to delete younger audit rows. */
const AUDIT_MIN_DAYS = 30;

export function createRetentionActivities(orm: MikroORM, store: RecordingStore): RetentionActivities {
  return {
    async purgeExpiredData(input: { retentionDays: number }) {
      const ctx = Context.current();
      // The cutoff is fixed when the run was scheduled, so a retry later in the day never widens what it deletes.
      const scheduled = ctx.info.scheduledTimestampMs;
      const cutoff = new Date(scheduled - input.retentionDays * DAY_MS);
      // The audit keeps who did what for RETENTION_DAYS too, but never less than 30 days (docs/operations.md).
      const auditDays = Math.max(AUDIT_MIN_DAYS, input.retentionDays);
      return purgeOlderThan(orm, store, cutoff, {
        auditCutoff: new Date(scheduled - auditDays * DAY_MS),
        // Recording access tokens are secrets, kept a day at most whatever RETENTION_DAYS says (recording-tokens.ts).
        tokenCutoff: new Date(scheduled - RECORDING_TOKEN_MAX_AGE_MS),
        // The workflow's heartbeat timeout (2 min) ends a purge that stops making progress, not a long one.
        heartbeat: (progress) => ctx.heartbeat(progress),
      });
    },
  };
}

/** The daily retention run, as a Temporal Schedule: it survives every restart and shows in the Temporal UI. */
export async function ensureRetentionSchedule(client: Client, taskQueue: string, retentionDays: number): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: 'switchboard-retention',
      spec: { calendars: [{ hour: 3, minute: 15 }] },
      action: { type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [{ retentionDays }], taskQueue },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Keep the schedule's settings in step with configuration.
    await client.schedule.getHandle('switchboard-retention').update((s) => ({
      ...s,
      action: { type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [{ retentionDays }], taskQueue },
    }));
  }
}
