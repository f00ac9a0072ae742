import type { MikroORM } from '@mikro-orm/postgresql';
import { normalisePhoneNumber } from '../src/phone/number.js';
import type { CallbackActivities, CallbackRequest, CallbackUpdate } from '../src/contracts/activities/callbacks.js';

/** Callbacks in Postgres: one row per callback, written by the call workflow that keeps the caller's place. */
export function createCallbackActivities(orm: MikroORM): CallbackActivities {
  return {
    /** Idempotent: a retried request (or a replayed workflow) finds the row its call already has. */
    async requestCallback(input: CallbackRequest): Promise<{ callbackId: string }> {
      const knex = orm.em.getKnex();
      return knex.transaction(async (trx) => {
        // One callback per call: concurrent retries of this activity take turns on the call's lock.
        await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`callback:${input.callId}`]);
        const existing = (await trx('callback').where('call_id', input.callId).first('id')) as
          { id: string | number } | undefined;
        if (existing) return { callbackId: String(existing.id) };
        const [row] = (await trx('callback')
          .insert({
            call_id: input.callId,
            workflow_id: input.workflowId,
            queue: input.queue,
            number: input.number,
            // The caller's number as E.164 when it is one (as the CDR's from_id): one form per number for searches.
            from_id: input.fromId ? (normalisePhoneNumber(input.fromId) ?? input.fromId) : null,
            status: 'requested',
            attempts: 0,
            requested_at: new Date(input.requestedAt),
          })
          .returning('id')) as { id: string | number }[];
        return { callbackId: String(row!.id) };
      });
    },

    async updateCallback(input: CallbackUpdate): Promise<void> {
      const patch: Record<string, unknown> = { status: input.status };
      if (input.attempts !== undefined) patch.attempts = input.attempts;
      if (input.queue !== undefined) patch.queue = input.queue;
      if (input.agentId !== undefined) patch.agent_id = input.agentId;
      if (input.lastError !== undefined)
        patch.last_error = input.lastError === null ? null : input.lastError.slice(0, 500);
      if (input.completedAt !== undefined) patch.completed_at = new Date(input.completedAt);
      await orm.em.getKnex()('callback').where('call_id', input.callId).update(patch);
    },
  };
}
