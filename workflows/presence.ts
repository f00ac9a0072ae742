import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AgentActivities } from '../src/contracts/activities/agents.js';
import { presenceAgentsSignal, type PresencePollerInput } from '../src/contracts/presence.js';

/** One poll activity runs this long before the workflow starts the next, keeping the history short. */
const RUN_FOR_MS = 10 * 60_000;

const poller = proxyActivities<AgentActivities>({
  startToCloseTimeout: RUN_FOR_MS + 60_000,
  // A worker that dies stops heartbeating; the poll moves to another worker within this.
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** The durable presence loop: survives worker restarts because the loop is a workflow and each leg heartbeats. */
export async function presencePollerWorkflow(input: PresencePollerInput): Promise<void> {
  let agentIds = input.agentIds;
  setHandler(presenceAgentsSignal, ({ agentIds: ids }) => {
    agentIds = ids;
  });
  for (let leg = 0; leg < 50; leg++) {
    await condition(() => agentIds.length > 0);
    await poller.pollPresence({ agentIds, intervalMs: input.intervalSeconds * 1000, runForMs: RUN_FOR_MS });
  }
  await continueAsNew<typeof presencePollerWorkflow>({ ...input, agentIds });
}
