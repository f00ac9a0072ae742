import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { startAgentWorkflows, testQueue } from '../helpers/routing.js';
import { eventually } from '../helpers/eventually.js';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import { setAgentAvailability, setQueueMembership } from '../../src/routing/membership.js';
import { agentStateQuery, agentWorkflowId, type AgentSnapshotView } from '../../src/contracts/agent.js';

const { EventType } = proto.temporal.api.enums.v1;

// Every worker start tells each listed agent's workflow its configured queues (activities/agents.ts
// startAgentWorkflows, a signal-with-start). An agent who signed out and went home must still be signed out after a
// deploy; only an agent whose queue list goes from empty to some (a new agent, or one who had opted out of every queue
// opting back in) is signed in by it (AGENT_SIGN_IN_FROM_NO_QUEUES_PATCH).
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

const TASK_QUEUE = 'agent-signed-out-restart';
const WENT_HOME = 'a9e1c0de-0000-4000-8000-000000000001';
const OPTED_OUT = 'a9e1c0de-0000-4000-8000-000000000002';
const QUEUES = { support: testQueue('support', [WENT_HOME, OPTED_OUT]) };

const stateOf = (id: string): Promise<AgentSnapshotView> =>
  env.client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);

const inState = (id: string, state: AgentSnapshotView['state'], what: string) =>
  eventually(async () => ((await stateOf(id)).state === state ? true : undefined), what);

/** Waits until the agent's workflow has handled `count` configuredQueues signals (a task completed after the last). */
const handledStartUps = (id: string, count: number) =>
  eventually(async () => {
    const events = (await env.client.workflow.getHandle(agentWorkflowId(id)).fetchHistory()).events ?? [];
    const signals = events.flatMap((e, i) =>
      e.workflowExecutionSignaledEventAttributes?.signalName === 'configuredQueues' ? [i] : [],
    );
    const lastTask = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    return signals.length === count && lastTask > signals[count - 1]! ? true : undefined;
  }, `${count} start-ups handled by ${id}`);

describe('worker start-up and signed-out agents', () => {
  it('keeps a signed-out agent signed out; signs in a new agent and one opting back in to a queue', async () => {
    const worker = await createTestWorker(env, {
      taskQueue: TASK_QUEUE,
      activities: { async publishAgentState() {}, async recordAgentState() {} },
    });
    await worker.runUntil(async () => {
      // First start: both agents are new, so both are signed in.
      await startAgentWorkflows(env.client, TASK_QUEUE, QUEUES);
      await inState(WENT_HOME, 'available', 'the new agent signed in');
      await inState(OPTED_OUT, 'available', 'the other new agent signed in');

      await setAgentAvailability(env.client, WENT_HOME, 'signedOut', 'test');
      await setQueueMembership(env.client, OPTED_OUT, 'support', false);
      await inState(WENT_HOME, 'signedOut', 'the agent signed out');
      await inState(OPTED_OUT, 'signedOut', 'the agent out of every queue');

      // The deploy: the same configured queues again.
      await startAgentWorkflows(env.client, TASK_QUEUE, QUEUES);
      await handledStartUps(WENT_HOME, 2);
      await handledStartUps(OPTED_OUT, 2);
      expect(await stateOf(WENT_HOME)).toMatchObject({ state: 'signedOut', queues: ['support'] });
      expect(await stateOf(OPTED_OUT)).toMatchObject({ state: 'signedOut', queues: [], optedOut: ['support'] });

      // Opting back in takes the queue list from empty to some: signed in.
      await setQueueMembership(env.client, OPTED_OUT, 'support', true);
      await inState(OPTED_OUT, 'available', 'the agent back in a queue signed in');
      expect(await stateOf(WENT_HOME)).toMatchObject({ state: 'signedOut' });
    });

    const check = await checkHistories(env.client, { query: `TaskQueue = '${TASK_QUEUE}'` });
    expect(describeProblems(check)).toEqual([]);
    expect(check.replayed).toEqual({ agentWorkflow: 2 });
  });
});
