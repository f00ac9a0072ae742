/**
 * `agents: 'busy'`: every agent signed in but on someone else's call for the whole test, held by a reservation for a
 * call elsewhere through the same Update the queues use: staffed, never free, until the test frees them.
 */
import type { Client } from '@temporalio/client';
import { agentOfferOutcomeSignal, agentWorkflowId, reserveUpdate } from '../../src/contracts/agent.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';

export async function holdAgentsBusy(
  client: Client,
  agentIds: string[],
  queues: Record<string, QueueConfig>,
): Promise<void> {
  for (const agentId of agentIds) {
    // The agent signs in once its workflow has taken the queues it belongs to: until then the Update is refused.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(reserveUpdate, {
          args: [
            {
              reservationId: `busy-${agentId}`,
              queue: Object.values(queues).find((q) => q.agents.includes(agentId))!.name,
              callWorkflowId: 'call-elsewhere',
              callId: 'elsewhere',
            },
          ],
        });
        break;
      } catch (err) {
        if (attempt >= 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

/** The agent's other call ends (no wrap-up), and they are free for the queues again. */
export async function freeBusyAgent(client: Client, agentId: string): Promise<void> {
  await client.workflow.getHandle(agentWorkflowId(agentId)).signal(agentOfferOutcomeSignal, {
    reservationId: `busy-${agentId}`,
    outcome: 'cancelled',
    wrapUpSeconds: 0,
    missesBeforeAway: 1,
  });
}
