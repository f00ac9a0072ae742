import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from './store.js';
import { sweepOrphanFiles } from './retention.js';

export interface Actor {
  id: string;
  name: string;
  ip: string;
}

async function audit(orm: MikroORM, actor: Actor, action: string, target: string, after: unknown): Promise<void> {
  await orm.em
    .getKnex()('audit_entry')
    .insert({
      at: new Date(),
      actor_id: actor.id,
      actor_name: actor.name,
      ip: actor.ip,
      action,
      target,
      before: null,
      after: JSON.stringify(after),
    });
}

/** Calls where this person was the caller, or the number called back. */
function callsOf(orm: MikroORM, caller: string) {
  const knex = orm.em.getKnex();
  return knex('call')
    .select('id')
    .where('from_id', caller)
    .union(knex('callback').select('call_id as id').where('number', caller).whereNotNull('call_id'));
}

/** A person's right to erasure: every call, timeline entry, voicemail, callback and recording of theirs. */
export async function eraseCaller(orm: MikroORM, store: RecordingStore, caller: string, actor: Actor) {
  const knex = orm.em.getKnex();
  const result = await knex.transaction(async (trx) => {
    const ids = (await callsOf(orm, caller).transacting(trx)).map((r: { id: string }) => r.id);
    const voicemails = await trx('voicemail')
      .where((q) => {
        q.whereIn('call_id', ids).orWhere('from_id', caller);
      })
      .del();
    const callbacks = await trx('callback')
      .where((q) => {
        q.whereIn('call_id', ids).orWhere('number', caller);
      })
      .del();
    const recordings = await trx('recording').whereIn('call_id', ids).del();
    const events = await trx('call_event').whereIn('call_id', ids).del();
    const calls = await trx('call').whereIn('id', ids).del();
    return { calls, events, voicemails, callbacks, recordings };
  });
  const files = await sweepOrphanFiles(orm, store);
  const summary = { ...result, files };
  // The audit row records that an erasure happened and how much went, not the person's data.
  await audit(orm, actor, 'privacy.erase', `caller:${caller}`, summary);
  return summary;
}

/** A person's right of access: one JSON file with everything about them, plus their recordings' audio. */
export async function exportCaller(orm: MikroORM, store: RecordingStore, caller: string, outDir: string, actor: Actor) {
  const knex = orm.em.getKnex();
  const ids = (await callsOf(orm, caller)).map((r: { id: string }) => r.id);
  const calls = await knex('call').whereIn('id', ids).orderBy('arrived_at');
  const events = await knex('call_event').whereIn('call_id', ids).orderBy(['call_id', 'seq']);
  const voicemails = await knex('voicemail').where((q) => {
    q.whereIn('call_id', ids).orWhere('from_id', caller);
  });
  const callbacks = await knex('callback').where((q) => {
    q.whereIn('call_id', ids).orWhere('number', caller);
  });
  const recordings = await knex('recording').whereIn('call_id', ids);
  await mkdir(outDir, { recursive: true });
  const audio: string[] = [];
  for (const r of recordings as { id: string; storage_key: string }[]) {
    const bytes = await store.get(r.storage_key);
    if (!bytes) continue;
    const name = `recording-${r.id}.wav`;
    await writeFile(path.join(outDir, name), bytes);
    audio.push(name);
  }
  const document = {
    subject: caller,
    exportedAt: new Date().toISOString(),
    calls: calls.map((c: { id: string }) => ({
      ...c,
      timeline: events.filter((e: { call_id: string }) => e.call_id === c.id),
    })),
    voicemails,
    callbacks,
    recordings: recordings.map((r: { id: string }) => ({
      ...r,
      file: audio.find((a) => a === `recording-${r.id}.wav`) ?? null,
    })),
  };
  const file = path.join(outDir, 'export.json');
  await writeFile(file, JSON.stringify(document, null, 2));
  const summary = {
    calls: calls.length,
    voicemails: voicemails.length,
    callbacks: callbacks.length,
    recordings: audio.length,
  };
  await audit(orm, actor, 'privacy.export', `caller:${caller}`, summary);
  return { file, audio, ...summary };
}
