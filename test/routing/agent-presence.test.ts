import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { queues } from '../../flows/index.js';
import { AgentLive, AgentStateChange, QueueLive } from '../../src/db/entities/agent-state.js';
import { agentStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';

// The presence poller end to end: the emulator's getPresencesByUserId, the durable polling loop, the agent's
// workflow, and the live tables Grafana reads.
let stack: TestStack;
const megan = queues.sales!.agents[0]!;

beforeAll(async () => {
  stack = await startTestStack({}, { presence: { intervalSeconds: 1 } });
});

afterAll(async () => {
  await stack?.stop();
});

const live = (agentId: string) => stack.orm.em.fork().findOne(AgentLive, { agentId });

it('pauses an agent whose Teams presence goes Away and brings them back when Available, recording each change', async () => {
  await eventually(async () => ((await live(megan))?.state === 'available' ? true : undefined), 'megan signed in');
  stack.emulator!.setAgent(megan, {
    onTransfer: 'accept',
    presence: [{ atMs: 0, availability: 'Away', activity: 'Away' }],
  });
  await eventually(async () => ((await live(megan))?.state === 'away' ? true : undefined), 'megan away by presence');
  const state = await stack.client.workflow.getHandle(agentWorkflowId(megan)).query(agentStateQuery);
  expect(state.presence).toEqual({ availability: 'Away', activity: 'Away' });

  stack.emulator!.setAgent(megan, {
    onTransfer: 'accept',
    presence: [{ atMs: 0, availability: 'Available', activity: 'Available' }],
  });
  await eventually(async () => ((await live(megan))?.state === 'available' ? true : undefined), 'megan back');

  const changes = await stack.orm.em.fork().find(AgentStateChange, { agentId: megan }, { orderBy: { id: 'asc' } });
  expect(changes.map((c) => [c.state, c.reason])).toEqual([
    ['available', 'signIn'],
    ['away', 'presence:Away'],
    ['available', 'presence:Available'],
  ]);
  // Each row's time is the workflow's, in order: occupancy and idle time come from these intervals.
  const at = changes.map((c) => c.at.getTime());
  expect(at).toEqual([...at].sort((a, b) => a - b));

  // The sales queue's live row counts Megan by state, as Grafana reads it.
  const salesLive = await eventually(async () => {
    const row = await stack.orm.em.fork().findOne(QueueLive, { queue: 'sales' });
    return row && row.agentsAvailable + row.agentsAway + row.agentsSignedOut === queues.sales!.agents.length
      ? row
      : undefined;
  }, 'sales queue_live');
  expect(salesLive.callsWaiting).toBe(0);
  expect(salesLive.oldestWaitingSince).toBeNull();
});

// Issue 28: runs last. The presence poller, the agents it paused and resumed and the queues replay on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, {
    expected: ['agentWorkflow', 'queueWorkflow', 'presencePollerWorkflow'],
  });
});
