/**
 * How the call workflow reads Graph's notifications (issue 21, point 6), in a real Temporal worker:
 * - keys in toneInfo.sequenceId order (resources/toneinfo.md: "An incremental identifier used for ordering DTMF
 *   events"), whatever order their notifications came in;
 * - operation ids compared regardless of case and dashes (the id in an action's answer and in its completion's
 *   resourceUrl name the same operation);
 * - a late `establishing` after `established` (api-reference call notifications may arrive out of order: the docs'
 *   note, microsoft-graph-docs PR #20006) is no news, so the webhook's copies are not written to the timeline.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CallNotification } from '../../src/contracts/graph-call.js';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import type { ReadingResult, ReadingStep } from '../helpers/notification-reading-workflow.js';
import { createTestWorker } from '../helpers/test-worker.js';

let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));
const workflowsPath = fileURLToPath(new URL('../helpers/notification-reading-workflow.ts', import.meta.url));

let runs = 0;
async function read(steps: ReadingStep[]): Promise<ReadingResult> {
  const taskQueue = `notification-reading-${++runs}`;
  const worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath,
  });
  return worker.runUntil(
    env.client.workflow.execute('notificationReadingWorkflow', {
      workflowId: `notification-reading-${runs}`,
      taskQueue,
      args: [steps],
    }) as Promise<ReadingResult>,
  );
}

const callId = 'call-under-test';
const tone = (t: string, sequenceId: number): ReadingStep => ({
  notify: { kind: 'tone', callId, tone: t, sequenceId, payload: {} },
});
const state = (s: 'established' | 'establishing'): ReadingStep => ({
  notify: { kind: 'state', callId, state: s, payload: {} } as CallNotification,
});

describe('reading Graph notifications', () => {
  it('keys go in sequenceId order; a key already read stays read', async () => {
    const r = await read([tone('tone1', 1), { read: true }, tone('tone4', 4), tone('tone3', 3), tone('tone2', 2)]);
    expect(r.steps).toEqual([true, '1', true, true, true]);
    expect(r.keys).toEqual(['2', '3', '4']);
  });

  it('a repeated sequenceId is the same press, not a second one', async () => {
    const r = await read([tone('tone5', 7), tone('tone5', 7), tone('pound', 8)]);
    expect(r.steps).toEqual([true, false, true]);
    expect(r.keys).toEqual(['5', '#']);
  });

  it('an operation id is found however its GUID is spelt', async () => {
    const id = '0fe0623f-d628-42ed-b4bd-8ac290072cc5';
    const r = await read([
      {
        notify: {
          kind: 'operation',
          callId,
          operationId: id.toUpperCase(),
          operationType: 'playPrompt',
          status: 'completed',
          payload: {},
        },
      },
      { hasOperation: id },
      { hasOperation: id.replace(/-/g, '') },
      { hasOperation: '11111111-d628-42ed-b4bd-8ac290072cc5' },
    ]);
    expect(r.steps).toEqual([true, true, true, false]);
  });

  it('a late establishing after established is no news, however many copies come', async () => {
    const r = await read([state('established'), state('establishing'), state('establishing')]);
    expect(r.steps).toEqual([true, false, false]);
    expect(r.state).toBe('established');
  });
});
