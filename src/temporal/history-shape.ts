import proto from '@temporalio/proto';

const { EventType, TaskQueueKind, TimeoutType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

/** Events shown before a failed task at most: the start of the run and the last ones before the failure. */
const HEAD = 12;
const TAIL = 28;

/**
 * A run's history up to a failed workflow task, one short entry per event: id, type, and what tells workflow tasks
 * apart (sticky or normal task queue, attempt, the worker's identity, timeout type, failure cause, signal, update or
 * marker name). Never a payload: no caller, agent or digit reaches a log or a report through it.
 *
 * The core's "History is out of order. Last processed event: N, event id: M" (issue 25, docs/known-issues.md) says
 * only what a worker's cached run had; which worker took which task, on which queue, and what came between, is here.
 */
export function historyShape(history: History, upToEventId?: number): string {
  const events = (history.events ?? []).filter((e) => upToEventId === undefined || Number(e.eventId) <= upToEventId);
  const shown =
    events.length <= HEAD + TAIL
      ? events.map(eventShape)
      : [
          ...events.slice(0, HEAD).map(eventShape),
          `… ${events.length - HEAD - TAIL} events …`,
          ...events.slice(-TAIL).map(eventShape),
        ];
  return shown.join('; ');
}

function eventShape(e: HistoryEvent): string {
  const type = (EventType[e.eventType ?? 0] ?? String(e.eventType))
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const detail = details(e).filter((d) => d !== undefined && d !== '');
  return `${String(e.eventId)} ${type}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}

function details(e: HistoryEvent): (string | undefined)[] {
  const scheduled = e.workflowTaskScheduledEventAttributes;
  if (scheduled) {
    const sticky = scheduled.taskQueue?.kind === TaskQueueKind.TASK_QUEUE_KIND_STICKY;
    return [sticky ? 'sticky' : 'normal', (scheduled.attempt ?? 1) > 1 ? `attempt ${scheduled.attempt}` : undefined];
  }
  if (e.workflowTaskStartedEventAttributes) return [e.workflowTaskStartedEventAttributes.identity ?? undefined];
  if (e.workflowTaskCompletedEventAttributes) return [e.workflowTaskCompletedEventAttributes.identity ?? undefined];
  if (e.workflowTaskTimedOutEventAttributes)
    return [TimeoutType[e.workflowTaskTimedOutEventAttributes.timeoutType ?? 0]?.replace(/^TIMEOUT_TYPE_/, '')];
  if (e.workflowTaskFailedEventAttributes) {
    const a = e.workflowTaskFailedEventAttributes;
    return [
      WorkflowTaskFailedCause[a.cause ?? 0]?.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, ''),
      a.identity ?? undefined,
    ];
  }
  if (e.workflowExecutionSignaledEventAttributes) return [e.workflowExecutionSignaledEventAttributes.signalName ?? ''];
  if (e.workflowExecutionUpdateAcceptedEventAttributes)
    return [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? ''];
  if (e.workflowExecutionUpdateAdmittedEventAttributes)
    return [e.workflowExecutionUpdateAdmittedEventAttributes.request?.input?.name ?? ''];
  if (e.markerRecordedEventAttributes) return [e.markerRecordedEventAttributes.markerName ?? ''];
  if (e.timerStartedEventAttributes) return [`timer ${e.timerStartedEventAttributes.timerId ?? ''}`];
  return [];
}
