import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { installTemporalRuntime } from '../../src/temporal/runtime.js';
import { redactSdkLogEntry } from '../../src/temporal/sdk-log-redaction.js';
import { startWorkflowTestEnvironment } from '../helpers/services.js';
import { eventually } from '../helpers/eventually.js';
import { createTestWorker } from '../helpers/test-worker.js';

// Issue 22, point 1: the Temporal SDK logs the error behind "Activity failed", "Workflow failed" and a failed workflow
// task, and an error's message may quote a caller's number (a Graph or CRM error). Through the worker's runtime logger
// (src/temporal/runtime.ts, sdk-log-redaction.ts) those lines keep which failure it was and lose what it said. The
// log is captured from the same pino logger the worker roles pass, at debug level (every SDK line there is).
const workflowsPath = new URL('../helpers/number-quoting-workflows.ts', import.meta.url).pathname;
const NUMBER = '+447700900461';
const FORMS = [NUMBER, NUMBER.slice(1), '7700900461', '7700 900461'];

const lines: Record<string, unknown>[] = [];
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as never);
      done();
    },
  });
  // The runtime is process-wide: installed before the test environment would install one of its own.
  installTemporalRuntime(pino({ level: 'debug' }, sink));
  env = await startWorkflowTestEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

const sdkLines = (message: string) =>
  lines.filter((l) => l['component'] === 'temporal-sdk' && String(l['msg']).startsWith(message));

it('logs a failed activity, its failed workflow and a failed workflow task without the number they quote', async () => {
  const taskQueue = 'sdk-log-redaction';
  const worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath,
    activities: {
      lookUpCaller(number: string): Promise<string> {
        // As activities/graph.ts's toFailure makes a Graph error: type, message and details. Without the redaction,
        // pino writes the failure's own fields (details, cause) as they are: the number with them.
        throw ApplicationFailure.nonRetryable(`Graph: participant ${number} not found`, 'GraphError', {
          participant: number,
        });
      },
    },
  });
  await worker.runUntil(async () => {
    const lookup = await env.client.workflow.start('failingLookupWorkflow', {
      workflowId: 'sdk-log-redaction-activity',
      taskQueue,
      args: [NUMBER],
    });
    await expect(lookup.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const task = await env.client.workflow.start('numberQuotingTaskFailureWorkflow', {
      workflowId: 'sdk-log-redaction-task',
      taskQueue,
      args: [NUMBER],
    });
    // The task fails and is retried until the workflow ends: wait for the core's line about it, then end it.
    await eventually(() => sdkLines('Failing workflow task').length > 0 || undefined, 'the failed task to be logged');
    await task.terminate('test over');
  });

  // The lines are there, and say which failure it was.
  const [activity] = sdkLines('Activity failed');
  expect(activity).toMatchObject({
    activityType: 'lookUpCaller',
    error: { name: 'ApplicationFailure', type: 'GraphError', nonRetryable: true, message: '[redacted]' },
  });
  const [workflow] = sdkLines('Workflow failed');
  expect(workflow).toMatchObject({
    workflowType: 'failingLookupWorkflow',
    // The workflow's error reaches the logger through the sandbox's sink, a structured clone: message and cause only.
    error: { message: '[redacted]', cause: { message: '[redacted]' } },
  });
  expect(sdkLines('Failing workflow task')[0]).toMatchObject({ workflowId: 'sdk-log-redaction-task' });
  // The worker's options are logged at debug level without its data converter: the codec's key is in it.
  const [creating] = sdkLines('Creating worker');
  expect(creating).toMatchObject({ options: { taskQueue, dataConverter: '[redacted]' } });
  expect(JSON.stringify(creating)).not.toMatch(/"key"|encrypting/);
  // And nowhere in anything logged: not the number in any form, nor the messages' words.
  const log = JSON.stringify(lines);
  for (const clear of [...FORMS, 'not found', 'no route for']) expect(log).not.toContain(clear);
});

it("redacts an error quoted in the line's text and in the core's Debug-printed failures; other fields stay", () => {
  const error = new Error(`participant ${NUMBER} not found`);
  // The SDK's "Error while processing ActivityTask.start: <message>" quotes the error in the text too.
  const quoted = redactSdkLogEntry(`Error while processing ActivityTask.start: ${error.message}`, {
    error,
    workflowId: 'call-5b1c',
  });
  expect(quoted).toEqual({
    message: 'Error while processing ActivityTask.start: [redacted]',
    meta: { error: { name: 'Error', message: '[redacted]' }, workflowId: 'call-5b1c' },
  });
  // The native core prints a failure with Rust's Debug format: a failure decoded before it reached the core (none
  // of Switchboard's, but a converter without encodeCommonAttributes would) keeps no message, stack or number.
  const core = redactSdkLogEntry('Failing workflow task', {
    failure: `Failure { message: "no route for ${NUMBER}", stack_trace: "at x (+44 7700 900461)", cause: None }`,
    runId: '01a2512f-54be-750a-a70c-0e0e1fb0848c',
  });
  expect(core.meta).toEqual({
    failure: 'Failure { message: "[redacted]", stack_trace: "[redacted]", cause: None }',
    runId: '01a2512f-54be-750a-a70c-0e0e1fb0848c',
  });
  // A number written into the text some other way is taken out too.
  expect(redactSdkLogEntry(`lookup for +44 7700 900461 failed`, undefined).message).toBe(
    'lookup for [redacted] failed',
  );
});
