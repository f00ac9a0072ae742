import { z } from 'zod';
import { checkHours, checkScheduleDate } from '../schedules/evaluate.js';

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

/** An agent's wrap-up of a call (issue 23): a code of the call's queue and an optional short note. */
export const callWrapUpBody = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/, 'letters, digits, _ . - only, at most 50'),
    note: z.string().trim().max(500, 'at most 500 characters').optional(),
  })
  .strict();
export const callWrapUp = z.object({
  callId: z.string(),
  agentId: z.string(),
  code: z.string(),
  note: z.string().nullable(),
  at: z.string(),
});
export const extendWrapUpBody = z
  .object({ seconds: z.number().int('a whole number of seconds').min(1).max(600).describe('1–600') })
  .strict();
export const wrapUpExtension = z.object({ agentId: z.string(), seconds: z.number(), wrapUpUntil: z.string() });

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
  wrapUp: callWrapUp.nullable(),
  /** A transferred call's parts, one per agent, in order (issue 24, point 4); null for a call never transferred. */
  segments: z
    .array(
      z.object({
        agentId: z.string(),
        queue: z.string(),
        connectedAt: z.string(),
        endedAt: z.string().optional(),
        endedBy: z.string().optional(),
      }),
    )
    .nullable(),
  timeline: z.array(z.object({ seq: z.number(), type: z.string(), at: z.string(), payload: z.unknown() })),
});

export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

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

export const agentState = z.object({
  agentId: z.string(),
  state: z.string(),
  since: z.string(),
  callId: z.string().nullable(),
  /**
   * A sign-out or away asked for during an offer or a call: applied when it and its wrap-up end. Null when none is
   * pending or the agent's workflow did not answer within a second.
   */
  pendingAvailability: z.enum(['away', 'signedOut']).nullable(),
});

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

// --- queues and memberships ---------------------------------------------------------------------------------------

const name100 = (what: string) => z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, `not a ${what} name`);
export const queueParam = z.object({ queue: name100('queue') });
export const queueMemberParam = z.object({
  queue: name100('queue'),
  agentId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'not an agent id'),
});
export const nameListQuery = pageQuery.strict();

export const queueMember = z.object({
  agentId: z.string(),
  name: z.string().nullable(),
  /** Listed in the queue's definition in flows/. */
  configured: z.boolean(),
  /** Takes calls from this queue now (after opt-ins and opt-outs); null when the agent's workflow cannot be asked. */
  member: z.boolean().nullable(),
});
export const queueSummary = z.object({
  name: z.string(),
  method: z.string(),
  maxCalls: z.number(),
  maxWaitSeconds: z.number(),
  members: z.array(queueMember),
});
export const membershipChange = z.object({
  queue: z.string(),
  agentId: z.string(),
  member: z.boolean(),
  before: z.boolean().nullable(),
});
export const availabilityBody = z
  .object({
    state: z.enum(['available', 'away', 'signedOut']),
    reason: z.string().min(1).max(100).optional(),
  })
  .strict();
export const availabilityChange = z.object({
  agentId: z.string(),
  state: z.enum(['available', 'away', 'signedOut']),
  before: z.string().nullable(),
});

// --- schedules and holidays ---------------------------------------------------------------------------------------

export const scheduleParam = z.object({ schedule: name100('schedule') });
const SCHEDULE_DATE = /^(\d{4}-)?\d{2}-\d{2}$/;
const scheduleDate = z
  .string()
  .regex(SCHEDULE_DATE, "expected 'YYYY-MM-DD' or 'MM-DD'")
  .superRefine((d, ctx) => {
    const bad = SCHEDULE_DATE.test(d) ? checkScheduleDate(d) : undefined; // a bad format is reported once, above
    if (bad) ctx.addIssue({ code: 'custom', message: bad });
  })
  .describe("'YYYY-MM-DD' (once) or 'MM-DD' (every year)");
export const scheduleExceptionParam = z.object({ schedule: name100('schedule'), date: scheduleDate });
const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "expected 'HH:MM'");
export const scheduleExceptionBody = z
  .object({
    kind: z.enum(['holiday', 'specialHours']),
    name: z.string().trim().min(1).max(200),
    hours: z
      .array(z.tuple([hhmm, hhmm]))
      .max(12)
      .optional()
      .describe("specialHours only: open intervals ['HH:MM', 'HH:MM'], local time"),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === 'holiday' && b.hours !== undefined)
      ctx.addIssue({ code: 'custom', path: ['hours'], message: 'a holiday is closed all day: no hours' });
    if (b.kind === 'specialHours') {
      if (b.hours === undefined)
        ctx.addIssue({ code: 'custom', path: ['hours'], message: 'required for specialHours (use [] for closed)' });
      // Order and overlap only once every time is well-formed (the tuple schema has already named the bad ones).
      const wellFormed = (b.hours ?? []).every((iv) => iv.every((t) => hhmm.safeParse(t).success));
      if (wellFormed)
        for (const p of checkHours(b.hours ?? []))
          ctx.addIssue({
            code: 'custom',
            path: ['hours', ...(p.index === undefined ? [] : [p.index])],
            message: p.message,
          });
    }
  });

export const scheduleStatusView = z.object({
  schedule: z.string(),
  open: z.boolean(),
  reason: z.enum(['hours', 'closed', 'holiday', 'specialHours']),
  name: z.string().optional(),
  nextChange: z.string().optional(),
});
const interval = z.tuple([z.string(), z.string()]);
export const scheduleSummary = z.object({
  name: z.string(),
  displayName: z.string(),
  timeZone: z.string(),
  status: scheduleStatusView,
});
export const scheduleExceptionView = z.object({
  schedule: z.string(),
  date: z.string(),
  name: z.string(),
  kind: z.enum(['holiday', 'specialHours']),
  hours: z.array(interval).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export const scheduleDetail = scheduleSummary.extend({
  weekly: z.record(z.array(interval)),
  holidays: z.array(z.object({ date: z.string(), name: z.string() })),
  /** Where the public holidays among `holidays` come from (date-holidays). */
  publicHolidays: z
    .object({ country: z.string(), region: z.string().optional(), except: z.array(z.string()).optional() })
    .optional(),
  specialDates: z.array(z.object({ date: z.string(), name: z.string(), hours: z.array(interval) })),
  exceptions: z.array(scheduleExceptionView).describe('added at run time; they win over the definition for their date'),
});

// --- voicemail -----------------------------------------------------------------------------------------------------

export const voicemailBoxParam = z.object({ box: name100('voicemail box') });
export const voicemailBoxSummary = z.object({
  name: z.string(),
  displayName: z.string(),
  maxSeconds: z.number(),
  notify: z.object({ teamsUserIds: z.array(z.string()), webhook: z.boolean() }),
  messages: z.number(),
  unhandled: z.number(),
});
export const voicemailMessage = z.object({
  id: z.string(),
  callId: z.string().nullable(),
  fromId: z.string().nullable(),
  fromName: z.string().nullable(),
  recordedAt: z.string(),
  durationSeconds: z.number(),
  status: z.string(),
  handledAt: z.string().nullable(),
  handledBy: z.string().nullable(),
  recording: recordingLink
    .extend({
      id: z.string(),
      parts: z
        .array(z.object({ id: z.string(), url: z.string() }))
        .describe("the message's later parts, in order, when its segments' format could not be joined (WMA, M4A)"),
    })
    .nullable()
    .describe('a signed, time-limited link (audited); null when no audio was kept'),
});

// Issue 27: a queue's analytics settings (src/admin/queue-settings.ts).
// The last three are the Teams Queues app's (sl_met_negative_abandon, _positive_abandon, _no_abandon; docs/metrics.md).
export const SL_FORMULAS = [
  'answered',
  'answered_abandoned',
  'abandons_within_met',
  'late_abandons',
  'teams_negative_abandon',
  'teams_positive_abandon',
  'teams_no_abandon',
] as const;
export const queueSettingsBody = z
  .object({
    serviceLevelSeconds: z.number().int('expected whole seconds').min(1).max(3600).optional(),
    shortAbandonSeconds: z.number().int('expected whole seconds').min(0).max(600).optional(),
    /** Percent of calls to answer within the threshold, for Erlang C staffing: 100 would need infinitely many agents. */
    serviceLevelTarget: z
      .number()
      .int('expected a whole percentage, 1–99')
      .min(1, 'expected a whole percentage, 1–99')
      .max(99, 'expected a whole percentage, 1–99')
      .optional(),
    serviceLevelFormula: z.enum(SL_FORMULAS).optional(),
    /** An IANA zone name, or null for the site's. */
    timeZone: z.string().min(1).max(64).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'expected at least one setting to change');
const queueSettingsHistoryRow = z.object({
  serviceLevelSeconds: z.number(),
  shortAbandonSeconds: z.number(),
  serviceLevelTarget: z.number(),
  validFrom: z.string().nullable(),
  changedBy: z.string().nullable(),
});
export const queueSettings = z.object({
  queue: z.string(),
  serviceLevelSeconds: z.number(),
  shortAbandonSeconds: z.number(),
  serviceLevelTarget: z.number(),
  serviceLevelFormula: z.enum(SL_FORMULAS),
  timeZone: z.string().nullable(),
  /** The zone in force: the queue's own, else the site's. */
  effectiveTimeZone: z.string(),
  changedBy: z.string().nullable(),
  history: z.array(queueSettingsHistoryRow),
});
