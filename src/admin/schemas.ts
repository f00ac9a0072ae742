import { z } from 'zod';

/** Request and response schemas of the admin API: validation and the OpenAPI document come from these. */

const isoDate = z.string().datetime({ offset: true, message: 'expected an ISO 8601 date-time' });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size, 1–200'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a cursor from a previous page')
    .optional()
    .describe('the nextCursor of the previous page'),
});

export const callsQuery = pageQuery
  .extend({
    caller: z.string().max(100).optional().describe('caller id or phone number (exact or prefix)'),
    queue: z.string().max(100).optional(),
    outcome: z.enum(['connected', 'abandoned', 'disconnected', 'failed']).optional(),
    since: isoDate.optional().describe('arrived at or after'),
    until: isoDate.optional().describe('arrived before'),
  })
  .strict();

export const callIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a call id') });
export const agentIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not an agent id') });
export const wrapUpCodeParam = z.object({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/, 'letters, digits, _ . - only, at most 50'),
});

export const wrapUpCodeBody = z
  .object({
    label: z.string().trim().min(1).max(200),
    active: z.boolean().default(true),
  })
  .strict();

export const auditQuery = pageQuery.extend({ action: z.string().max(100).optional() }).strict();

export const callSummary = z.object({
  id: z.string(),
  workflowId: z.string(),
  fromKind: z.string().nullable(),
  fromId: z.string().nullable(),
  fromName: z.string().nullable(),
  toId: z.string().nullable(),
  queue: z.string().nullable(),
  agentId: z.string().nullable(),
  outcome: z.string().nullable(),
  waitSeconds: z.number().nullable(),
  arrivedAt: z.string(),
  answeredAt: z.string().nullable(),
  queuedAt: z.string().nullable(),
  offeredAt: z.string().nullable(),
  connectedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});

export const callDetail = callSummary.extend({
  timeline: z.array(z.object({ seq: z.number(), type: z.string(), at: z.string(), payload: z.unknown() })),
});

export const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const wrapUpCode = z.object({ code: z.string(), label: z.string(), active: z.boolean(), updatedAt: z.string() });

export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  ip: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export const agentState = z.object({ agentId: z.string(), state: z.string(), since: z.string(), callId: z.string().nullable() });

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const caller = z.object({
  objectId: z.string(),
  name: z.string(),
  tenantId: z.string(),
  roles: z.array(z.string()),
  ip: z.string(),
});

export const recordingIdParam = z.object({ id: z.string().regex(/^\d{1,18}$/, 'not a recording id') });
export const recordingLink = z.object({ url: z.string(), expiresAt: z.string() });
