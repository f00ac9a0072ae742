import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import Long from 'long';
import { historyShape } from '../../src/temporal/history-shape.js';

const { EventType, TaskQueueKind, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type Event = proto.temporal.api.history.v1.IHistoryEvent;

// The history check's and the chaos checks' line for a failed workflow task carries the run's events up to it
// (src/temporal/history-shape.ts): the cluster's "History is out of order. Last processed event: 7, event id: 9"
// (issue 25) could not be read because the runs were gone with the stack. Built here by hand, the shape of an agent
// signed in by one worker's start-up and signalled by the other's.
const callerNumber = '+14255550123';
const payload = { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(callerNumber) }] };
const events: Event[] = [
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    workflowExecutionStartedEventAttributes: { input: payload },
  },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    workflowExecutionSignaledEventAttributes: { signalName: 'configuredQueues', input: payload },
  },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q', kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL } },
  },
  { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { identity: '11@w1' } },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    workflowTaskCompletedEventAttributes: { identity: '11@w1' },
  },
  {
    eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
    markerRecordedEventAttributes: { markerName: 'core_local_activity', details: { data: payload } },
  },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    workflowExecutionSignaledEventAttributes: { signalName: 'configuredQueues', input: payload },
  },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: {
      taskQueue: { name: 'w1-sticky', kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY },
    },
  },
  { eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { identity: '22@w2' } },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    workflowTaskFailedEventAttributes: {
      cause: WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
      identity: '22@w2',
      failure: { message: `History is out of order ${callerNumber}` },
    },
  },
  {
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    workflowTaskScheduledEventAttributes: {
      taskQueue: { name: 'q', kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      attempt: 2,
    },
  },
].map((e, i): Event => ({ ...e, eventId: Long.fromNumber(i + 1) }));

describe('the shape of a run up to a failed workflow task', () => {
  it('names each event, the queue kind, attempt and worker of each task, signal and marker names', () => {
    expect(historyShape({ events }, 10)).toBe(
      '1 workflowExecutionStarted; 2 workflowExecutionSignaled (configuredQueues); 3 workflowTaskScheduled (normal); ' +
        '4 workflowTaskStarted (11@w1); 5 workflowTaskCompleted (11@w1); 6 markerRecorded (core_local_activity); ' +
        '7 workflowExecutionSignaled (configuredQueues); 8 workflowTaskScheduled (sticky); 9 workflowTaskStarted (22@w2); ' +
        '10 workflowTaskFailed (WORKFLOW_WORKER_UNHANDLED_FAILURE, 22@w2)',
    );
    expect(historyShape({ events })).toContain('11 workflowTaskScheduled (normal, attempt 2)');
  });

  it('carries no payload and no failure message (personal data stays out of reports)', () => {
    expect(historyShape({ events })).not.toContain(callerNumber);
  });

  it('keeps the start and the last events of a long run', () => {
    const long: Event[] = Array.from({ length: 300 }, (_, i) => ({
      eventId: Long.fromNumber(i + 1),
      eventType: EventType.EVENT_TYPE_TIMER_FIRED,
    }));
    const shape = historyShape({ events: long }, 250).split('; ');
    expect(shape[0]).toBe('1 timerFired');
    expect(shape).toContain('… 210 events …');
    expect(shape.at(-1)).toBe('250 timerFired');
    expect(shape).toHaveLength(12 + 1 + 28);
  });
});
