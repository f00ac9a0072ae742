import type { Client } from '@temporalio/client';
import { agentStateQuery, agentWorkflowId, type AgentSnapshotView } from '../contracts/agent.js';

/** How long the state read waits for the agent's workflow: agent_live answers anyway, this only adds to it. */
const QUERY_DEADLINE_MS = 1000;

/**
 * A sign-out or away the agent asked for during an offer or a call, kept by their workflow for its end
 * (AGENT_SIGN_OUT_AFTER_CALL_PATCH): agent_live shows the state now, which stays `onCall` or `wrapUp` until then, so
 * without this a sign-out the API had accepted (200) looked ignored. Null when none is pending, and when the workflow
 * does not answer within a second (no worker running, Temporal away, no workflow for the agent): the state read never
 * fails on it.
 */
export async function pendingAvailability(
  client: Client | undefined,
  agentId: string,
): Promise<AgentSnapshotView['pendingAvailability'] | null> {
  if (!client) return null;
  return client.connection
    .withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery),
    )
    .then(
      (view) => view.pendingAvailability ?? null,
      () => null,
    );
}
