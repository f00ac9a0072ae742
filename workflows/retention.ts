import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../src/contracts/activities/retention.js';

const { purgeExpiredData } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '1m', maximumInterval: '30m' },
});

/** Run by the `retention` Temporal Schedule (daily): delete everything older than the retention period. */
export async function retentionWorkflow(input: { retentionDays: number }) {
  return purgeExpiredData({ retentionDays: input.retentionDays });
}
