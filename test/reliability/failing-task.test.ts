import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { failingTask, resetPointFor, signalsAfter } from '../../src/routing/failing-task.js';

// Where `switchboard agents restart` resets a run whose workflow task keeps failing, on issue 28's evidence: an agent
// whose tasks, after a restart, failed with a nondeterminism at event 147, naming event 132 (a command the task
// completed at 129 recorded).
const { History } = proto.temporal.api.history.v1;
const evidence = History.decode(
  await readFile(
    new URL('../histories/agents/2026-11-29-sigkill-local-activities/agent-6e7b1c2a.history.bin', import.meta.url),
  ),
);

describe('a failing workflow task in a history', () => {
  it('is the failure after the last completed task, with the event a nondeterminism names', () => {
    expect(failingTask(evidence)).toMatchObject({
      eventId: 147,
      cause: 'NON_DETERMINISTIC_ERROR',
      nondeterminism: true,
      namedEventId: 132,
    });
  });

  it('is reset to the last task completed before the event the replay refused, not merely before the failure', () => {
    const failure = failingTask(evidence)!;
    // 137 completed after 132 was recorded: reset there, the replay would refuse 132 again.
    expect(resetPointFor(evidence, failure)).toBe(129);
    expect(resetPointFor(evidence, { ...failure, namedEventId: undefined })).toBe(137);
    // A reset to 129 re-delivers the two signals that came after it (a nondeterminism's are reapplied).
    expect(signalsAfter(evidence, 129)).toEqual(['configuredQueues', 'configuredQueues']);
  });

  it('is none when no task failed since the last completed one, or the failure is one the server causes by design', () => {
    expect(
      failingTask(History.create({ events: evidence.events.filter((e) => Number(e.eventId) <= 146) })),
    ).toBeUndefined();
    // A signal that came in while the task that would have ended the run was in flight: the next task runs with it.
    const unhandled = History.decode(History.encode(evidence).finish());
    unhandled.events.find((e) => Number(e.eventId) === 147)!.workflowTaskFailedEventAttributes!.cause =
      proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
    expect(failingTask(unhandled)).toBeUndefined();
  });
});
