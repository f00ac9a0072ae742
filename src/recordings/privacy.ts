import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import { detectAudioFormat } from '../media/audio-format.js';
import type { RecordingStore } from './store.js';
import { deleteUnreferencedFiles } from './retention.js';
import type { DataSubject } from '../privacy/phone.js';
import { SubjectMatcher, redacted } from '../privacy/matching.js';
import { subjectRef } from '../privacy/subject-ref.js';
import { deleteWorkflowHistories, openOrClosedRuns } from '../privacy/temporal-histories.js';

export interface Actor {
  id: string;
  name: string;
  ip: string;
}

/** What a privacy request reaches: Postgres, the recordings folder and Temporal's histories. */
export interface PrivacyStores {
  orm: MikroORM;
  store: RecordingStore;
  temporal: Client;
  /** Names the person in audit rows (subject-ref.ts). */
  hmacKey: Buffer;
  /** How numbers stored without a country code are read (PHONE_REGION). */
  region?: string;
  /** Told how far the long steps are (one Temporal request per workflow, one file per recording): CLI progress. */
  onProgress?: (step: string, done: number, all: number) => void;
}

async function audit(s: PrivacyStores, actor: Actor, action: string, subject: DataSubject, after: unknown) {
  // The audit row can never be changed or deleted (but by retention), so it names the person by a keyed hash only.
  await s.orm.em
    .getKnex()('audit_entry')
    .insert({
      at: new Date(),
      actor_id: actor.id,
      actor_name: actor.name,
      ip: actor.ip,
      action,
      target: subjectRef(subject, s.hmacKey),
      before: null,
      after: JSON.stringify(after),
    });
}

type Row = Record<string, unknown> & { id: string | number };

/** Everything that is this person's, and the callbacks made out to their number from someone else's call. */
async function find(knex: Knex, m: SubjectMatcher) {
  const calls = await m.rows<Row & { workflow_id: string }>(knex, 'call', 'from_id');
  const callIds = calls.map((c) => String(c.id));
  const ownCallbacks = (await knex('callback').whereIn('call_id', callIds)) as Row[];
  const requested = await m.rows<Row>(knex, 'callback', 'from_id');
  const toNumber = await m.rows<Row & { call_id: string | null; workflow_id: string | null }>(
    knex,
    'callback',
    'number',
  );
  const own = new Map<string, Row>([...ownCallbacks, ...requested].map((r) => [String(r.id), r]));
  // A callback number another caller entered for this person is their data too, but the call is not: only the
  // callback row goes, and the number comes out of that call's timeline (its Temporal history, which cannot be
  // edited, is deleted).
  const others = toNumber.filter((r) => !own.has(String(r.id)));
  const voicemails = new Map<string, Row>(
    [
      ...((await knex('voicemail').whereIn('call_id', callIds)) as Row[]),
      ...(await m.rows<Row>(knex, 'voicemail', 'from_id')),
    ].map((r) => [String(r.id), r]),
  );
  return { calls, callIds, callbacks: [...own.values()], others, voicemails: [...voicemails.values()] };
}

/** The person's calls, and the calls their voicemails were left on (a voicemail matched by its own from_id). */
function callIdsWithMessages(found: { callIds: string[]; voicemails: Row[] }): string[] {
  const fromVoicemails = found.voicemails.flatMap((v) => (v.call_id ? [String(v.call_id)] : []));
  return [...new Set([...found.callIds, ...fromVoicemails])];
}

/** Timeline entries of other callers' calls that hold this person's number, with the number taken out. */
async function redactions(knex: Knex, m: SubjectMatcher, callIds: string[]) {
  const events = (await knex('call_event').whereIn('call_id', callIds)) as { id: string; payload: unknown }[];
  return events.flatMap((e) => {
    const payload = redacted(e.payload, m);
    return payload === undefined ? [] : [{ id: e.id, payload }];
  });
}

/**
 * A person's right to erasure: their calls with timelines, voicemails, callbacks and recordings (and the access
 * tokens to recordings not yet downloaded), the callbacks made
 * out to their number, and every Temporal history that holds any of it. Temporal goes first: if it is out of reach
 * nothing is erased and the request can simply be run again.
 */
export async function eraseSubject(s: PrivacyStores, subject: DataSubject, actor: Actor) {
  const knex = s.orm.em.getKnex();
  const m = new SubjectMatcher(subject, s.region);
  const found = await find(knex, m);
  const otherCallIds = found.others.flatMap((c) => (c.call_id ? [c.call_id] : []));
  const workflowIds = [
    ...found.calls.map((c) => c.workflow_id),
    ...found.callbacks.flatMap((c) => (c.workflow_id ? [String(c.workflow_id)] : [])),
    ...found.others.flatMap((c) => (c.workflow_id ? [c.workflow_id] : [])),
  ];
  // Their calls by CallerHash, whether Postgres still has them or not; the other workflows by id.
  const callerHash = subjectRef(subject, s.hmacKey);
  const histories = await deleteWorkflowHistories(s.temporal, { callerHash, workflowIds }, (done, all) =>
    s.onProgress?.('Temporal histories deleted', done, all),
  );

  const result = await knex.transaction(async (trx) => {
    const voicemails = await trx('voicemail')
      .whereIn(
        'id',
        found.voicemails.map((v) => v.id),
      )
      .del();
    const callbacks = await trx('callback')
      .whereIn(
        'id',
        [...found.callbacks, ...found.others].map((c) => c.id),
      )
      .del();
    const recordings = (await trx('recording').whereIn('call_id', found.callIds).del().returning('storage_key')) as {
      storage_key: string;
    }[];
    // Access tokens the webhook kept for their messages and no voicemail activity took yet (recording-tokens.ts):
    // each opens the person's recorded voice. Another caller's call keeps its tokens: that message is not theirs.
    const recordingTokens = await trx('recording_token').whereIn('call_id', callIdsWithMessages(found)).del();
    const events = await trx('call_event').whereIn('call_id', found.callIds).del();
    const calls = await trx('call').whereIn('id', found.callIds).del();
    let redacted = 0;
    for (const r of await redactions(trx, m, otherCallIds)) {
      redacted += await trx('call_event')
        .where('id', r.id)
        .update({ payload: JSON.stringify(r.payload) });
    }
    return { calls, events, voicemails, callbacks, recordings, recordingTokens, redactedEvents: redacted };
  });
  // The erased recordings' files go now, whatever their age (unless another recording has the very same audio).
  const files = await deleteUnreferencedFiles(
    knex,
    s.store,
    result.recordings.map((r) => r.storage_key),
  );
  const summary = {
    ...result,
    recordings: result.recordings.length,
    files,
    historiesTerminated: histories.terminated,
    historiesDeleted: histories.deleted,
  };
  // The audit row records that an erasure happened and how much went, not the person's data.
  await audit(s, actor, 'privacy.erase', subject, summary);
  return summary;
}

/** The places an export read, and those it could not, with why: the person is told where their data is. */
function storesRead(temporalHeld: string[]) {
  return [
    {
      store: 'postgres',
      read: true,
      tables: ['call', 'call_event', 'survey_response', 'voicemail', 'callback', 'recording'],
    },
    { store: 'recordings folder', read: true, what: 'the audio of each recording listed (files beside export.json)' },
    {
      store: 'temporal',
      read: false,
      what:
        'workflow histories of the calls listed: the same data as the call records, encrypted; deleted after the ' +
        "namespace's retention or on erasure",
      workflowIds: temporalHeld,
    },
    {
      store: 'sent outside Switchboard',
      read: false,
      what:
        'voicemail notices (the voicemail webhook, the Teams activity feed) were sent to the people and systems ' +
        'configured for each voicemail box; Switchboard cannot read or recall them',
    },
  ];
}

/** A person's right of access: one JSON file with everything about them, plus their recordings' audio. */
export async function exportSubject(s: PrivacyStores, subject: DataSubject, outDir: string, actor: Actor) {
  const knex = s.orm.em.getKnex();
  const m = new SubjectMatcher(subject, s.region);
  const found = await find(knex, m);
  const events = await knex('call_event').whereIn('call_id', found.callIds).orderBy(['call_id', 'seq']);
  // The post-call survey's answers (issue 24): erased with their call (on delete cascade), exported with it here.
  const surveys = (await knex('survey_response')
    .whereIn('call_id', found.callIds)
    .orderBy(['call_id', 'question_index'])) as { call_id: string }[];
  const recordings = await knex('recording').whereIn('call_id', found.callIds);
  await mkdir(outDir, { recursive: true });
  const audio: string[] = [];
  const fileOf = new Map<string, string>();
  for (const [i, r] of (recordings as { id: string; storage_key: string }[]).entries()) {
    s.onProgress?.('recordings copied', i, recordings.length);
    const bytes = await s.store.get(r.storage_key);
    if (!bytes) continue;
    // Named for what the audio is: Graph's recordings are not documented as WAV (call-record.md).
    const name = `recording-${r.id}.${detectAudioFormat(bytes).extension}`;
    await writeFile(path.join(outDir, name), bytes);
    audio.push(name);
    fileOf.set(String(r.id), name);
  }
  s.onProgress?.('recordings copied', recordings.length, recordings.length);
  const temporalHeld = await openOrClosedRuns(
    s.temporal,
    { callerHash: subjectRef(subject, s.hmacKey), workflowIds: found.calls.map((c) => c.workflow_id) },
    (done, all) => s.onProgress?.('Temporal histories looked up', done, all),
  );
  const document = {
    subject: subject.kind === 'phone' ? subject.e164 : subject.id,
    exportedAt: new Date().toISOString(),
    stores: storesRead(temporalHeld),
    calls: [...found.calls]
      .sort((a, b) => String(a.arrived_at).localeCompare(String(b.arrived_at)))
      .map((c) => ({
        ...c,
        timeline: events.filter((e: { call_id: string }) => e.call_id === c.id),
        survey: surveys.filter((r) => r.call_id === c.id),
      })),
    voicemails: found.voicemails,
    callbacks: found.callbacks,
    // Callbacks someone else asked for, to this person's number: the callback only, not the other caller's call.
    callbacksToThisNumber: found.others.map((c) => ({
      id: c.id,
      number: c.number,
      status: c.status,
      requested_at: c.requested_at,
      completed_at: c.completed_at,
    })),
    recordings: recordings.map((r: { id: string }) => ({
      ...r,
      file: fileOf.get(String(r.id)) ?? null,
    })),
  };
  const file = path.join(outDir, 'export.json');
  await writeFile(file, JSON.stringify(document, null, 2));
  const summary = {
    calls: found.calls.length,
    voicemails: found.voicemails.length,
    callbacks: found.callbacks.length + found.others.length,
    recordings: audio.length,
    stores: document.stores.map((x) => x.store),
  };
  await audit(s, actor, 'privacy.export', subject, summary);
  return { file, audio, ...summary };
}
