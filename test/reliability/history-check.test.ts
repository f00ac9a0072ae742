import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { Worker } from '@temporalio/worker';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import { eventually } from '../helpers/eventually.js';

const { EventType } = proto.temporal.api.enums.v1;

// The check every workflow test ends with (test/helpers/replay-check.ts, issue 28) must be able to fail, and say where:
// a workflow changed without a patch, its histories replayed on the new code; a run whose workflow task failed.
const v1 = fileURLToPath(new URL('../helpers/history-check/v1.ts', import.meta.url));
const v2 = fileURLToPath(new URL('../helpers/history-check/v2.ts', import.meta.url));
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

describe('checkHistories', () => {
  it('names the workflow type, id, run and event of a history the changed code does not replay', async () => {
    const taskQueue = 'history-check-replay';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      dataConverter: env.client.options.dataConverter,
      taskQueue,
      workflowsPath: v1,
    });
    const handle = await worker.runUntil(async () => {
      const h = await env.client.workflow.start('historyCheckWorkflow', {
        workflowId: 'history-check-changed',
        taskQueue,
        args: [{ wait: false }],
      });
      await h.result();
      return h;
    });
    const runId = (await handle.describe()).runId;
    const query = `WorkflowId = 'history-check-changed'`;
    // Where the changed code parts from the history: v1 started its timer at this event, v2 schedules an activity.
    const timerStarted = ((await handle.fetchHistory()).events ?? []).find(
      (e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED,
    )!;

    expect(describeProblems(await checkHistories(env.client, { query, workflowsPath: v1 }))).toEqual([]);

    const check = await checkHistories(env.client, { query, workflowsPath: v2 });
    expect(check.replayed).toEqual({ historyCheckWorkflow: 1 });
    expect(check.failedTasks).toEqual([]);
    expect(check.replayFailures).toEqual([
      expect.objectContaining({
        workflowType: 'historyCheckWorkflow',
        workflowId: 'history-check-changed',
        runId,
        eventId: Number(timerStarted.eventId),
      }),
    ]);
    const [line] = describeProblems(check);
    expect(line).toContain(
      `does not replay: historyCheckWorkflow history-check-changed run ${runId} at event ${Number(timerStarted.eventId)}: `,
    );
    expect(line).toMatch(/nondeterminism/i);
  });

  it('names the workflow task that failed while the run ran, with its cause', async () => {
    const taskQueue = 'history-check-failed-task';
    // Its sticky queue given up on at once once it stops, so the next worker gets the run's next task without delay.
    const first = await Worker.create({
      connection: env.nativeConnection,
      dataConverter: env.client.options.dataConverter,
      taskQueue,
      workflowsPath: v1,
      stickyQueueScheduleToStartTimeout: '1s',
    });
    const handle = await first.runUntil(async () => {
      const h = await env.client.workflow.start('historyCheckWorkflow', {
        workflowId: 'history-check-failed-task',
        taskQueue,
        args: [{ wait: true }],
      });
      // Past the timer, waiting to be released.
      await eventually(
        async () =>
          ((await h.fetchHistory()).events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED) ||
          undefined,
        'the timer fired',
      );
      return h;
    });
    const runId = (await handle.describe()).runId;
    // The changed code deployed without a patch: it takes the run's next task and cannot replay its history.
    const second = await Worker.create({
      connection: env.nativeConnection,
      dataConverter: env.client.options.dataConverter,
      taskQueue,
      workflowsPath: v2,
      activities: { async noop() {} },
    });
    const failedAt = await second.runUntil(async () => {
      await handle.signal('release');
      return eventually(
        async () => {
          const failed = ((await handle.fetchHistory()).events ?? []).find(
            (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
          );
          return failed ? Number(failed.eventId) : undefined;
        },
        'a failed workflow task',
        60_000,
      );
    });
    await handle.terminate('test over');

    const check = await checkHistories(env.client, {
      query: `WorkflowId = 'history-check-failed-task'`,
      workflowsPath: v1,
    });
    expect(check.replayFailures).toEqual([]);
    expect(check.failedTasks[0]).toMatchObject({
      workflowType: 'historyCheckWorkflow',
      workflowId: 'history-check-failed-task',
      runId,
      eventId: failedAt,
    });
    expect(describeProblems(check)[0]).toContain(
      `workflow task failed: historyCheckWorkflow history-check-failed-task run ${runId} at event ${failedAt}: WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR`,
    );
  });
});
