import { EntitySchema } from '@mikro-orm/core';

/** One change made through the admin API or CLI: who, what, before and after, when, from where. Append-only. */
export class AuditEntry {
  id!: string;
  at!: Date;
  actorId!: string;
  actorName!: string;
  ip!: string;
  action!: string;
  target!: string;
  before?: unknown;
  after?: unknown;
}

export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  class: AuditEntry,
  tableName: 'audit_entry',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    actorId: { type: 'string', length: 100 },
    actorName: { type: 'string', length: 200 },
    ip: { type: 'string', length: 64 },
    action: { type: 'string', length: 100 },
    target: { type: 'string', length: 200 },
    before: { type: 'json', nullable: true },
    after: { type: 'json', nullable: true },
  },
});

/** After-call work codes agents pick in wrap-up (e.g. "Resolved", "Escalated"). */
export class WrapUpCode {
  code!: string;
  label!: string;
  active!: boolean;
  updatedAt!: Date;
}

export const WrapUpCodeSchema = new EntitySchema<WrapUpCode>({
  class: WrapUpCode,
  tableName: 'wrap_up_code',
  properties: {
    code: { type: 'string', length: 50, primary: true },
    label: { type: 'string', length: 200 },
    active: { type: 'boolean' },
    updatedAt: { type: 'datetime' },
  },
});
