import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../src/temporal/worker.js';
import { ScriptedGraph } from '../helpers/scripted-graph.js';
import { eventually } from '../helpers/eventually.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { routingActivities, startAgentWorkflows, testQueue } from '../helpers/routing.js';
import type { QueueConfig } from '../../src/routing/types.js';
import type { CallSummary, CallWorkflowInput } from '../../src/contracts/call.js';
import type { QueueLiveRow } from '../../src/contracts/queue.js';
import { agentAvailabilitySignal, agentStateQuery, agentWorkflowId, optOutSignal } from '../../src/contracts/agent.js';
import { agentStatusSignal, enqueueSignal, queuePositionQuery, queueWorkflowId } from '../../src/contracts/queue.js';
import { callWorkflowId } from '../../src/contracts/call.js';

// Routing on the real Temporal dev server: real queue and agent workflows, reservations by signal to the agents,
// Graph scripted (per agent: accept, decline, or let it ring). Wrap-ups and waits are seconds long here.
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

let n = 0;
function input(queue: string, priority?: number): CallWorkflowInput {
  return {
    call: {
      callId: `rt-${++n}`,
      from: { kind: 'phone', id: `+1425555${String(n).padStart(4, '0')}` },
      to: { applicationInstanceId: 'ra-test' },
      receivedAt: new Date().toISOString(),
    },
    callbackUri: 'https://switchboard.test/api/calling',
    promptBaseUrl: 'https://switchboard.test/prompts',
    route: { queue, ...(priority ? { priority } : {}) },
  };
}

interface Harness {
  graph: ScriptedGraph;
  taskQueue: string;
  /** Start a call into `queue`; resolves when its workflow is running. */
  start(queue: string, priority?: number): Promise<{ callId: string; result: Promise<CallSummary> }>;
  /** One call, to the end. */
  call(queue: string): Promise<CallSummary>;
  /** Agents offered calls (rung), in order. */
  offered(): string[];
  connected(): string[];
}

async function withRouting(
  name: string,
  queues: QueueConfig[],
  fn: (h: Harness) => Promise<void>,
): Promise<ScriptedGraph> {
  const taskQueue = `tq-${name}`;
  const graph = new ScriptedGraph(env.client, 'accept');
  const byName = Object.fromEntries(queues.map((q) => [q.name, q]));
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: { ...graph.activities(), ...routingActivities(env.client, taskQueue, byName) },
  });
  const h: Harness = {
    graph,
    taskQueue,
    async start(queue, priority) {
      const i = input(queue, priority);
      const handle = await env.client.workflow.start('callWorkflow', {
        workflowId: callWorkflowId(i.call.callId),
        taskQueue,
        args: [i],
      });
      const result = handle.result() as Promise<CallSummary>;
      result.catch(() => undefined); // a test may terminate a call instead of waiting for its result
      return { callId: i.call.callId, result };
    },
    async call(queue) {
      return (await h.start(queue)).result;
    },
    offered: () => graph.requests.filter((r) => r.op === 'ring').map((r) => (r.detail as { agentId: string }).agentId),
    connected: () => [...graph.records.values()].filter((r) => r.outcome === 'connected').map((r) => r.agentId!),
  };
  await worker.runUntil(async () => {
    await startAgentWorkflows(env.client, taskQueue, byName);
    await fn(h);
  });
  return graph;
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
const agentState = (id: string) => env.client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);

describe('routing methods', () => {
  it('serial offers the first agent in order who is free; after wrap-up the first again', async () => {
    const agents = ids('serial', 3);
    await withRouting(
      'serial',
      [testQueue('q-serial', agents, { method: 'serial', wrapUpSeconds: 3, presenceBased: false })],
      async (h) => {
        for (let i = 0; i < 3; i++) expect((await h.call('q-serial')).outcome).toBe('connected');
        await env.sleep('4s'); // every wrap-up over
        expect((await h.call('q-serial')).agentId).toBe(agents[0]);
        expect(h.connected()).toEqual([agents[0], agents[1], agents[2], agents[0]]);
      },
    );
  });

  it('attendant rings every free agent at once; the first to answer wins and the other rings stop', async () => {
    const agents = ids('attendant', 4);
    const [away, ignores, accepts, declines] = agents as [string, string, string, string];
    await withRouting(
      'attendant',
      [testQueue('q-attendant', agents, { method: 'attendant', wrapUpSeconds: 600, reofferAfterSeconds: 0 })],
      async (h) => {
        await env.client.workflow.getHandle(agentWorkflowId(away)).signal(agentAvailabilitySignal, { state: 'away' });
        await eventually(async () => ((await agentState(away)).state === 'away' ? true : undefined), 'agent away');
        h.graph.agentBehaviour.set(ignores, 'ignore');
        h.graph.agentBehaviour.set(declines, 'decline');
        const first = await h.call('q-attendant');
        expect(first).toMatchObject({ outcome: 'connected', agentId: accepts });
        // One offer, three rings at once (the away agent is not rung).
        const rings = h.graph.requests.filter((r) => r.op === 'ring');
        expect(rings.map((r) => (r.detail as { agentId: string }).agentId).sort()).toEqual(
          [ignores, accepts, declines].sort(),
        );
        expect(h.graph.eventTypes(first.callId).filter((t) => t === 'offered')).toHaveLength(1);
        // The ring nobody answered was stopped (DELETE); the caller went onto the winner's call.
        const ringOf = (agentId: string) =>
          rings.find((r) => (r.detail as { agentId: string }).agentId === agentId)!.callId;
        expect(h.graph.requests.some((r) => r.op === 'delete' && r.callId === ringOf(ignores))).toBe(true);
        expect(h.graph.requests.find((r) => r.op === 'transfer')!.detail).toEqual({
          agentId: accepts,
          replacesCallId: ringOf(accepts),
        });
        // Stopped because someone else answered: not a miss. Declining is.
        await eventually(
          async () => ((await agentState(ignores)).state === 'available' ? true : undefined),
          'the agent whose ring stopped is free again',
        );
        expect((await agentState(ignores)).misses).toBe(0);
        expect((await agentState(declines)).misses).toBe(1);
        expect((await agentState(accepts)).state).not.toBe('available');
        // The next call rings the two still free; the one who now accepts wins.
        h.graph.agentBehaviour.set(ignores, 'accept');
        const second = await h.call('q-attendant');
        expect(second).toMatchObject({ outcome: 'connected', agentId: ignores });
        const secondRings = h.graph.requests.filter((r) => r.op === 'ring').slice(rings.length);
        expect(secondRings.map((r) => (r.detail as { agentId: string }).agentId).sort()).toEqual(
          [ignores, declines].sort(),
        );
      },
    );
  });

  it('round robin takes the agents in turn, and under load every agent has a share', async () => {
    const agents = ids('rr', 7);
    const allFree = () =>
      eventually(
        async () =>
          (await Promise.all(agents.map(agentState))).every((a) => a.state === 'available') ? true : undefined,
        'all agents free',
      );
    await withRouting(
      'rr',
      [testQueue('q-rr', agents, { method: 'roundRobin', wrapUpSeconds: 0, presenceBased: false })],
      async (h) => {
        // One call at a time, everyone free: strictly in turn, twice round, carrying on after the last agent offered.
        for (let i = 0; i < 14; i++) {
          await allFree();
          expect((await h.call('q-rr')).outcome).toBe('connected');
        }
        expect(h.connected()).toEqual([...agents, ...agents]);
        // Ten calls at once for seven agents, ten times: each batch's first seven go round the table, the other three to
        // whoever is free first (as in Teams), so each agent has at least one call of every batch.
        for (let batch = 0; batch < 10; batch++) {
          await allFree();
          const calls = [];
          for (let i = 0; i < 10; i++) calls.push(await h.start('q-rr'));
          for (const c of calls) expect((await c.result).outcome).toBe('connected');
        }
        const counts = agents.map(
          (a) =>
            h
              .connected()
              .slice(14)
              .filter((x) => x === a).length,
        );
        expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
        expect(Math.min(...counts)).toBeGreaterThanOrEqual(10);
      },
    );
  });

  it('longest idle offers the agent idle longest, counting idle time from the end of wrap-up', async () => {
    const [l1, l2, l3] = ids('idle', 3) as [string, string, string];
    await withRouting(
      'idle',
      [testQueue('q-idle', [l1, l2, l3], { method: 'longestIdle', wrapUpSeconds: 1 })],
      async (h) => {
        // Sign-ins a moment apart, l1 first: l1 has been idle longest.
        for (const id of [l1, l2, l3]) {
          const before = (await agentState(id)).since;
          await env.client.workflow.getHandle(agentWorkflowId(id)).signal(agentAvailabilitySignal, { state: 'away' });
          await env.client.workflow
            .getHandle(agentWorkflowId(id))
            .signal(agentAvailabilitySignal, { state: 'available' });
          await eventually(async () => {
            const st = await agentState(id);
            return st.state === 'available' && st.since > before ? true : undefined;
          }, `${id} back`);
          await env.sleep(50);
        }
        expect((await h.call('q-idle')).agentId).toBe(l1);
        await env.sleep('3s');
        // l3 comes back from a break: idle only from now. l1 is idle from the end of its wrap-up, l2 from sign-in.
        await env.client.workflow.getHandle(agentWorkflowId(l3)).signal(agentAvailabilitySignal, { state: 'away' });
        await env.client.workflow
          .getHandle(agentWorkflowId(l3))
          .signal(agentAvailabilitySignal, { state: 'available' });
        await eventually(async () => ((await agentState(l3)).since > Date.now() - 1000 ? true : undefined), 'l3 back');
        expect((await h.call('q-idle')).agentId).toBe(l2);
        expect((await h.call('q-idle')).agentId).toBe(l1);
        expect((await h.call('q-idle')).agentId).toBe(l3);
      },
    );
  });

  it('skills offers the best level first and never an agent without the skill', async () => {
    const [k1, k2, k3, k4] = ids('skill', 4) as [string, string, string, string];
    const q = testQueue('q-skills', [k1, k2, k3, k4], {
      method: 'skills',
      requiredSkills: { billing: 2 },
      agentSkills: { [k1]: { billing: 2 }, [k2]: { billing: 4 }, [k3]: { billing: 5 }, [k4]: { french: 5 } },
      wrapUpSeconds: 3600,
      maxWaitSeconds: 4,
      timeoutAction: { type: 'voicemail' },
    });
    await withRouting('skills', [q], async (h) => {
      expect((await h.call('q-skills')).agentId).toBe(k3);
      expect((await h.call('q-skills')).agentId).toBe(k2);
      expect((await h.call('q-skills')).agentId).toBe(k1);
      // Only k4 is free, and k4 lacks the skill: the caller waits until the queue's timeout.
      expect((await h.call('q-skills')).outcome).toBe('voicemail');
      expect(h.offered()).not.toContain(k4);
    });
  });
});

describe('offers that go unanswered', () => {
  it('moves on to the next agent and pauses an agent after N missed offers', async () => {
    const [n1, n2] = ids('miss', 2) as [string, string];
    // The ring that is ignored lasts the alert time (real seconds here): the shortest allowed.
    const q = testQueue('q-miss', [n1, n2], {
      method: 'serial',
      missesBeforeAway: 2,
      wrapUpSeconds: 0,
      reofferAfterSeconds: 3600,
      alertSeconds: 15,
    });
    await withRouting('miss', [q], async (h) => {
      h.graph.agentBehaviour.set(n1, 'ignore');
      expect((await h.call('q-miss')).agentId).toBe(n2);
      expect((await agentState(n1)).misses).toBe(1);
      expect((await h.call('q-miss')).agentId).toBe(n2);
      await eventually(async () => ((await agentState(n1)).state === 'away' ? true : undefined), 'n1 auto-paused');
      expect((await h.call('q-miss')).agentId).toBe(n2);
      expect(h.offered()).toEqual([n1, n2, n1, n2, n2]);
      const types = h.graph.eventTypes([...h.graph.records.keys()][0]!);
      expect(types.indexOf('offerFailed')).toBeLessThan(types.indexOf('connected'));
    });
  });
});

describe('offers Graph refuses', () => {
  it('an agent Graph finds busy (presence lagging) is rested for that call, not counted as a miss', async () => {
    const [busy, free] = ids('busy', 2) as [string, string];
    const q = testQueue('q-busy', [busy, free], { method: 'serial', wrapUpSeconds: 0, presenceBased: false });
    await withRouting('busy', [q], async (h) => {
      h.graph.agentBehaviour.set(busy, 'busy');
      expect((await h.call('q-busy')).agentId).toBe(free);
      expect(h.offered()).toEqual([busy, free]);
      // Graph ended the ring with 486 at once: not the agent's miss, and they are free for other calls.
      await eventually(
        async () => ((await agentState(busy)).state === 'available' ? true : undefined),
        'busy agent free again',
      );
      expect((await agentState(busy)).misses).toBe(0);
      const callId = [...h.graph.records.keys()][0]!;
      expect(h.graph.events(callId).find((e) => e.type === 'offerFailed')?.payload).toMatchObject({
        outcomes: { [busy]: 'busy' },
      });
    });
  });

  it('an agent reserved for a call whose workflow is gone is released, and takes the next call', async () => {
    const [agent] = ids('gone', 1) as [string];
    const q = testQueue('q-gone', [agent], { method: 'serial', wrapUpSeconds: 0, presenceBased: false });
    await withRouting('gone', [q], async (h) => {
      // The queue exists once the agent's first status reached it.
      const queue = env.client.workflow.getHandle(queueWorkflowId('q-gone'));
      await eventually(
        async () => ((await queue.describe().catch(() => undefined))?.status.name === 'RUNNING' ? true : undefined),
        'queue running',
      );
      // A caller whose workflow no longer exists (ended, terminated) is still in the queue's list: the agent's
      // handing themself to it fails, and the agent must be free again rather than reserved until the lease ends.
      await queue.signal(enqueueSignal, { callWorkflowId: 'call-gone-1', callId: 'gone-1', enqueuedAt: Date.now() });
      await eventually(async () => {
        const history = await env.client.workflow.getHandle(agentWorkflowId(agent)).fetchHistory();
        return history.events?.some(
          (e) =>
            e.signalExternalWorkflowExecutionFailedEventAttributes?.workflowExecution?.workflowId === 'call-gone-1',
        )
          ? true
          : undefined;
      }, 'the assignment to the gone call failed');
      // The queue heard that the call is gone, and holds no offer for it.
      await eventually(async () => {
        const history = await queue.fetchHistory();
        return history.events?.some(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'reservationRefused',
        )
          ? true
          : undefined;
      }, 'the queue told the call is gone');
      await eventually(
        async () => ((await agentState(agent)).state === 'available' ? true : undefined),
        'agent released',
      );
      expect((await agentState(agent)).reservation).toBeUndefined();
      expect((await queue.query(queuePositionQuery, 'call-gone-1')).position).toBe(0);
      // The agent takes the next real call.
      expect(await h.call('q-gone')).toMatchObject({ outcome: 'connected', agentId: agent });
    });
  });
});

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
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities: { async publishQueueLive() {} },
    });
    await worker.runUntil(async () => {
      const requests = async () => {
        const events = (await queue.fetchHistory()).events ?? [];
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
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
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
