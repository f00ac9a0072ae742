import { tsToMs } from '@temporalio/common/lib/time.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import type { BenchStack } from './bench-stack.js';
import { pct, round } from './figures.js';

/**
 * Where the answer's time goes, p50/p99 of each step over (up to) 100 calls, from the emulator's log and the call
 * workflow's history: the incoming notification sent → the workflow started (webhook, start request) → its first
 * workflow task picked up by the worker (schedule-to-start) → the answer request received by the emulator. A run
 * that answers with an ordinary activity splits the last step: that task completed (the answer scheduled) → the
 * answerCall activity picked up → the answer received; one that answers with a local activity
 * (CALL_LOCAL_GRAPH_PATCH) answers inside its first task (`task_to_answer`).
 */
export async function answerPath(stack: BenchStack, callIds: string[]) {
  const steps: Record<string, number[]> = {
    webhook_to_started: [],
    to_first_task: [],
    task_to_answer: [],
    first_task: [],
    to_activity: [],
    activity_to_answer: [],
  };
  for (const id of callIds) {
    const log = stack.emulator.getCall(id)?.history ?? [];
    const incoming = log.find((h) => h.kind === 'notification' && h.changeType === 'created');
    const answer = log.find((h) => h.kind === 'request' && 'path' in h && String(h.path).endsWith('/answer'));
    if (!incoming || !answer) continue;
    let events;
    try {
      events = (await stack.client.workflow.getHandle(callWorkflowId(id)).fetchHistory()).events ?? [];
    } catch {
      continue;
    }
    const at = (e: (typeof events)[number] | undefined) => (e?.eventTime ? tsToMs(e.eventTime) : undefined);
    const started = at(events[0]);
    const taskStarted = at(events.find((e) => e.workflowTaskStartedEventAttributes));
    if (started === undefined || taskStarted === undefined) continue;
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'answerCall');
    if (!scheduled) {
      steps.webhook_to_started!.push(started - Date.parse(incoming.at));
      steps.to_first_task!.push(taskStarted - started);
      steps.task_to_answer!.push(Date.parse(answer.at) - taskStarted);
      continue;
    }
    const taskCompleted = at(events.find((e) => e.workflowTaskCompletedEventAttributes));
    const activityStarted = at(
      events.find(
        (e) =>
          e.activityTaskStartedEventAttributes &&
          String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled.eventId),
      ),
    );
    if (taskCompleted === undefined || activityStarted === undefined) continue;
    steps.webhook_to_started!.push(started - Date.parse(incoming.at));
    steps.to_first_task!.push(taskStarted - started);
    steps.first_task!.push(taskCompleted - taskStarted);
    steps.to_activity!.push(activityStarted - taskCompleted);
    steps.activity_to_answer!.push(Date.parse(answer.at) - activityStarted);
  }
  // Steps no call took are left out rather than reported as zeros.
  return Object.fromEntries(
    Object.entries(steps)
      .filter(([, xs]) => xs.length > 0)
      .map(([k, xs]) => [k, [round(pct(xs, 50)), round(pct(xs, 99))]]),
  );
}
