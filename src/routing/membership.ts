import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  agentAvailabilitySignal,
  agentStateQuery,
  agentWorkflowId,
  optInSignal,
  optOutSignal,
} from '../contracts/agent.js';

export class UnknownAgentError extends Error {}

/**
 * Opt an agent in to, or out of, a queue: a signal to the agent's workflow, which keeps the choice (so it outlives
 * restarts) and tells the queues at once. The CLI (`switchboard agents opt-in|opt-out`) and the admin API both use it.
 * Throws UnknownAgentError when the agent has no workflow (not listed in any queue, or never started).
 */
export async function setQueueMembership(
  client: Client,
  agentId: string,
  queue: string,
  member: boolean,
): Promise<void> {
  try {
    await client.workflow.getHandle(agentWorkflowId(agentId)).signal(member ? optInSignal : optOutSignal, { queue });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UnknownAgentError(`agent ${agentId} has no running workflow`);
    throw err;
  }
}

/**
 * Put an agent back to available (a pause after missed offers ends), or away, or sign them out: a signal to the
 * agent's workflow, which ignores it while the agent is reserved or on a call. The CLI (`switchboard agents
 * available|away|sign-out`) and the admin API both use it. Throws UnknownAgentError when the agent has no workflow.
 */
export async function setAgentAvailability(
  client: Client,
  agentId: string,
  state: 'available' | 'away' | 'signedOut',
  reason: string,
): Promise<void> {
  try {
    await client.workflow.getHandle(agentWorkflowId(agentId)).signal(agentAvailabilitySignal, { state, reason });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UnknownAgentError(`agent ${agentId} has no running workflow`);
    throw err;
  }
}

/**
 * The queues each agent takes calls from now, asked of the agents' workflows; null for an agent whose workflow
 * does not answer within `timeoutMs` (no worker running, or no workflow).
 */
export async function queueMemberships(
  client: Client,
  agentIds: string[],
  timeoutMs = 1500,
): Promise<Map<string, string[] | null>> {
  const deadline = Date.now() + timeoutMs;
  const answers = await Promise.all(
    agentIds.map((id) =>
      client.connection
        .withDeadline(deadline, () => client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery))
        .then(
          (view) => [id, view.queues] as const,
          () => [id, null] as const,
        ),
    ),
  );
  return new Map(answers);
}
