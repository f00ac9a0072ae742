import { EntitySchema } from '@mikro-orm/core';
import type { AgentStateName } from '../../contracts/agent.js';

/**
 * Every agent state change, timestamped, so occupancy and idle time can be computed from intervals.
 * `key` is assigned by the workflow that made the change, so a retried write never adds a row twice.
 */
export class AgentStateChange {
  id!: string;
  key!: string;
  agentId!: string;
  state!: AgentStateName;
  /** Why: `offer`, `missedOffer`, `presence:Busy`, `optOut`… */
  reason?: string;
  queue?: string;
  callId?: string;
  at!: Date;
}

export const AgentStateChangeSchema = new EntitySchema<AgentStateChange>({
  class: AgentStateChange,
  tableName: 'agent_state_change',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    key: { type: 'string', length: 200, unique: true },
    agentId: { type: 'string', length: 100 },
    state: { type: 'string', length: 20 },
    reason: { type: 'string', length: 100, nullable: true },
    queue: { type: 'string', length: 100, nullable: true },
    callId: { type: 'string', length: 64, nullable: true },
    at: { type: 'datetime' },
  },
});

/** Live state per agent, for dashboards: current state and since when. */
export class AgentLive {
  agentId!: string;
  state!: AgentStateName;
  since!: Date;
  callId?: string;
  updatedAt!: Date;
}

export const AgentLiveSchema = new EntitySchema<AgentLive>({
  class: AgentLive,
  tableName: 'agent_live',
  properties: {
    agentId: { type: 'string', length: 100, primary: true },
    state: { type: 'string', length: 20 },
    since: { type: 'datetime' },
    callId: { type: 'string', length: 64, nullable: true },
    updatedAt: { type: 'datetime' },
  },
});

/** Live state per queue, for dashboards: waiting calls, the oldest wait, agents by state. */
export class QueueLive {
  queue!: string;
  callsWaiting!: number;
  /** When the longest-waiting caller entered the queue; null when nobody waits. */
  oldestWaitingSince?: Date;
  agentsAvailable!: number;
  agentsReserved!: number;
  agentsOnCall!: number;
  agentsWrapUp!: number;
  agentsAway!: number;
  agentsSignedOut!: number;
  updatedAt!: Date;
}

export const QueueLiveSchema = new EntitySchema<QueueLive>({
  class: QueueLive,
  tableName: 'queue_live',
  properties: {
    queue: { type: 'string', length: 100, primary: true },
    callsWaiting: { type: 'integer' },
    oldestWaitingSince: { type: 'datetime', nullable: true },
    agentsAvailable: { type: 'integer' },
    agentsReserved: { type: 'integer' },
    agentsOnCall: { type: 'integer' },
    agentsWrapUp: { type: 'integer' },
    agentsAway: { type: 'integer' },
    agentsSignedOut: { type: 'integer' },
    updatedAt: { type: 'datetime' },
  },
});
