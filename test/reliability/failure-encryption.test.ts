import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, ActivityFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startWorkflowTestEnvironment } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';

// Issue 22, point 1: a failure's message and details are in the history too. An activity that fails quoting a
// caller's number must leave that number nowhere in the raw history: the production data converter
// (src/temporal/data-converter.ts) encodes failures' messages and stack traces into an encrypted payload
// (failure-converter.ts, encodeCommonAttributes). A client with the codec still reads the message.
const workflowsPath = new URL('../helpers/failing-activity-workflow.ts', import.meta.url).pathname;
const { EventType } = temporal.api.enums.v1;
const NUMBER = '+447700900461';
const DIGITS = NUMBER.slice(1);

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startWorkflowTestEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

it("encrypts a failed activity's message and details in the raw history, and decodes them with the codec", async () => {
  const taskQueue = 'failure-encryption';
  const worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath,
    activities: {
      lookUpCaller(number: string): Promise<string> {
        throw ApplicationFailure.nonRetryable(`CRM has no contact for ${number}`, 'NoContact', { number });
      },
    },
  });
  const handle = await env.client.workflow.start('failingLookupWorkflow', {
    workflowId: 'failure-encryption-1',
    taskQueue,
    args: [NUMBER],
  });
  const error = await worker.runUntil(
    handle.result().then(
      () => undefined,
      (err: unknown) => err,
    ),
  );

  // With the codec: the workflow failed because the activity did, and the message and details read as thrown.
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const activity = (error as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const cause = (activity as ActivityFailure).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).message).toBe(`CRM has no contact for ${NUMBER}`);
  expect((cause as ApplicationFailure).details).toEqual([{ number: NUMBER }]);

  // Without it: the raw history has the failure, but neither the number nor the message's words.
  const history = await handle.fetchHistory();
  const failed = history.events?.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  const failure = failed?.activityTaskFailedEventAttributes?.failure;
  expect(failure?.applicationFailureInfo?.type).toBe('NoContact');
  expect(failure?.message).toBe('Encoded failure');
  expect(failure?.stackTrace ?? '').toBe('');
  expect(failure?.encodedAttributes?.metadata?.encoding).toEqual(Buffer.from('binary/encrypted'));
  const raw = JSON.stringify(temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History));
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  for (const clear of [NUMBER, DIGITS, 'CRM has no contact']) {
    expect(raw).not.toContain(clear);
    expect(bytes.includes(Buffer.from(clear))).toBe(false);
  }
});
