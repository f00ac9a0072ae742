import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from './store.js';
import type { RetentionSummary } from '../contracts/activities/retention.js';

/**
 * Deletes everything about calls that arrived before `cutoff`: the call records, their timelines, voicemails,
 * callbacks and recordings, then every stored file no recording refers to any more. Safe to run again after a
 * crash at any point: rows go in one transaction, files are swept by reference afterwards.
 */
export async function purgeOlderThan(orm: MikroORM, store: RecordingStore, cutoff: Date): Promise<RetentionSummary> {
  const knex = orm.em.getKnex();
  const counts = await knex.transaction(async (trx) => {
    const old = trx('call').select('id').where('arrived_at', '<', cutoff);
    const voicemails = await trx('voicemail')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('recorded_at', '<', cutoff);
      })
      .del();
    const callbacks = await trx('callback')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('requested_at', '<', cutoff);
      })
      .del();
    const recordings = await trx('recording')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('created_at', '<', cutoff);
      })
      .del();
    const events = await trx('call_event').whereIn('call_id', old.clone()).del();
    const calls = await trx('call').where('arrived_at', '<', cutoff).del();
    return { calls, events, voicemails, callbacks, recordings };
  });
  const files = await sweepOrphanFiles(orm, store);
  const summary = { cutoff: cutoff.toISOString(), ...counts, files };
  await knex('retention_run').insert({ ...summary, cutoff });
  return summary;
}

/** Delete stored files that no recording row refers to (left by retention, erasure or a crash between the two). */
export async function sweepOrphanFiles(orm: MikroORM, store: RecordingStore, minAgeMs = 0): Promise<number> {
  const knex = orm.em.getKnex();
  let deleted = 0;
  for await (const { key, modifiedAt } of store.list()) {
    // A file written moments ago may belong to a recording whose row is being inserted right now.
    if (Date.now() - modifiedAt.getTime() < minAgeMs) continue;
    const used = await knex('recording').where('storage_key', key).first('id');
    if (!used) {
      await store.delete(key);
      deleted++;
    }
  }
  return deleted;
}
