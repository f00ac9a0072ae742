import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { decodeHistoryPayloads } from '../../src/temporal/history-codec.js';
import { eventually } from '../helpers/eventually.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { testQueue } from '../helpers/routing.js';
import { ids, routingHarness } from '../helpers/routing-harness.js';
import type { QueueLiveRow } from '../../src/contracts/queue.js';
import { agentWorkflowId, optOutSignal } from '../../src/contracts/agent.js';
import { agentStatusSignal, enqueueSignal, queueWorkflowId } from '../../src/contracts/queue.js';
import { callWorkflowId, type CallSummary } from '../../src/contracts/call.js';

// Routing on the real Temporal dev server: real queue and agent workflows, reservations by signal to the agents,
// Graph scripted (per agent: accept, decline, or let it ring). Wrap-ups and waits are seconds long here.
// This file: the queue workflow's side: agents freed in a burst, the live row, queue actions and priority.

let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));
const { withRouting, agentState } = routingHarness(() => env);

describe('offers in a burst', () => {
  it('agents who come free together are reserved for the waiting calls in one workflow task, best call first', async () => {
    const agents = ids('burst', 3);
    const config = testQueue('q-burst', agents, { method: 'longestIdle', wrapUpSeconds: 0, presenceBased: false });
    const taskQueue = 'tq-burst';
    // Everything reaches the queue before any worker polls: its first workflow task sees three free agents and three
    // waiting calls at once, as a busy queue does when a burst of agents comes free.
    const queue = await env.client.workflow.start('queueWorkflow', {
      workflowId: queueWorkflowId('q-burst'),
      taskQueue,
      args: [{ config }],
    });
    for (const [i, agentId] of agents.entries()) {
      // burst-3 has been idle longest, then burst-2, then burst-1.
      await queue.signal(agentStatusSignal, {
        agentId,
        state: 'available',
        idleSince: 1000 - i * 100,
        since: 1000 - i * 100,
        member: true,
      });
    }
    for (let i = 1; i <= 3; i++)
      await queue.signal(enqueueSignal, {
        callWorkflowId: `call-burst-${i}`,
        callId: `burst-${i}`,
        enqueuedAt: Date.now() + i,
      });
    // No agent workflows run: the queue's reservation requests (signals to the agents) are what this test reads.
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: { async publishQueueLive() {} },
    });
    await worker.runUntil(async () => {
      const requests = async () => {
        // Decoded with the codec the workflows' payloads are encrypted with (as production's are).
        const codec = env.client.options.dataConverter.payloadCodecs![0]!;
        const events = (await decodeHistoryPayloads(await queue.fetchHistory(), codec)).events ?? [];
        return events
          .map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)
          .filter((a) => a?.signalName === 'reserveForCall')
          .map((a) => ({
            task: String(a!.workflowTaskCompletedEventId),
            agentWorkflowId: a!.workflowExecution!.workflowId!,
            request: JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString()).request as {
              callWorkflowId: string;
            },
          }));
      };
      const reserved = await eventually(async () => {
        const r = await requests();
        return r.length >= 3 ? r : undefined;
      }, 'three reservations');
      const byTask = new Map<string, number>();
      for (const r of reserved) byTask.set(r.task, (byTask.get(r.task) ?? 0) + 1);
      expect([...byTask.values()][0]).toBe(3);
      // Longest idle first, for the call that waited longest.
      expect(
        Object.fromEntries(
          reserved.slice(0, 3).map((r) => [r.request.callWorkflowId, r.agentWorkflowId.replace(/^agent-/, '')]),
        ),
      ).toEqual({
        'call-burst-1': 'burst-3',
        'call-burst-2': 'burst-2',
        'call-burst-3': 'burst-1',
      });
      await queue.terminate('test over');
    });
  });
});

describe('the live row', () => {
  it('is written at once after a quiet spell, then at most once a second, and always ends on the latest state', async () => {
    const agents = ids('live', 2);
    const config = testQueue('q-live', agents, { method: 'longestIdle', presenceBased: false });
    const taskQueue = 'tq-live';
    const queue = await env.client.workflow.start('queueWorkflow', {
      workflowId: queueWorkflowId('q-live'),
      taskQueue,
      args: [{ config }],
    });
    // Both agents on a call: the queue is staffed, nobody is free, so every call waits and changes the row.
    for (const agentId of agents)
      await queue.signal(agentStatusSignal, { agentId, state: 'onCall', idleSince: 0, member: true });
    const rows: QueueLiveRow[] = [];
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        async publishQueueLive(row: QueueLiveRow) {
          rows.push(row);
        },
      },
    });
    await worker.runUntil(async () => {
      await eventually(async () => (rows.length ? true : undefined), 'first live row');
      expect(rows[0]).toMatchObject({ callsWaiting: 0, agentsOnCall: 2 });
      for (let i = 1; i <= 20; i++)
        await queue.signal(enqueueSignal, {
          callWorkflowId: `call-live-${i}`,
          callId: `live-${i}`,
          enqueuedAt: Date.now(),
        });
      await eventually(async () => (rows.at(-1)?.callsWaiting === 20 ? true : undefined), 'row with all 20 waiting');
      // Each write is scheduled by a workflow task; the workflow's clock in that task is the task's start time.
      const events = (await queue.fetchHistory()).events ?? [];
      const startedAt = new Map<string, number>();
      let lastStarted = 0;
      const writesAt: number[] = [];
      for (const e of events) {
        if (e.workflowTaskStartedEventAttributes)
          lastStarted = Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
        if (e.workflowTaskCompletedEventAttributes) startedAt.set(String(e.eventId), lastStarted);
        const a = e.activityTaskScheduledEventAttributes;
        if (a?.activityType?.name === 'publishQueueLive')
          writesAt.push(startedAt.get(String(a.workflowTaskCompletedEventId))!);
      }
      expect(writesAt.length).toBe(rows.length);
      // 21 changes (the agents, then 20 calls), fewer writes: the calls that came within a second share one.
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.length).toBeLessThan(21);
      for (let i = 1; i < writesAt.length; i++) expect(writesAt[i]! - writesAt[i - 1]!).toBeGreaterThanOrEqual(1000);
      await queue.terminate('test over');
    });
  });
});

describe('queue actions and priority', () => {
  it('sends the caller past the maximum number of calls to the overflow action (another queue)', async () => {
    const [o1] = ids('overflow', 1) as [string];
    const [b1] = ids('backup', 1) as [string];
    const main = testQueue('q-over', [o1], {
      maxCalls: 1,
      reofferAfterSeconds: 3600,
      overflowAction: { type: 'queue', queue: 'q-backup' },
    });
    const backup = testQueue('q-backup', [b1]);
    await withRouting('overflow', [main, backup], async (h) => {
      h.graph.agentBehaviour.set(o1, 'decline'); // the first caller stays waiting
      const first = await h.start('q-over');
      await eventually(
        () =>
          h.offered().includes(o1) &&
          h.graph.prompts.filter((p) => p.callId === first.callId && p.clientContext.startsWith('hold-')).length >= 2
            ? true
            : undefined,
        'first caller waiting again',
      );
      const second = await h.call('q-over');
      expect(second).toMatchObject({ outcome: 'connected', agentId: b1 });
      const record = [...h.graph.records.values()].find((r) => r.agentId === b1)!;
      expect(record.queue).toBe('q-backup');
      expect(h.graph.eventTypes(record.callId)).toContain('queueExit');
      await env.client.workflow.getHandle(callWorkflowId(first.callId)).terminate('test done');
    });
  });

  it('applies the timeout action after the maximum wait (transfer to a number)', async () => {
    const [t1] = ids('timeout', 1) as [string];
    const q = testQueue('q-timeout', [t1], {
      maxWaitSeconds: 4,
      reofferAfterSeconds: 3600,
      timeoutAction: { type: 'transfer', phone: '+14255550199' },
    });
    await withRouting('timeout', [q], async (h) => {
      h.graph.agentBehaviour.set(t1, 'decline');
      const summary = await h.call('q-timeout');
      expect(summary.outcome).toBe('transferredOut');
      expect(summary.waitSeconds).toBeGreaterThanOrEqual(4);
      expect(h.graph.requests.find((r) => r.op === 'transferOut')!.detail).toEqual({
        target: { phone: '+14255550199' },
      });
    });
  });

  it('applies the no-agents action when every agent has opted out, and disconnects on overflow', async () => {
    const [x1] = ids('noagents', 1) as [string];
    const q = testQueue('q-noagents', [x1], { noAgentsAction: { type: 'disconnect', prompt: 'closed.wav' } });
    await withRouting('noagents', [q], async (h) => {
      await env.client.workflow.getHandle(agentWorkflowId(x1)).signal(optOutSignal, { queue: 'q-noagents' });
      await eventually(async () => ((await agentState(x1)).state === 'signedOut' ? true : undefined), 'signed out');
      const summary = await eventually(async () => {
        const s = await h.call('q-noagents');
        return s.outcome === 'queueDisconnected' ? s : undefined; // the queue may hear of the opt-out a moment later
      }, 'no-agents action');
      expect(summary.outcome).toBe('queueDisconnected');
      const callId = summary.callId;
      expect(
        h.graph.requests.some(
          (r) => r.op === 'playPrompt' && r.callId === callId && JSON.stringify(r.detail).includes('closed.wav'),
        ),
      ).toBe(true);
      expect(h.graph.requests.some((r) => r.op === 'delete' && r.callId === callId)).toBe(true);
      expect(h.offered()).toEqual([]);
    });
  });

  it('offers higher priority first, first-in-first-out within a priority, and announces position and wait', async () => {
    const [p1] = ids('prio', 1) as [string];
    const q = testQueue('q-prio', [p1], { wrapUpSeconds: 2, presenceBased: false, announceEverySeconds: 1 });
    await withRouting('prio', [q], async (h) => {
      const first = await h.start('q-prio');
      expect((await first.result).agentId).toBe(p1); // p1 is now in wrap-up for 2 s
      const waiting: { callId: string; priority: number; result: Promise<CallSummary> }[] = [];
      for (const priority of [3, 5, 1, 3]) {
        const c = await h.start('q-prio', priority);
        await eventually(
          () =>
            h.graph.prompts.some((p) => p.callId === c.callId && p.clientContext.startsWith('hold-'))
              ? true
              : undefined,
          'queued',
        );
        waiting.push({ ...c, priority });
      }
      for (const c of waiting) expect((await c.result).outcome).toBe('connected');
      const order = [...waiting].sort(
        (a, b) =>
          Date.parse(h.graph.records.get(a.callId)!.connectedAt!) -
          Date.parse(h.graph.records.get(b.callId)!.connectedAt!),
      );
      expect(order.map((c) => c.priority)).toEqual([1, 3, 3, 5]);
      expect(order[1]!.callId).toBe(waiting[0]!.callId); // the earlier of the two priority-3 callers
      // The priority-5 caller waited longest and heard where they were in the queue.
      const last = waiting[1]!.callId;
      const announced = h.graph.requests.filter(
        (r) =>
          r.callId === last &&
          String((r.detail as { clientContext?: string })?.clientContext).startsWith('announcement'),
      );
      expect(announced.length).toBeGreaterThan(0);
      expect(JSON.stringify(announced[0]!.detail)).toMatch(/position-\d+\.wav/);
      expect(h.graph.eventTypes(last)).toContain('announcement');
    });
  });
});

// Issue 28: runs last. Every call, queue and agent workflow the routing tests above ran (finished, terminated or
// still open) replays on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(env.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
});
