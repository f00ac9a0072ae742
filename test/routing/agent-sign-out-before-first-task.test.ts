import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { startAgentWorkflows, testQueue } from '../helpers/routing.js';
import { eventually } from '../helpers/eventually.js';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import { setAgentAvailability } from '../../src/routing/membership.js';
import { agentStateQuery, agentWorkflowId, type AgentSnapshotView } from '../../src/contracts/agent.js';
import { AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH } from '../../workflows/patches.js';

const { EventType } = proto.temporal.api.enums.v1;

// The temporal-privacy e2e's agent whose sign-out did not stick. A worker start tells each agent's workflow its queues
// by signal-with-start (activities/agents.ts startAgentWorkflows); a new agent's run signs in on it. When a sign-out
// reaches the run before its first workflow task does (a busy or just-started worker), both signals are in that first
// task, and the SDK buffers each until its handler is set: it hands them over in the order the handlers are set, not
// the order they came. The availability handler was set before the queues' one, so the sign-out was handled first (a
// signed-out agent signing out: nothing) and the queue list then signed the agent in. Here the worker starts only
// after both signals are in, which is the race won every time.
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

const TASK_QUEUE = 'agent-sign-out-before-first-task';
const AGENT = 'b5d2e7a1-0000-4000-8000-000000000001';
const QUEUES = { sales: testQueue('sales', [AGENT]) };

const stateOf = (id: string): Promise<AgentSnapshotView> =>
  env.client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);

/** Waits until a workflow task completed after the agent's last signal: every signal so far has been handled. */
const signalsHandled = (id: string) =>
  eventually(async () => {
    const events = (await env.client.workflow.getHandle(agentWorkflowId(id)).fetchHistory()).events ?? [];
    const lastSignal = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
    const lastTask = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    return lastSignal >= 0 && lastTask > lastSignal ? true : undefined;
  }, `the signals to ${id} handled`);

describe('a sign-out that reaches a new agent before its first workflow task', () => {
  it('is handled after the start-up queue list that came before it: the agent stays signed out', async () => {
    // No worker yet: the start-up's signal-with-start, then the sign-out, both wait for the run's first task.
    await startAgentWorkflows(env.client, TASK_QUEUE, QUEUES);
    await setAgentAvailability(env.client, AGENT, 'signedOut', 'test');

    const worker = await createTestWorker(env, {
      taskQueue: TASK_QUEUE,
      activities: { async publishAgentState() {}, async recordAgentState() {} },
    });
    await worker.runUntil(async () => {
      await signalsHandled(AGENT);
      expect(await stateOf(AGENT)).toMatchObject({ state: 'signedOut', queues: ['sales'] });
    });
    // The orders differed, so the run asked for the patch (a run recorded before it replays in the handlers' order:
    // test/histories/agents/2026-12-07-sign-out-before-first-task).
    const events = (await env.client.workflow.getHandle(agentWorkflowId(AGENT)).fetchHistory()).events ?? [];
    const patches = events.flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) =>
        (p.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString('utf8')),
      ),
    );
    expect(patches.some((p) => p.includes(AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH))).toBe(true);

    const check = await checkHistories(env.client, { query: `TaskQueue = '${TASK_QUEUE}'` });
    expect(describeProblems(check)).toEqual([]);
    expect(check.replayed).toEqual({ agentWorkflow: 1 });
  });
});
