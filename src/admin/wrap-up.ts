import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { agentWorkflowId, extendWrapUpUpdate } from '../contracts/agent.js';
import { Call } from '../db/entities/call.js';
import { WrapUpCode } from '../db/entities/admin.js';
import { audit, HttpError, isAdmin } from './common.js';
import type { Caller } from './identity.js';
import type { AdminCatalog } from './catalog.js';
import type { Handler } from './handler.js';
import type { routes } from './routes.js';

/** Admin API: the wrap-up an agent gives a call (code and note), and more wrap-up time (issue 23, point 3). */

type B<K extends keyof typeof routes> = (typeof routes)[K] extends { body: infer S extends z.ZodTypeAny }
  ? z.infer<S>
  : never;

const supervises = (caller: Caller) => isAdmin(caller) || caller.roles.includes('Switchboard.Supervisor');

/**
 * The codes an agent may give a call of `queue`: the queue's own list (flows/: `wrapUpCodes`), else every code,
 * and of those only the active ones. A call that never reached a queue may take any active code.
 */
export async function wrapUpCodesFor(
  em: EntityManager,
  configuredQueues: AdminCatalog['queues'],
  queue: string | null | undefined,
): Promise<WrapUpCode[]> {
  const active = await em.find(WrapUpCode, { active: true }, { orderBy: { code: 'asc' } });
  const listed = queue && Object.hasOwn(configuredQueues, queue) ? configuredQueues[queue]?.wrapUpCodes : undefined;
  return listed ? active.filter((c) => listed.includes(c.code)) : active;
}

interface WrapUpRow {
  call_id: string;
  agent_id: string;
  code: string;
  note: string | null;
  at: Date;
}

export const wrapUpView = (r: WrapUpRow) => ({
  callId: r.call_id,
  agentId: r.agent_id,
  code: r.code,
  note: r.note,
  at: new Date(r.at).toISOString(),
});

/** A call's wrap-up, or null when it has none yet. */
export async function callWrapUp(em: EntityManager, callId: string) {
  const row = (await em.getKnex()('call_wrap_up').where('call_id', callId).first()) as WrapUpRow | undefined;
  return row ? wrapUpView(row) : null;
}

const putCallWrapUp: Handler = async ({ params, body }, { caller, em, catalog }) => {
  const callId = String(params.id);
  const { code, note } = body as B<'putCallWrapUp'>;
  const call = await em.findOne(Call, { id: callId });
  if (!call) throw new HttpError(404, 'NotFound', 'no such call');
  // An agent wraps up only the calls they took; supervisors and admins any call (to correct a pick).
  if (!supervises(caller) && call.agentId !== caller.objectId)
    throw new HttpError(403, 'Forbidden', 'agents may only wrap up calls they took');
  const allowed = await wrapUpCodesFor(em, catalog.queues, call.queue);
  if (!allowed.some((c) => c.code === code)) {
    const list = allowed.map((c) => c.code).join(', ') || 'none';
    throw new HttpError(
      400,
      'ValidationError',
      `body.code: '${code}' is not an active wrap-up code of ${call.queue ? `queue ${call.queue}` : 'this call'} (allowed: ${list})`,
    );
  }
  // The call's agent is who the row counts for in the dashboard, whoever saves it.
  const agentId = call.agentId ?? caller.objectId;
  return em.transactional(async (tx) => {
    const knex = tx.getKnex();
    const before = (await knex('call_wrap_up').where('call_id', callId).forUpdate().first()) as WrapUpRow | undefined;
    const [row] = (await knex('call_wrap_up')
      .insert({ call_id: callId, agent_id: agentId, code, note: note ?? null, at: new Date() })
      .onConflict('call_id')
      .merge()
      .returning('*')) as WrapUpRow[];
    // The note may hold what the caller said: the audit keeps its length, not its words.
    const summary = (r: WrapUpRow | undefined) =>
      r ? { code: r.code, agentId: r.agent_id, noteLength: r.note?.length ?? 0 } : null;
    audit(tx, caller, 'call.wrapUp', `call:${callId}`, summary(before), summary(row));
    return wrapUpView(row!);
  });
};

const extendWrapUp: Handler = async ({ params, body }, { caller, em, client }) => {
  const agentId = String(params.id);
  const { seconds } = body as B<'extendWrapUp'>;
  if (!supervises(caller) && agentId !== caller.objectId)
    throw new HttpError(403, 'Forbidden', 'agents may only extend their own wrap-up');
  if (!client)
    throw new HttpError(503, 'Unavailable', 'wrap-up needs Temporal, which this process is not connected to');
  return em.transactional(async (tx) => {
    const wrapUpUntil = await extend(client, agentId, seconds);
    audit(tx, caller, 'agent.extendWrapUp', `agent:${agentId}`, null, { seconds, wrapUpUntil });
    return { agentId, seconds, wrapUpUntil };
  });
};

/** The Update to the agent's workflow; its validator's refusal (not in wrap-up) becomes a 409 that says so. */
async function extend(client: Client, agentId: string, seconds: number): Promise<string> {
  try {
    const r = await client.workflow
      .getHandle(agentWorkflowId(agentId))
      .executeUpdate(extendWrapUpUpdate, { args: [{ seconds }] });
    return new Date(r.wrapUpUntil).toISOString();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'NotFound', 'no such agent (no agent workflow is running for this id)');
    if (err instanceof WorkflowUpdateFailedError)
      throw new HttpError(409, 'Conflict', `wrap-up not extended: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}

export const wrapUpHandlers: Record<'putCallWrapUp' | 'extendWrapUp', Handler> = { putCallWrapUp, extendWrapUp };
