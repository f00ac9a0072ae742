/**
 * What a tab shows of the floor, read from the live tables (agent_live, queue_live) and cut to what its viewer may
 * see: an agent sees their own state and their queues' waiting calls; supervisors and admins see every queue and agent.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentLive, QueueLive } from '../db/entities/agent-state.js';
import { Call } from '../db/entities/call.js';
import { CallEvent } from '../db/entities/call-event.js';
import { WrapUpCode } from '../db/entities/admin.js';
import { displayPhoneNumber } from '../phone/number.js';
import type { Caller } from '../admin/identity.js';
import type { CallCard, FloorView, QueueLiveView, WaitingCall, WrapUpChoice } from '../contracts/floor-view.js';

export type { CallCard, FloorView, WaitingCall, WrapUpChoice };

export interface FloorSnapshot {
  agents: { agentId: string; state: string; since: string; callId: string | null }[];
  waiting: WaitingCall[];
  /** The calls agents are on (ringing, talking, wrapping up), by call id. */
  cards: Record<string, CallCard>;
  queues: QueueLiveView[];
  /** The active wrap-up codes (admin API /wrap-up-codes), by code. */
  wrapUpCodes: WrapUpChoice[];
}

export interface FloorDirectory {
  /** Agent ids to display names (flows/index.ts). */
  agentNames: Record<string, string>;
  /** Queue names to the agents an admin listed in each (flows/index.ts). */
  queueAgents: Record<string, string[]>;
  /** Queue names to the wrap-up codes they allow (flows/index.ts `wrapUpCodes`); a queue not here allows every code. */
  queueWrapUpCodes?: Record<string, string[]>;
}

export async function readFloor(em: EntityManager): Promise<FloorSnapshot> {
  const [agents, queues, waitingRows, codes] = await Promise.all([
    em.find(AgentLive, {}, { orderBy: { agentId: 'asc' } }),
    em.find(QueueLive, {}, { orderBy: { queue: 'asc' } }),
    em.find(
      Call,
      { queuedAt: { $ne: null }, connectedAt: null, endedAt: null, outcome: null },
      { orderBy: { queuedAt: 'asc' }, limit: 500 },
    ),
    em.find(WrapUpCode, { active: true }, { orderBy: { code: 'asc' } }),
  ]);
  const positions = new Map<string, number>();
  const waiting = waitingRows.map((c) => {
    const position = (positions.get(c.queue ?? '') ?? 0) + 1;
    positions.set(c.queue ?? '', position);
    return { callId: c.id, workflowId: c.workflowId, queue: c.queue ?? '', since: c.queuedAt!.toISOString(), position };
  });
  return {
    agents: agents.map((a) => ({
      agentId: a.agentId,
      state: a.state,
      since: a.since.toISOString(),
      callId: a.callId ?? null,
    })),
    waiting,
    cards: await callCards(
      em,
      agents.flatMap((a) => (a.callId ? [a.callId] : [])),
    ),
    queues: queues.map((q) => ({
      queue: q.queue,
      waiting: q.callsWaiting,
      oldestWaitingSince: q.oldestWaitingSince ? q.oldestWaitingSince.toISOString() : null,
      serviceLevelToday: null,
      agentsByState: {
        available: q.agentsAvailable,
        reserved: q.agentsReserved,
        onCall: q.agentsOnCall,
        wrapUp: q.agentsWrapUp,
        away: q.agentsAway,
        signedOut: q.agentsSignedOut,
      },
    })),
    wrapUpCodes: codes.map((c) => ({ code: c.code, label: c.label })),
  };
}

/**
 * Each queue's service level today, from midnight in the queue's configured time zone (its own, else the site's:
 * SITE_TIME_ZONE; issue 27, point 5), never UTC's or the browser's: SL2 (answered within the threshold ÷ answered +
 * abandoned, docs/metrics.md), so a day of abandoned calls reads 0 %, not nothing.
 */
export async function serviceLevelsToday(em: EntityManager): Promise<Record<string, number | null>> {
  const rows = await em.getConnection().execute<{ queue: string; service_level_abandoned: number | null }[]>(
    `select q.queue, t.service_level_abandoned
       from queue_live q
       left join metrics.queue_zone z on z.queue = q.queue
       cross join lateral metrics.queue_totals(
         metrics.local_day_start(now(), coalesce(z.time_zone, metrics.site_time_zone())), now(), array[q.queue::text]) t`,
  );
  return Object.fromEntries(
    rows.map((r) => [r.queue, r.service_level_abandoned === null ? null : Number(r.service_level_abandoned)]),
  );
}

/** The caller's path: the verbs the flow ran and the menu choices made, from the call's timeline. */
async function callCards(em: EntityManager, callIds: string[]): Promise<Record<string, CallCard>> {
  if (callIds.length === 0) return {};
  const [calls, events] = await Promise.all([
    em.find(Call, { id: { $in: callIds } }),
    em.find(CallEvent, { callId: { $in: callIds }, type: { $like: 'verb:%' } }, { orderBy: { seq: 'asc' } }),
  ]);
  const cards: Record<string, CallCard> = {};
  for (const c of calls) {
    cards[c.id] = {
      callId: c.id,
      workflowId: c.workflowId,
      // Numbers as a person reads them (+44 20 7946 0958); a Teams user's id or a resource account stays as it is.
      from: { number: c.fromId ? displayPhoneNumber(c.fromId) : null, name: c.fromName ?? null },
      line: c.toId ? displayPhoneNumber(c.toId) : null,
      queue: c.queue ?? null,
      path: callPath(events.filter((e) => e.callId === c.id)),
      tags: c.tags,
      data: c.data,
    };
  }
  return cards;
}

/** Steps worth an agent's glance: greetings and answering are left out, a menu shows the key pressed. */
const PATH_VERBS = new Set(['menu', 'gather', 'isOpen', 'queue', 'lookup', 'transfer', 'voicemail', 'offerCallback']);

function callPath(events: CallEvent[]): string[] {
  const steps: { verb: string; args: Record<string, unknown>; result?: unknown }[] = [];
  for (const e of events) {
    const [, verb, done] = e.type.split(':');
    if (!verb || !PATH_VERBS.has(verb)) continue;
    if (!done) steps.push({ verb, args: (e.payload ?? {}) as Record<string, unknown> });
    else {
      const open = steps.findLast((st) => st.verb === verb && !('result' in st));
      if (open) open.result = e.payload;
    }
  }
  return steps.map(({ verb, args, result }) => {
    // Only names an admin wrote (a queue, a schedule, a lookup's name) and keys pressed in a menu: never a lookup's
    // input or what a caller keyed in for a callback.
    const name = [args['queue'], args['schedule'], args['box'], verb === 'lookup' ? args['name'] : undefined].find(
      (v) => typeof v === 'string',
    );
    const outcome =
      verb === 'menu' &&
      result &&
      typeof result === 'object' &&
      typeof (result as { digits?: unknown }).digits === 'string'
        ? `pressed ${(result as { digits: string }).digits}`
        : verb === 'isOpen' && result && typeof result === 'object'
          ? String((result as { open?: unknown }).open === false ? 'closed' : 'open')
          : undefined;
    return [verb, name, outcome].filter(Boolean).join(' · ');
  });
}

export function supervises(caller: Caller): boolean {
  return caller.roles.includes('Switchboard.Supervisor') || caller.roles.includes('Switchboard.Admin');
}

/** The viewer's cut of the floor; the router adds the links. */
export function floorFor(caller: Caller, floor: FloorSnapshot, directory: FloorDirectory): Omit<FloorView, 'links'> {
  const queuesOf = (agentId: string) =>
    Object.entries(directory.queueAgents)
      .filter(([, agents]) => agents.includes(agentId))
      .map(([queue]) => queue);
  const own = floor.agents.find((a) => a.agentId === caller.objectId);
  const mine = queuesOf(caller.objectId);
  const all = supervises(caller);
  const call = own?.callId ? (floor.cards[own.callId] ?? null) : null;
  // The same rule as the admin API's (src/admin/wrap-up.ts): the queue's list when it has one, active codes only.
  const listed = call?.queue ? directory.queueWrapUpCodes?.[call.queue] : undefined;
  return {
    viewer: { agentId: caller.objectId, name: caller.name, supervises: all },
    me: own
      ? {
          state: own.state,
          since: own.since,
          queues: mine,
          call,
          wrapUpCodes: !call
            ? []
            : listed
              ? floor.wrapUpCodes.filter((c) => listed.includes(c.code))
              : floor.wrapUpCodes,
        }
      : null,
    queues: all ? floor.queues : floor.queues.filter((q) => mine.includes(q.queue)),
    waiting: all ? floor.waiting : [],
    agents: all
      ? floor.agents.map((a) => ({
          ...a,
          name: directory.agentNames[a.agentId] ?? a.agentId,
          queues: queuesOf(a.agentId),
        }))
      : [],
  };
}
