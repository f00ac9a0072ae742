import { Context } from '@temporalio/activity';
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from '../src/recordings/store.js';
import { purgeOlderThan } from '../src/recordings/retention.js';
import type { RetentionActivities } from '../src/contracts/activities/retention.js';

export function createRetentionActivities(orm: MikroORM, store: RecordingStore): RetentionActivities {
  return {
    async purgeExpiredData(input: { retentionDays: number }) {
      // The cutoff is fixed when the run was scheduled, so a retry later in the day never widens what it deletes.
      const scheduled = Context.current().info.scheduledTimestampMs;
      const cutoff = new Date(scheduled - input.retentionDays * 86_400_000);
      return purgeOlderThan(orm, store, cutoff);
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
