import { EntitySchema } from '@mikro-orm/core';
import type { CallOutcome } from '../../contracts/call.js';
import type { CallSegment } from '../../contracts/transfer.js';

/** The call detail record (CDR): one row per call, filled in as the call moves along. */
export class Call {
  id!: string; // the Graph call id
  workflowId!: string;
  fromKind?: string;
  fromId?: string;
  fromName?: string;
  /** The resource account (applicationInstance) or app the caller dialled. */
  toId?: string;
  queue?: string;
  agentId?: string;
  outcome?: CallOutcome;
  /** Seconds between queued and connected (answered by an agent) or abandoned. */
  waitSeconds?: number;
  endCode?: number;
  endSubcode?: number;
  arrivedAt!: Date;
  answeredAt?: Date;
  queuedAt?: Date;
  offeredAt?: Date;
  connectedAt?: Date;
  endedAt?: Date;
  /** `conference` when Switchboard stayed in the call (issue 24); null for a transfer. */
  connectedBy?: string;
  /** A conference's end of talk from Graph's roster, and who left first (agent, caller, call). */
  talkEndedAt?: Date;
  talkEndedBy?: string;
  /** A transferred call's parts, one per agent (issue 24, point 4); null for a call never transferred. */
  segments?: CallSegment[];
  /** The flow that handled the call (flows/). */
  flow?: string;
  tags: string[] = [];
  /** Values the flow set with `call.set` and lookups. */
  data: Record<string, string | number | boolean> = {};
  updatedAt!: Date;
}

export const CallSchema = new EntitySchema<Call>({
  class: Call,
  tableName: 'call',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workflowId: { type: 'string', length: 100 },
    fromKind: { type: 'string', length: 20, nullable: true },
    fromId: { type: 'string', length: 100, nullable: true },
    fromName: { type: 'string', length: 200, nullable: true },
    toId: { type: 'string', length: 100, nullable: true },
    queue: { type: 'string', length: 100, nullable: true },
    agentId: { type: 'string', length: 100, nullable: true },
    outcome: { type: 'string', length: 20, nullable: true },
    waitSeconds: { type: 'double', nullable: true },
    endCode: { type: 'integer', nullable: true },
    endSubcode: { type: 'integer', nullable: true },
    arrivedAt: { type: 'datetime' },
    answeredAt: { type: 'datetime', nullable: true },
    queuedAt: { type: 'datetime', nullable: true },
    offeredAt: { type: 'datetime', nullable: true },
    connectedAt: { type: 'datetime', nullable: true },
    endedAt: { type: 'datetime', nullable: true },
    connectedBy: { type: 'string', length: 20, nullable: true },
    talkEndedAt: { type: 'datetime', nullable: true },
    talkEndedBy: { type: 'string', length: 20, nullable: true },
    segments: { type: 'json', nullable: true },
    flow: { type: 'string', length: 100, nullable: true },
    tags: { type: 'string[]', defaultRaw: `'{}'` },
    data: { type: 'json', defaultRaw: `'{}'::jsonb` },
    updatedAt: { type: 'datetime' },
  },
});
