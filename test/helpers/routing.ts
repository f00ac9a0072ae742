import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createQueueActivities, createRoutingActivities } from '../../activities/queueing.js';
import { createAgentActivities, startAgentWorkflows } from '../../activities/agents.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { DEFAULT_QUEUE } from '../../src/contracts/queue-config.js';
import type { RecordedRequest } from '../../devkit/emulator/types.js';
import { callWorkflowId } from '../../src/contracts/call.js';

/**
 * The real routing activities (queue entry, reservation by Update, agent state publication) for a worker in a
 * workflow test; Postgres is optional (without it nothing is written, everything else is the same path).
 */
export function routingActivities(
  client: Client,
  taskQueue: string,
  queues: Record<string, QueueConfig>,
  orm?: MikroORM,
) {
  return {
    ...createQueueActivities(client, taskQueue, queues),
    ...createRoutingActivities(client, orm),
    ...createAgentActivities({ client, taskQueue, orm, queues }),
  };
}

export { startAgentWorkflows };

/** A queue config with the defaults filled in, for tests that build queues without the flows. */
export function testQueue(name: string, agents: string[], over: Partial<QueueConfig> = {}): QueueConfig {
  return { ...DEFAULT_QUEUE, name, agents, agentSkills: {}, ...over };
}

/** The rings placed to offer a caller to agents: createCall requests whose callbackUri names the caller's workflow. */
export function ringRequests(requests: RecordedRequest[], callId: string): RecordedRequest[] {
  const tag = encodeURIComponent(callWorkflowId(callId));
  return requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path.endsWith('/communications/calls') &&
      String((r.body as { callbackUri?: string } | null)?.callbackUri).includes(tag),
  );
}
