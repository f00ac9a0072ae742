import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AgentLive, AgentStateChange } from '../src/db/entities/agent-state.js';
import type { QueueConfig } from '../src/contracts/queue-config.js';
import type { PresenceReader } from '../src/graph/presence.js';
import { GraphRequestError } from '../src/graph/errors.js';
import {
  agentWorkflowId,
  configuredQueuesSignal,
  presenceSignal,
  type AgentPublication,
  type AgentWorkflowInput,
  type TeamsPresence,
} from '../src/contracts/agent.js';
import { agentStatusSignal, queueWorkflowId } from '../src/contracts/queue.js';
import {
  presenceAgentsSignal,
  PRESENCE_POLLER_WORKFLOW_ID,
  type PresencePollerInput,
} from '../src/contracts/presence.js';
import type { AgentActivities, CallWorkflowStatus } from '../src/contracts/activities/agents.js';

/**
 * What an agent's workflow tells the world after its state changes: Postgres (history and live row) and the queues
 * it belongs to. Idempotent: rows are keyed by the workflow's own sequence, and a repeated status is harmless.
 */
export function createAgentActivities(deps: {
  client: Client;
  taskQueue: string;
  orm: MikroORM | undefined;
  queues: Record<string, QueueConfig>;
  presence?: () => Promise<PresenceReader>;
}): AgentActivities {
  const { client, taskQueue, orm, queues } = deps;
  return {
    /** Postgres: the state history rows (idempotent by key) and the agent's live row. */
    async recordAgentState(input: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>): Promise<void> {
      if (!orm) return;
      await orm.em.fork().transactional(async (tx) => {
        if (input.changes.length > 0) {
          await tx
            .createQueryBuilder(AgentStateChange)
            .insert(
              input.changes.map((c) => ({
                key: c.key,
                agentId: c.agentId,
                state: c.state,
                reason: c.reason,
                queue: c.queue,
                callId: c.callId,
                at: new Date(c.at),
              })),
            )
            .onConflict(['key'])
            // A later write of a key wins: a write from a workflow task whose completion the server lost (a local
            // activity) is replaced by the next attempt's, which may have numbered its changes differently.
            .merge(['state', 'reason', 'queue', 'callId', 'at'])
            .execute();
        }
        await tx.upsert(
          AgentLive,
          {
            agentId: input.agentId,
            state: input.live.state,
            since: new Date(input.live.since),
            callId: (input.live.callId ?? null) as string | undefined,
            updatedAt: new Date(),
          },
          { onConflictFields: ['agentId'] },
        );
      });
    },

    /** The queues the agent belongs to (or just left) hear its status; no Postgres, so routing never waits on it. */
    async publishAgentState(pub: AgentPublication): Promise<void> {
      const state = pub.changes.at(-1)?.state ?? pub.live.state;
      for (const { queue, member } of pub.queues) {
        const config = queues[queue];
        if (!config) continue; // opted in to a queue that no longer exists
        await client.workflow.signalWithStart('queueWorkflow', {
          workflowId: queueWorkflowId(queue),
          taskQueue,
          args: [{ config }],
          signal: agentStatusSignal,
          signalArgs: [
            {
              agentId: pub.agentId,
              state,
              idleSince: pub.idleSince,
              since: pub.live.since,
              member,
              ...(pub.presence ? { presence: pub.presence } : {}),
              ...(pub.handleSeconds !== undefined ? { handleSeconds: pub.handleSeconds } : {}),
            },
          ],
        });
      }
    },

    /** Whether the call workflow an on-call agent waits on is still running; a describe, no history of its own. */
    async callWorkflowStatus(input: { workflowId: string }): Promise<CallWorkflowStatus> {
      try {
        const run = await client.workflow.getHandle(input.workflowId).describe();
        return {
          open: run.status.name === 'RUNNING',
          status: run.status.name,
          ...(run.closeTime ? { closedAt: run.closeTime.toISOString() } : {}),
        };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { open: false, status: 'NOT_FOUND' };
        throw err;
      }
    },

    /**
     * The presence poller: reads every agent's Teams presence in batches of 650 every `intervalMs`, and signals an
     * agent's workflow only when its presence changed since this attempt last told it. Long-running and heartbeating.
     * Each attempt tells every agent its presence on its first poll (a presence the workflow already has changes
     * nothing there): what an attempt that died told the agents is not known. Its heartbeats reach Temporal throttled,
     * so the last one Temporal kept can be older than the signals it sent. Carrying those readings over lost a change
     * for good: an agent told Busy/InACall, recorded as Available, read Available again after the process was killed,
     * was never told, and stayed on call, never offered a call again (test/reliability/chaos-dependencies.test.ts, the whole app killed).
     */
    async pollPresence(input: {
      agentIds: string[];
      intervalMs: number;
      runForMs: number;
    }): Promise<{ polls: number; signals: number }> {
      const ctx = Context.current();
      const last: Record<string, string> = {};
      const reader = await deps.presence?.();
      if (!reader) throw new Error('no Graph presence reader configured');
      const end = Date.now() + input.runForMs;
      let polls = 0;
      let signals = 0;
      while (Date.now() < end) {
        try {
          const readings = await reader.read(input.agentIds);
          polls++;
          for (const p of readings) {
            const key = `${p.availability}/${p.activity}`;
            if (last[p.id] === key) continue;
            const presence: TeamsPresence = { availability: p.availability, activity: p.activity };
            try {
              await client.workflow.getHandle(agentWorkflowId(p.id)).signal(presenceSignal, presence);
              signals++;
              last[p.id] = key;
            } catch (err) {
              if (err instanceof WorkflowNotFoundError)
                last[p.id] = key; // not a signed-in agent
              else throw err;
            }
          }
        } catch (err) {
          // Graph throttles presence reads (1,500 per 30 s) and may be briefly away: skip a beat, keep polling. A 429
          // says how long to wait (Retry-After; Graph's throttling guidance: wait that long before the next request).
          const retryAfterMs = err instanceof GraphRequestError ? (err.retryAfterSeconds ?? 0) * 1000 : 0;
          log.warn('presence poll failed', {
            error: String(err),
            ...(retryAfterMs > 0 ? { retryAfterSeconds: retryAfterMs / 1000 } : {}),
          });
          if (retryAfterMs > input.intervalMs) {
            await waitHeartbeating(ctx, retryAfterMs - input.intervalMs, input.intervalMs);
          }
        }
        ctx.heartbeat();
        await ctx.sleep(input.intervalMs);
      }
      return { polls, signals };
    },
  };
}

/**
 * Make sure every agent listed in a queue has its workflow, told which queues list it (opt-outs made through the
 * CLI persist in the workflow). Run at start-up; idempotent.
 */
export async function startAgentWorkflows(
  client: Client,
  taskQueue: string,
  queues: Record<string, QueueConfig>,
  opts: { presenceLagSeconds?: number } = {},
): Promise<string[]> {
  const byAgent = new Map<string, string[]>();
  for (const q of Object.values(queues))
    for (const id of q.agents) byAgent.set(id, [...(byAgent.get(id) ?? []), q.name]);
  const ids = [...byAgent.keys()];
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map((agentId) =>
        client.workflow.signalWithStart('agentWorkflow', {
          workflowId: agentWorkflowId(agentId),
          taskQueue,
          args: [
            {
              agentId,
              ...(opts.presenceLagSeconds !== undefined ? { presenceLagSeconds: opts.presenceLagSeconds } : {}),
            } satisfies AgentWorkflowInput,
          ],
          signal: configuredQueuesSignal,
          signalArgs: [{ queues: byAgent.get(agentId)!.sort() }],
        }),
      ),
    );
  }
  return ids;
}

/** Start the presence poller once (or tell the running one the current agents). */
export async function startPresencePoller(
  client: Client,
  taskQueue: string,
  agentIds: string[],
  intervalSeconds: number,
): Promise<void> {
  await client.workflow.signalWithStart('presencePollerWorkflow', {
    workflowId: PRESENCE_POLLER_WORKFLOW_ID,
    taskQueue,
    args: [{ agentIds, intervalSeconds } satisfies PresencePollerInput],
    signal: presenceAgentsSignal,
    signalArgs: [{ agentIds }],
  });
}

/** Sleep `ms`, heartbeating every `every` ms at most, so a long Retry-After does not time the activity out. */
async function waitHeartbeating(ctx: Context, ms: number, every: number): Promise<void> {
  for (let left = ms; left > 0; left -= every) {
    ctx.heartbeat();
    await ctx.sleep(Math.min(left, every));
  }
}
