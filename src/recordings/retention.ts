import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from './store.js';
import type { RetentionSummary } from '../contracts/activities/retention.js';

/** A stored file younger than this is never swept: its recording row may be being inserted right now. */
export const ORPHAN_MIN_AGE_MS = 3_600_000;

export interface PurgeOptions {
  /** Audit rows older than this go too (AUDIT_RETENTION_DAYS; the database refuses anything under 30 days). */
  auditCutoff?: Date;
  /** Recording access tokens kept before this go (a day before the run: RECORDING_TOKEN_MAX_AGE_MS); none if unset. */
  tokenCutoff?: Date;
  /** Called between steps and files: the activity heartbeats, so a long purge is not taken for a dead one. */
  heartbeat?: (progress: string) => void;
}

/**
 * Deletes everything with personal data from before `cutoff`: calls with their timelines, voicemails, callbacks and
 * recordings (their files too), agents' state history, recording access, and audit rows from before `auditCutoff`,
 * and recording access tokens from before `tokenCutoff`;
 * then every stored file no recording refers to any more that is over an hour old. Safe to run again after a crash
 * at any point: rows go in one transaction, files are deleted by reference afterwards.
 */
export async function purgeOlderThan(
  orm: MikroORM,
  store: RecordingStore,
  cutoff: Date,
  opts: PurgeOptions = {},
): Promise<RetentionSummary> {
  const knex = orm.em.getKnex();
  const beat = opts.heartbeat ?? (() => {});
  const { counts, keys } = await knex.transaction(async (trx) => {
    const old = trx('call').select('id').where('arrived_at', '<', cutoff);
    beat('voicemails');
    const voicemails = await trx('voicemail')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('recorded_at', '<', cutoff);
      })
      .del();
    beat('callbacks');
    const callbacks = await trx('callback')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('requested_at', '<', cutoff);
      })
      .del();
    beat('recordings');
    const gone = (await trx('recording')
      .where((q) => {
        q.whereIn('call_id', old.clone()).orWhere('created_at', '<', cutoff);
      })
      .del()
      .returning('storage_key')) as { storage_key: string }[];
    beat('timelines');
    const events = await trx('call_event').whereIn('call_id', old.clone()).del();
    beat('calls');
    const calls = await trx('call').where('arrived_at', '<', cutoff).del();
    beat('agent states');
    const agentStates = await trx('agent_state_change').where('at', '<', cutoff).del();
    beat('recording access');
    const recordingAccesses = await trx('recording_access').where('at', '<', cutoff).del();
    beat('recording tokens');
    // Secrets that download a caller's message: a token the voicemail activity never took goes after a day even
    // when no new one comes in to clear it (recording-tokens.ts), and with its call in any case.
    const recordingTokens = await trx('recording_token')
      .where((q) => {
        q.whereIn('call_id', old.clone());
        if (opts.tokenCutoff) q.orWhere('created_at', '<', opts.tokenCutoff);
      })
      .del();
    beat('audit');
    const auditEntries = opts.auditCutoff ? await trx('audit_entry').where('at', '<', opts.auditCutoff).del() : 0;
    return {
      counts: {
        calls,
        events,
        voicemails,
        callbacks,
        recordings: gone.length,
        agentStates,
        recordingAccesses,
        recordingTokens,
        auditEntries,
      },
      keys: gone.map((r) => r.storage_key),
    };
  });
  const files = (await deleteUnreferencedFiles(knex, store, keys)) + (await sweepOrphanFiles(orm, store, beat));
  const summary = { cutoff: cutoff.toISOString(), ...counts, files };
  await knex('retention_run').insert({
    cutoff,
    calls: counts.calls,
    events: counts.events,
    voicemails: counts.voicemails,
    callbacks: counts.callbacks,
    recordings: counts.recordings,
    files,
    agent_states: counts.agentStates,
    recording_accesses: counts.recordingAccesses,
    audit_entries: counts.auditEntries,
    recording_tokens: counts.recordingTokens,
  });
  return summary;
}

/** Delete the files of recordings just deleted, whatever their age, unless another recording has the same audio. */
export async function deleteUnreferencedFiles(knex: Knex, store: RecordingStore, keys: string[]): Promise<number> {
  let deleted = 0;
  for (const key of new Set(keys)) {
    if (await knex('recording').where('storage_key', key).first('id')) continue;
    // A corrupt file (checksum mismatch) is there all the same, and goes too.
    const present = await store.get(key).then(Boolean, () => true);
    if (!present) continue;
    await store.delete(key);
    deleted++;
  }
  return deleted;
}

/**
 * Delete stored files that no recording row refers to (left by a crash between a row's deletion and its file's),
 * never one younger than an hour: a file written moments ago may belong to a recording whose row is being inserted.
 */
export async function sweepOrphanFiles(
  orm: MikroORM,
  store: RecordingStore,
  heartbeat: (progress: string) => void = () => {},
): Promise<number> {
  const knex = orm.em.getKnex();
  let deleted = 0;
  let seen = 0;
  for await (const { key, modifiedAt } of store.list()) {
    if (++seen % 100 === 0) heartbeat(`orphan sweep: ${seen} files`);
    if (Date.now() - modifiedAt.getTime() < ORPHAN_MIN_AGE_MS) continue;
    const used = await knex('recording').where('storage_key', key).first('id');
    if (!used) {
      await store.delete(key);
      deleted++;
    }
  }
  return deleted;
}
