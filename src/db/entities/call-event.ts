import { EntitySchema } from '@mikro-orm/core';

/**
 * One step of a call's timeline: a notification from Graph or an action Switchboard took.
 * `(callId, seq)` is unique and `seq` is assigned by the workflow, so a retried write can never add a row twice.
 */
export class CallEvent {
  id!: string;
  callId!: string;
  seq!: number;
  type!: string;
  at!: Date;
  payload?: unknown;
}

export const CallEventSchema = new EntitySchema<CallEvent>({
  class: CallEvent,
  tableName: 'call_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    callId: { type: 'string', length: 64 },
    seq: { type: 'integer' },
    type: { type: 'string', length: 60 },
    at: { type: 'datetime' },
    payload: { type: 'json', nullable: true },
  },
  uniques: [{ properties: ['callId', 'seq'] }],
  indexes: [{ properties: ['at'] }],
});
