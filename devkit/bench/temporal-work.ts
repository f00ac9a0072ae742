/**
 * What the calls cost Temporal, counted from their histories: a call's own workflow (callShape) and its share of the
 * queue, agent and presence workflows' (routingShapeOf). The ceiling repeats that much work with no logic.
 */
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { temporal } from '@temporalio/proto';
import { callWorkflowId } from '../../src/contracts/call.js';
import type { BenchStack } from './bench-stack.js';

interface EventCounts {
  workflow_tasks: number;
  activities: number;
  local_activities: number;
  signals: number;
  updates: number;
  timers: number;
}
const noEvents = (): EventCounts => ({
  workflow_tasks: 0,
  activities: 0,
  local_activities: 0,
  signals: 0,
  updates: 0,
  timers: 0,
});

/** Adds a history's Temporal work (events at or after `from` and at or before `to`, when given) to the counts. */
function countEvents(
  history: temporal.api.history.v1.IHistory,
  counts: EventCounts,
  byActivity: Record<string, number>,
  from = -Infinity,
  to = Infinity,
): void {
  for (const e of history.events ?? []) {
    const at = e.eventTime ? tsToMs(e.eventTime) : 0;
    if (at < from || at > to) continue;
    if (e.workflowTaskCompletedEventAttributes) counts.workflow_tasks++;
    if (e.workflowExecutionSignaledEventAttributes) counts.signals++;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) counts.updates++;
    if (e.timerStartedEventAttributes) counts.timers++;
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) {
      counts.activities++;
      byActivity[type] = (byActivity[type] ?? 0) + 1;
    }
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
      counts.local_activities++;
      const local = `${localActivityType(e.markerRecordedEventAttributes)} (local)`;
      byActivity[local] = (byActivity[local] ?? 0) + 1;
    }
  }
}

/** A local activity's type, from the marker Temporal's Core SDK records for it (its `data` detail, JSON). */
function localActivityType(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  try {
    const payload = marker.details?.['data']?.payloads?.[0];
    const data = payload?.data
      ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as { activity_type?: unknown })
      : undefined;
    return typeof data?.activity_type === 'string' ? data.activity_type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A call's own Temporal work, averaged over `callIds`' histories. */
export async function callShape(stack: BenchStack, callIds: string[]) {
  const counts = noEvents();
  const byType: Record<string, number> = {};
  for (const id of callIds)
    countEvents(await stack.client.workflow.getHandle(callWorkflowId(id)).fetchHistory(), counts, byType);
  const n = Math.max(1, callIds.length);
  return {
    activities: Math.round(counts.activities / n),
    local_activities: Math.round(counts.local_activities / n),
    signals: Math.round(counts.signals / n),
    timers: Math.round(counts.timers / n),
    // Not replayed by the ceiling; where a call's Temporal work goes.
    workflow_tasks: Math.round(counts.workflow_tasks / n),
    activity_types: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, Math.round((v / n) * 10) / 10])),
  };
}

/**
 * What routing costs Temporal per call: the events of every run of the queue, agent and presence workflows during the
 * calls phase, ÷ the calls placed. A call's own history (call_shape) is only part of its Temporal work.
 */
export async function routingShapeOf(stack: BenchStack, from: number, to: number, calls: number) {
  const byWorkflow: Record<string, EventCounts> = {};
  const byActivity: Record<string, number> = {};
  for await (const run of stack.client.workflow.list({
    query: `WorkflowType IN ('agentWorkflow', 'queueWorkflow', 'presencePollerWorkflow')`,
  })) {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    countEvents(history, (byWorkflow[run.type] ??= noEvents()), byActivity, from, to);
  }
  const per = (x: number) => Math.round((x / Math.max(1, calls)) * 10) / 10;
  const all = noEvents();
  for (const counts of Object.values(byWorkflow))
    for (const k of Object.keys(all) as (keyof EventCounts)[]) all[k] += counts[k];
  return {
    shape: {
      ...Object.fromEntries(
        Object.entries(byWorkflow).map(([type, s]) => [
          type,
          Object.fromEntries(Object.entries(s).map(([k, v]) => [k, per(v)])),
        ]),
      ),
      activity_types: Object.fromEntries(Object.entries(byActivity).map(([k, v]) => [k, per(v)])),
    },
    /** Routing's share of one call, whole numbers, for the ceiling; an Update counts as a signal. */
    perCall: {
      activities: Math.round(all.activities / Math.max(1, calls)),
      local_activities: Math.round(all.local_activities / Math.max(1, calls)),
      signals: Math.round((all.signals + all.updates) / Math.max(1, calls)),
      timers: Math.round(all.timers / Math.max(1, calls)),
    },
  };
}
