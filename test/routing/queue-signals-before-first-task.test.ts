import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SignalDefinition } from '@temporalio/client';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { testQueue } from '../helpers/routing.js';
import { eventually } from '../helpers/eventually.js';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import { agentWorkflowId } from '../../src/contracts/agent.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import {
  agentStatusSignal,
  enqueueSignal,
  offerResultSignal,
  queuePositionQuery,
  queueWorkflowId,
  type QueueSnapshot,
  type QueueWorkflowInput,
} from '../../src/contracts/queue.js';
import { QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH } from '../../workflows/patches.js';
import { emptyQueueSnapshot } from '../../workflows/queue/state.js';

const { EventType } = proto.temporal.api.enums.v1;

// The queue's side of the race engineer D found for agents (agent-sign-out-before-first-task.test.ts): signals that
// reach a run before its first workflow task are handed over by the SDK in the order the handlers are set (enqueue,
// leave, offerResult, reservationRefused, agentStatus), not the order they came. A queue's run begins with such a task
// at its first call and after every continue-as-new (each MAX_HISTORY_EVENTS), with its state carried over; its
// signals wait there while the worker is busy. Here the worker starts only after the signals are in: the race is won
// every time. Two orders give a wrong result; the others (checked by reading QueueState, see docs/routing.md) only
// send a spare release an agent ignores.
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

const TASK_QUEUE = 'queue-signals-before-first-task';
const AGENT_A = 'c4e1a7b2-0000-4000-8000-00000000000a';
const AGENT_B = 'c4e1a7b2-0000-4000-8000-00000000000b';
// A wait far longer than the test, so that no caller times out while it runs.
const config = (name: string) => testQueue(name, [AGENT_A, AGENT_B], { maxWaitSeconds: 3600 });
const member = (state: QueueSnapshot['agents'][string]['state']) => ({ state, idleSince: 0, member: true, version: 1 });
const snapshot = (over: Partial<QueueSnapshot>): QueueSnapshot => ({ ...emptyQueueSnapshot(), ...over });

const events = async (queue: string) =>
  (await env.client.workflow.getHandle(queueWorkflowId(queue)).fetchHistory()).events ?? [];

/** Waits until a workflow task completed after the queue's last signal: every signal so far has been handled. */
const signalsHandled = (queue: string) =>
  eventually(async () => {
    const all = await events(queue);
    const lastSignal = all.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const lastTask = all.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    return lastSignal >= 0 && lastTask > lastSignal ? true : undefined;
  }, `the signals to ${queue} handled`);

/** The signals the queue sent to other workflows, in order: `<signal> → <workflow id>`. */
const sent = async (queue: string) =>
  (await events(queue)).flatMap((e) => {
    const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
    return a ? [`${a.signalName} → ${a.workflowExecution?.workflowId}`] : [];
  });

const askedForThePatch = async (queue: string) =>
  (await events(queue)).some((e) =>
    Object.values(e.markerRecordedEventAttributes?.details ?? {}).some((p) =>
      (p.payloads ?? []).some((x) =>
        Buffer.from(x.data ?? [])
          .toString('utf8')
          .includes(QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH),
      ),
    ),
  );

/** A queue run (as after a continue-as-new, `state` carried) whose first task holds `first` then `then`. */
async function startWithSignals<T>(
  queue: string,
  state: QueueSnapshot,
  first: { signal: SignalDefinition<[T]>; args: T },
  then: { callWorkflowId: string; callId: string; enqueuedAt: number },
) {
  const handle = await env.client.workflow.signalWithStart('queueWorkflow', {
    workflowId: queueWorkflowId(queue),
    taskQueue: TASK_QUEUE,
    args: [{ config: config(queue), state } satisfies QueueWorkflowInput],
    signal: first.signal,
    signalArgs: [first.args],
  });
  await handle.signal(enqueueSignal, then);
  return handle;
}

describe('signals that reach a queue before its first workflow task are handled in the order they came', () => {
  it('a caller back in line after a failed offer stays in line, and an agent who signs in before a caller is seen by them', async () => {
    const enqueuedAt = Date.now() - 30_000;
    // 1. The offer to agent A failed; the call reports it (offerResult) and enqueues again (signal-with-start), the
    // same run's first task holding both. Handled enqueue first, the enqueue looked like a retry of a call still
    // offered and was dropped, then the offer's end removed the call: a caller on hold that no queue held.
    const retry = { callWorkflowId: callWorkflowId('retry-1'), callId: 'retry-1', enqueuedAt };
    const retryQueue = 'early-offer-failed';
    await startWithSignals(
      retryQueue,
      snapshot({
        agents: { [AGENT_A]: member('reserved'), [AGENT_B]: member('onCall') },
        offers: {
          [retry.callWorkflowId]: {
            call: { ...retry, priority: 3 },
            agentId: AGENT_A,
            reservationId: `${retryQueue}:${retry.callWorkflowId}:1`,
            seen: 1,
          },
        },
        lastOffered: 0,
        reservationSeq: 1,
      }),
      {
        signal: offerResultSignal,
        args: {
          callWorkflowId: retry.callWorkflowId,
          agentId: AGENT_A,
          reservationId: `${retryQueue}:${retry.callWorkflowId}:1`,
          outcome: 'failed',
        },
      },
      retry,
    );
    // 2. Everyone had signed out or gone away when the run continued as new; agent A signs in, then a caller comes.
    // Handled enqueue first, the queue was unstaffed and sent the caller to its no-agents action.
    const late = { callWorkflowId: callWorkflowId('signin-1'), callId: 'signin-1', enqueuedAt: Date.now() };
    const signInQueue = 'early-sign-in';
    await startWithSignals(
      signInQueue,
      snapshot({ agents: { [AGENT_A]: member('signedOut'), [AGENT_B]: member('away') } }),
      {
        signal: agentStatusSignal,
        args: { agentId: AGENT_A, state: 'available', idleSince: Date.now(), since: Date.now(), member: true },
      },
      late,
    );

    const worker = await createTestWorker(env, {
      taskQueue: TASK_QUEUE,
      activities: { async publishQueueLive() {} },
    });
    await worker.runUntil(async () => {
      await signalsHandled(retryQueue);
      const handle = env.client.workflow.getHandle(queueWorkflowId(retryQueue));
      expect(await handle.query(queuePositionQuery, retry.callWorkflowId)).toMatchObject({ position: 1, waiting: 1 });
      // Agent B comes free: the caller is offered to them (A, who missed it, rests), not left on hold.
      await handle.signal(agentStatusSignal, {
        agentId: AGENT_B,
        state: 'available',
        idleSince: Date.now(),
        since: Date.now(),
        member: true,
      });
      await signalsHandled(retryQueue);
      expect(await sent(retryQueue)).toContain(`reserveForCall → ${agentWorkflowId(AGENT_B)}`);

      await signalsHandled(signInQueue);
      // A is asked to take the caller; the caller is not sent on for want of agents.
      expect((await sent(signInQueue))[0]).toBe(`reserveForCall → ${agentWorkflowId(AGENT_A)}`);
    });

    // Both orders differed from the handlers', so both runs asked for the patch (a run recorded before it replays in
    // the handlers' order: test/histories/routing/2026-12-07-queue-signals-before-first-task).
    expect(await askedForThePatch(retryQueue)).toBe(true);
    expect(await askedForThePatch(signInQueue)).toBe(true);
    const check = await checkHistories(env.client, { query: `TaskQueue = '${TASK_QUEUE}'` });
    expect(describeProblems(check)).toEqual([]);
    expect(check.replayed).toEqual({ queueWorkflow: 2 });
  });
});
