import type { LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type History = proto.temporal.api.history.v1.IHistory;

/** A run's workflow task that fails and is retried for ever: the first failure of it, as its history records it. */
export interface FailingTask {
  /** The WorkflowTaskFailed event (Temporal records the first attempt of a failing task; the retries are not). */
  eventId: number;
  cause: string;
  message: string;
  /** Our code refused the history (replay produced other commands), as opposed to throwing in a handler. */
  nondeterminism: boolean;
  /** The history event a nondeterminism names: the recorded command the code did not produce again. */
  namedEventId?: number;
}

/** Failures the server causes by design, after which the run carries on by itself. */
const BENIGN = new Set([
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
]);

/** The run's workflow task that has failed since its last completed one, if any: the run is stuck on it. */
export function failingTask(history: History): FailingTask | undefined {
  const events = history.events ?? [];
  const lastCompleted = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const failed = events
    .slice(lastCompleted + 1)
    .find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED &&
        !BENIGN.has(e.workflowTaskFailedEventAttributes?.cause ?? 0),
    );
  if (!failed) return undefined;
  const cause = failed.workflowTaskFailedEventAttributes?.cause ?? 0;
  const message = failed.workflowTaskFailedEventAttributes?.failure?.message ?? '';
  const named = /HistoryEvent\(id: (\d+)/.exec(message);
  return {
    eventId: Number(failed.eventId),
    cause: (WorkflowTaskFailedCause[cause] ?? String(cause)).replace('WORKFLOW_TASK_FAILED_CAUSE_', ''),
    message,
    nondeterminism: cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
    ...(named ? { namedEventId: Number(named[1]) } : {}),
  };
}

/**
 * failingTask, with the failure's message as it was thrown: the payload codec encrypts failure messages (issue 22), so
 * a history read from the server says "Encoded failure" until the client's converter decodes it.
 */
export async function readFailingTask(
  history: History,
  converter: LoadedDataConverter,
): Promise<FailingTask | undefined> {
  const task = failingTask(history);
  if (!task) return undefined;
  const event = history.events?.find((e) => Number(e.eventId) === task.eventId);
  const error = await decodeOptionalFailureToOptionalError(
    converter,
    event?.workflowTaskFailedEventAttributes?.failure,
  );
  const message = error?.message ?? task.message;
  const named = /HistoryEvent\(id: (\d+)/.exec(message);
  return { ...task, message, ...(named && task.namedEventId === undefined ? { namedEventId: Number(named[1]) } : {}) };
}

/**
 * The WorkflowTaskCompleted event to reset a stuck run to: the last one before the failed task, or, when a
 * nondeterminism names an earlier event, the last one before that event. The reset runs that task again with the
 * current code; the code had already refused the named event (a command of that task) when it replayed.
 * Undefined when no task completed before it.
 */
export function resetPointFor(history: History, failure: FailingTask): number | undefined {
  const before = Math.min(failure.eventId, failure.namedEventId ?? Infinity);
  const completed = (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && Number(e.eventId) < before)
    .map((e) => Number(e.eventId));
  return completed.at(-1);
}

/** The signals a run received after an event, by name: what a reset to that event leaves out when told to. */
export function signalsAfter(history: History, eventId: number): string[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && Number(e.eventId) > eventId)
    .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? '?');
}
