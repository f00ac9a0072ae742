/**
 * What a tab shows of the floor, read from the live tables (agent_live, queue_live) and cut to what its viewer may
 * see: an agent sees their own state and their queues' waiting calls; supervisors and admins see every queue and agent.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentLive, QueueLive } from '../db/entities/agent-state.js';
import type { Caller } from '../admin/identity.js';

export interface FloorSnapshot {
  agents: { agentId: string; state: string; since: string }[];
  queues: {
    queue: string;
    waiting: number;
    oldestWaitingSince: string | null;
    agentsByState: Record<string, number>;
  }[];
}

export interface FloorDirectory {
  /** Agent ids to display names (flows/index.ts). */
  agentNames: Record<string, string>;
  /** Queue names to the agents an admin listed in each (flows/index.ts). */
  queueAgents: Record<string, string[]>;
}

export interface FloorView {
  viewer: { agentId: string; name: string; supervises: boolean };
  /** The viewer's own state; null when the viewer is not an agent on record. */
  me: { state: string; since: string; queues: string[] } | null;
  queues: FloorSnapshot['queues'];
  /** Supervisors only: every agent with their state and queues. */
  agents: { agentId: string; name: string; state: string; since: string; queues: string[] }[];
}

export async function readFloor(em: EntityManager): Promise<FloorSnapshot> {
  const [agents, queues] = await Promise.all([
    em.find(AgentLive, {}, { orderBy: { agentId: 'asc' } }),
    em.find(QueueLive, {}, { orderBy: { queue: 'asc' } }),
  ]);
  return {
    agents: agents.map((a) => ({ agentId: a.agentId, state: a.state, since: a.since.toISOString() })),
    queues: queues.map((q) => ({
      queue: q.queue,
      waiting: q.callsWaiting,
      oldestWaitingSince: q.oldestWaitingSince ? q.oldestWaitingSince.toISOString() : null,
      agentsByState: {
        available: q.agentsAvailable,
        reserved: q.agentsReserved,
        onCall: q.agentsOnCall,
        wrapUp: q.agentsWrapUp,
        away: q.agentsAway,
        signedOut: q.agentsSignedOut,
      },
    })),
  };
}

export function supervises(caller: Caller): boolean {
  return caller.roles.includes('Switchboard.Supervisor') || caller.roles.includes('Switchboard.Admin');
}

export function floorFor(caller: Caller, floor: FloorSnapshot, directory: FloorDirectory): FloorView {
  const queuesOf = (agentId: string) =>
    Object.entries(directory.queueAgents)
      .filter(([, agents]) => agents.includes(agentId))
      .map(([queue]) => queue);
  const own = floor.agents.find((a) => a.agentId === caller.objectId);
  const mine = queuesOf(caller.objectId);
  const all = supervises(caller);
  return {
    viewer: { agentId: caller.objectId, name: caller.name, supervises: all },
    me: own ? { state: own.state, since: own.since, queues: mine } : null,
    queues: all ? floor.queues : floor.queues.filter((q) => mine.includes(q.queue)),
    agents: all
      ? floor.agents.map((a) => ({
          ...a,
          name: directory.agentNames[a.agentId] ?? a.agentId,
          queues: queuesOf(a.agentId),
        }))
      : [],
  };
}
