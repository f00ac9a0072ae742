import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { eventually } from '../helpers/eventually.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { testQueue } from '../helpers/routing.js';
import { ids, routingHarness } from '../helpers/routing-harness.js';
import { agentAvailabilitySignal, agentWorkflowId } from '../../src/contracts/agent.js';
import { enqueueSignal, queuePositionQuery, queueWorkflowId } from '../../src/contracts/queue.js';

// Routing on the real Temporal dev server: real queue and agent workflows, reservations by signal to the agents,
// Graph scripted (per agent: accept, decline, or let it ring). Wrap-ups and waits are seconds long here.
// This file: the routing methods, and offers that go unanswered or that Graph refuses.

let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));
const { withRouting, agentState } = routingHarness(() => env);

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

// Issue 28: runs last. Every call, queue and agent workflow the routing tests above ran (finished, terminated or
// still open) replays on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(env.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
});
