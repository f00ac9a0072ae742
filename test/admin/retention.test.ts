import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startServices, type Services } from '../helpers/services.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { createRetentionActivities } from '../../activities/retention.js';
import { loadConfig } from '../../src/config.js';
import { makeToneWav } from '../../src/media/wav.js';
import type { RetentionSummary } from '../../src/contracts/activities/retention.js';
import { RECORDING_TOKEN_MAX_AGE_MS } from '../../src/recordings/recording-tokens.js';

// Retention (issue 22, point 4): data of every kind is seeded an hour either side of the cutoff (RETENTION_DAYS = 89
// days before the run was scheduled); after the run nothing older remains in any table or the recordings folder, and
// everything younger does; recording access tokens go after a day. Temporal's own histories go by the namespace's retention (src/temporal/).
let s: Services;
let store: FolderRecordingStore;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const scheduled = Date.now();
const cutoff = scheduled - 89 * DAY;
const older = new Date(cutoff - HOUR);
const younger = new Date(cutoff + HOUR);

beforeAll(async () => {
  s = await startServices('retention', { migrate: true });
  store = new FolderRecordingStore(path.join(s.dataDir, 'recordings'));
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const knex = () => s.orm.em.getKnex();

/** One of each kind of row that holds personal data, stamped `at`, under the suffix `tag`. */
async function seed(tag: string, at: Date, tone: number) {
  const id = `ret-${tag}`;
  await knex()('call').insert({
    id,
    workflow_id: `call-${id}`,
    from_kind: 'phone',
    from_id: '+14255550111',
    arrived_at: at,
    updated_at: at,
  });
  await knex()('call_event').insert({ call_id: id, seq: 1, type: 'incoming', at });
  const file = await store.put(makeToneWav({ seconds: 0.2, frequencies: [tone] }));
  const [rec] = (await knex()('recording')
    .insert({
      call_id: id,
      storage_key: file.key,
      sha256: file.sha256,
      size_bytes: file.sizeBytes,
      duration_ms: 200,
      created_at: at,
    })
    .returning('id')) as { id: number }[];
  await knex()('voicemail').insert({ call_id: id, from_id: '+14255550111', recorded_at: at, recording_id: rec!.id });
  await knex()('callback').insert({ call_id: id, number: '+14255550112', requested_at: at });
  await knex()('agent_state_change').insert({ key: `${id}-state`, agent_id: `agent-${tag}`, state: 'available', at });
  await knex()('recording_access').insert({
    recording_id: rec!.id,
    action: 'download',
    actor_id: 'sup-1',
    actor_name: 'Sam',
    ip: '10.0.0.1',
    at,
  });
  // The audit log refuses changes, so an aged row is written as it would have been then.
  await knex()('audit_entry').insert({
    at,
    actor_id: 'admin-1',
    actor_name: 'Ada',
    ip: '10.0.0.2',
    action: 'test.seed',
    target: id,
  });
  return { id, key: file.key };
}

/** A recording access token as the webhook keeps it (recording-tokens.ts), kept `at`. */
async function token(callId: string, location: string, at: Date) {
  await knex()('recording_token').insert({
    location_hash: location,
    call_id: callId,
    token: `secret-${location}`,
    created_at: at,
  });
  return location;
}

/** An unreferenced file in the recordings folder, last modified `at`. */
async function orphan(at: Date, tone: number) {
  const file = await store.put(makeToneWav({ seconds: 0.1, frequencies: [tone] }));
  const full = path.join(store.root, file.key.slice(0, 2), file.key.slice(2, 4), `${file.key}.wav`);
  await utimes(full, at, at);
  return file.key;
}

const TABLES: [table: string, column: string][] = [
  ['call', 'arrived_at'],
  ['call_event', 'at'],
  ['recording', 'created_at'],
  ['voicemail', 'recorded_at'],
  ['callback', 'requested_at'],
  ['agent_state_change', 'at'],
  ['recording_access', 'at'],
  ['audit_entry', 'at'],
];

describe('retention', () => {
  it('deletes everything older than 89 days from every table and the recordings folder, and keeps the rest', async () => {
    const old = await seed('old', older, 300);
    const recent = await seed('recent', younger, 310);
    const oldOrphan = await orphan(new Date(Date.now() - 2 * HOUR), 320);
    const youngOrphan = await orphan(new Date(Date.now() - 10 * 60_000), 330);
    // Recording access tokens are secrets kept a day at most (RECORDING_TOKEN_MAX_AGE_MS), not RETENTION_DAYS: an
    // hour either side of that cutoff, and one of the old call, whatever its age.
    const tokenCutoff = scheduled - RECORDING_TOKEN_MAX_AGE_MS;
    const staleToken = await token(recent.id, 'stale', new Date(tokenCutoff - HOUR));
    const freshToken = await token(recent.id, 'fresh', new Date(tokenCutoff + HOUR));
    const oldCallToken = await token(old.id, 'old-call', older);

    const env = new MockActivityEnvironment({ scheduledTimestampMs: scheduled });
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const summary = await env.run(createRetentionActivities(s.orm, store).purgeExpiredData, { retentionDays: 89 });

    expect(summary).toMatchObject({
      cutoff: new Date(cutoff).toISOString(),
      calls: 1,
      events: 1,
      voicemails: 1,
      callbacks: 1,
      recordings: 1,
      agentStates: 1,
      recordingAccesses: 1,
      auditEntries: 1,
      recordingTokens: 2,
      // The old recording's file and the two-hour-old orphan; not the orphan written ten minutes ago.
      files: 2,
    });
    for (const [table, column] of TABLES) {
      const rows = (await knex()(table).select(column)) as Record<string, Date>[];
      expect(
        rows.filter((r) => new Date(r[column]!).getTime() < cutoff),
        `${table} older than the cutoff`,
      ).toEqual([]);
      expect(
        rows.filter((r) => new Date(r[column]!).getTime() === younger.getTime()),
        `${table} younger than the cutoff`,
      ).toHaveLength(1);
    }
    const tokens = (await knex()('recording_token').select('location_hash', 'created_at')) as {
      location_hash: string;
      created_at: string;
    }[];
    expect(tokens.filter((t) => new Date(t.created_at).getTime() < tokenCutoff)).toEqual([]);
    expect(tokens.map((t) => t.location_hash)).toContain(freshToken);
    expect(tokens.map((t) => t.location_hash)).not.toContain(staleToken);
    expect(tokens.map((t) => t.location_hash)).not.toContain(oldCallToken);
    expect(await store.get(old.key)).toBeUndefined();
    expect(await store.get(recent.key)).toBeDefined();
    expect(await store.get(oldOrphan)).toBeUndefined();
    expect(await store.get(youngOrphan)).toBeDefined();
    // It heartbeats as it goes: a long purge is not taken for a dead one (heartbeat timeout 2 min).
    expect(heartbeats).toEqual(expect.arrayContaining(['calls', 'agent states', 'recording tokens', 'audit']));
    const run = await knex()('retention_run').orderBy('id', 'desc').first();
    expect(run).toMatchObject({
      calls: 1,
      agent_states: 1,
      recording_accesses: 1,
      audit_entries: 1,
      recording_tokens: 2,
      files: 2,
    });
    expect(await knex()('call').where('id', old.id).first()).toBeUndefined();
  });

  it('keeps the audit log append-only: no change to any row, no deletion of one younger than 30 days', async () => {
    const [row] = (await knex()('audit_entry')
      .insert({
        at: new Date(Date.now() - 29 * DAY),
        actor_id: 'a',
        actor_name: 'A',
        ip: '::1',
        action: 't',
        target: 't',
      })
      .returning('id')) as { id: number }[];
    await expect(knex()('audit_entry').where('id', row!.id).del()).rejects.toThrow(/append-only/);
    await expect(knex()('audit_entry').where('id', row!.id).update({ target: 'x' })).rejects.toThrow(/append-only/);
    // A run with a short RETENTION_DAYS keeps the audit for 30 days all the same, and succeeds (it deletes the audit
    // row the first test left, 89 days old, not this one).
    const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now() });
    const summary = (await env.run(createRetentionActivities(s.orm, store).purgeExpiredData, {
      retentionDays: 7,
    })) as RetentionSummary;
    expect(summary.auditEntries).toBe(1);
    expect(await knex()('audit_entry').where('id', row!.id).first()).toBeDefined();
  });

  it('refuses RETENTION_DAYS of 90 or more at start-up, naming the variable', () => {
    expect(() => loadConfig({ RETENTION_DAYS: '90' })).toThrow(
      'Invalid configuration: RETENTION_DAYS="90": expected at most 89 (days): personal data is kept for less than 90 days',
    );
    expect(loadConfig({}).recordings.retentionDays).toBe(89);
  });
});
