import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { ScheduleExceptionRow } from '../db/entities/schedule.js';
import { agentStateQuery, agentWorkflowId } from '../contracts/agent.js';
import {
  queueMemberships,
  setAgentAvailability,
  setQueueMembership,
  UnknownAgentError,
} from '../routing/membership.js';
import { scheduleStatus } from '../schedules/evaluate.js';
import { publicHolidaysAround } from '../schedules/public-holidays.js';
import type { ScheduleDefinition, ScheduleException } from '../schedules/types.js';
import { audit, HttpError, isAdmin, pageByName } from './common.js';
import type { AdminCatalog } from './catalog.js';
import type { Handler } from './handler.js';
import type { routes } from './routes.js';
import { listVoicemails } from './voicemail-list.js';

/** Admin API: queues and memberships, schedules and holidays, voicemail boxes. */

type Q<K extends keyof typeof routes> = (typeof routes)[K] extends { query: infer S extends z.ZodTypeAny }
  ? z.infer<S>
  : never;
type B<K extends keyof typeof routes> = (typeof routes)[K] extends { body: infer S extends z.ZodTypeAny }
  ? z.infer<S>
  : never;

const own = <T extends object>(record: T, key: string): boolean => Object.hasOwn(record, key);

// --- queues ----------------------------------------------------------------------------------------------------------

function membershipHandler(member: boolean): Handler {
  return async ({ params }, { caller, em, client, catalog }) => {
    const queue = String(params.queue);
    const agentId = String(params.agentId);
    // Supervisors opt agents in and out, as in Microsoft's Queues app; an agent changes only their own.
    const supervises = isAdmin(caller) || caller.roles.includes('Switchboard.Supervisor');
    if (!supervises && agentId !== caller.objectId)
      throw new HttpError(403, 'Forbidden', 'agents may only change their own queue membership');
    const config = own(catalog.queues, queue) ? catalog.queues[queue] : undefined;
    if (!config) throw new HttpError(404, 'NotFound', 'no such queue');
    // An agent may leave any queue, but join only the queues an admin listed them in.
    if (!isAdmin(caller) && member && !config.agents.includes(agentId)) {
      throw new HttpError(403, 'Forbidden', 'agents may only opt in to queues that list them; ask an admin');
    }
    if (!client)
      throw new HttpError(
        503,
        'Unavailable',
        'queue membership needs Temporal, which this process is not connected to',
      );
    const was = (await queueMemberships(client, [agentId], 500)).get(agentId);
    const before = was ? was.includes(queue) : null;
    const target = `queue:${queue}/agent:${agentId}`;
    await em.transactional(async (tx) => {
      audit(
        tx,
        caller,
        member ? 'queueMembership.optIn' : 'queueMembership.optOut',
        target,
        { queue, agentId, member: before },
        { queue, agentId, member },
      );
      // The signal goes inside the transaction: if it fails, no audit row claims a change that did not happen.
      try {
        await setQueueMembership(client, agentId, queue, member);
      } catch (err) {
        if (err instanceof UnknownAgentError)
          throw new HttpError(404, 'NotFound', 'no such agent (no agent workflow is running for this id)');
        throw err;
      }
    });
    return { queue, agentId, member, before };
  };
}

// --- agents ----------------------------------------------------------------------------------------------------------

const setAvailability: Handler = async ({ params, body }, { caller, em, client }) => {
  const agentId = String(params.id);
  const { state, reason } = body as B<'setAvailability'>;
  // Supervisors bring paused agents back; an agent changes only their own.
  const supervises = isAdmin(caller) || caller.roles.includes('Switchboard.Supervisor');
  if (!supervises && agentId !== caller.objectId) {
    throw new HttpError(403, 'Forbidden', 'agents may only change their own availability');
  }
  if (!client)
    throw new HttpError(
      503,
      'Unavailable',
      'agent availability needs Temporal, which this process is not connected to',
    );
  // What the agent was, if their workflow answers quickly (null when no worker is running to answer).
  const before = await client.connection
    .withDeadline(Date.now() + 1000, () => client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery))
    .then(
      (view) => view.state as string,
      () => null,
    );
  await em.transactional(async (tx) => {
    audit(tx, caller, 'agent.availability', `agent:${agentId}`, { state: before }, { state });
    try {
      await setAgentAvailability(client, agentId, state, reason ?? `set by ${caller.objectId}`);
    } catch (err) {
      if (err instanceof UnknownAgentError)
        throw new HttpError(404, 'NotFound', 'no such agent (no agent workflow is running for this id)');
      throw err;
    }
  });
  return { agentId, state, before };
};

// --- schedules -------------------------------------------------------------------------------------------------------

const exceptionView = (r: ScheduleExceptionRow) => ({
  schedule: r.schedule,
  date: r.date,
  name: r.name,
  kind: r.kind,
  hours: r.hours ?? null,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});
const asException = (r: ScheduleExceptionRow): ScheduleException => ({
  date: r.date,
  name: r.name,
  kind: r.kind,
  ...(r.hours ? { hours: r.hours } : {}),
});

function definition(configuredSchedules: AdminCatalog['schedules'], name: string): ScheduleDefinition {
  const def = own(configuredSchedules, name) ? configuredSchedules[name] : undefined;
  if (!def) throw new HttpError(404, 'NotFound', 'no such schedule');
  return def;
}

const scheduleSummary = (name: string, def: ScheduleDefinition, exceptions: ScheduleException[], now: Date) => ({
  name,
  displayName: def.displayName,
  timeZone: def.timeZone,
  status: scheduleStatus(name, def, exceptions, now, publicHolidaysAround(def, now)),
});

async function exceptionRows(em: EntityManager, schedule: string) {
  return em.find(ScheduleExceptionRow, { schedule }, { orderBy: { date: 'asc' } });
}

// --- voicemail -------------------------------------------------------------------------------------------------------

export const operationsHandlers: Record<
  | 'setAvailability'
  | 'listQueues'
  | 'optIn'
  | 'optOut'
  | 'listSchedules'
  | 'getSchedule'
  | 'putScheduleException'
  | 'deleteScheduleException'
  | 'listVoicemailBoxes'
  | 'listVoicemails',
  Handler
> = {
  listQueues: async ({ query }, { client, catalog }) => {
    const { queues: configuredQueues, agents: configuredAgents } = catalog;
    const allAgents = [...new Set(Object.values(configuredQueues).flatMap((q) => q.agents))];
    const memberships = client ? await queueMemberships(client, allAgents, 1000) : new Map<string, string[] | null>();
    const views = Object.values(configuredQueues).map((q) => {
      const ids = [...new Set([...q.agents, ...allAgents.filter((id) => memberships.get(id)?.includes(q.name))])];
      return {
        name: q.name,
        method: q.method,
        maxCalls: q.maxCalls,
        maxWaitSeconds: q.maxWaitSeconds,
        members: ids.map((agentId) => {
          const m = memberships.get(agentId);
          return {
            agentId,
            name: own(configuredAgents, agentId) ? configuredAgents[agentId]!.name : null,
            configured: q.agents.includes(agentId),
            member: m ? m.includes(q.name) : null,
          };
        }),
      };
    });
    return pageByName(views, query as Q<'listQueues'>);
  },

  setAvailability,
  optIn: membershipHandler(true),
  optOut: membershipHandler(false),

  listSchedules: async ({ query }, { em, catalog }) => {
    const rows = await em.find(ScheduleExceptionRow, {}, { orderBy: { schedule: 'asc', date: 'asc' } });
    const now = new Date();
    const views = Object.entries(catalog.schedules).map(([name, def]) =>
      scheduleSummary(name, def, rows.filter((r) => r.schedule === name).map(asException), now),
    );
    return pageByName(views, query as Q<'listSchedules'>);
  },

  getSchedule: async ({ params }, { em, catalog }) => {
    const name = String(params.schedule);
    const def = definition(catalog.schedules, name);
    const rows = await exceptionRows(em, name);
    const now = new Date();
    return {
      ...scheduleSummary(name, def, rows.map(asException), now),
      weekly: def.weekly,
      // The schedule's own holidays, then its country's public holidays of last, this and next year (date-holidays).
      holidays: [...(def.holidays ?? []), ...publicHolidaysAround(def, now)],
      ...(def.publicHolidays ? { publicHolidays: def.publicHolidays } : {}),
      specialDates: def.specialDates ?? [],
      exceptions: rows.map(exceptionView),
    };
  },

  putScheduleException: async ({ params, body }, { caller, em, catalog }) => {
    const schedule = String(params.schedule);
    const date = String(params.date);
    definition(catalog.schedules, schedule);
    const b = body as B<'putScheduleException'>;
    try {
      return await em.transactional(async (tx) => {
        const existing = await tx.findOne(
          ScheduleExceptionRow,
          { schedule, date },
          { lockMode: 4 /* pessimistic write */ },
        );
        const before = existing ? exceptionView(existing) : null;
        const values = {
          name: b.name,
          kind: b.kind,
          hours: b.kind === 'specialHours' ? (b.hours ?? []) : null,
          createdBy: `${caller.name} (${caller.objectId})`,
          createdAt: new Date(),
        };
        const row = existing ?? tx.create(ScheduleExceptionRow, { schedule, date, ...values });
        Object.assign(row, values);
        const after = exceptionView(row);
        audit(
          tx,
          caller,
          existing ? 'scheduleException.update' : 'scheduleException.create',
          `schedule:${schedule}/${date}`,
          before,
          after,
        );
        return after;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException)
        throw new HttpError(409, 'Conflict', 'changed at the same time by someone else; try again');
      throw err;
    }
  },

  deleteScheduleException: async ({ params }, { caller, em, catalog }) => {
    const schedule = String(params.schedule);
    const date = String(params.date);
    definition(catalog.schedules, schedule);
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(ScheduleExceptionRow, { schedule, date });
      if (!existing)
        throw new HttpError(404, 'NotFound', 'no holiday or special date was added for this date at run time');
      const before = exceptionView(existing);
      tx.remove(existing);
      audit(tx, caller, 'scheduleException.delete', `schedule:${schedule}/${date}`, before, null);
      return before;
    });
  },

  listVoicemailBoxes: async ({ query }, { em, catalog }) => {
    const { voicemailBoxes } = catalog;
    const counts = (await em
      .getKnex()('voicemail')
      .whereIn('box', Object.keys(voicemailBoxes))
      .groupBy('box')
      .select(
        'box',
        em.getKnex().raw('count(*)::int as messages'),
        em.getKnex().raw('count(*) filter (where handled_at is null)::int as unhandled'),
      )) as Array<{
      box: string;
      messages: number;
      unhandled: number;
    }>;
    const views = Object.entries(voicemailBoxes).map(([name, box]) => {
      const c = counts.find((r) => r.box === name);
      return {
        name,
        displayName: box.displayName,
        maxSeconds: box.maxSeconds,
        notify: { teamsUserIds: box.notify.teamsUserIds ?? [], webhook: Boolean(box.notify.webhookUrl) },
        messages: c?.messages ?? 0,
        unhandled: c?.unhandled ?? 0,
      };
    });
    return pageByName(views, query as Q<'listVoicemailBoxes'>);
  },

  listVoicemails,
};
