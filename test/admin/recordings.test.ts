import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { migrate, openDatabase, type MikroORM } from '../../src/db/orm.js';
import { FolderRecordingStore, ChecksumMismatchError } from '../../src/recordings/store.js';
import { saveVoicemail, RecordingDownloadError } from '../../src/recordings/voicemail.js';
import { purgeOlderThan } from '../../src/recordings/retention.js';
import { createRecordActivities } from '../../activities/records.js';
import { makeToneWav } from '../../src/media/wav.js';
import { SigningKeys } from '../helpers/signing-keys.js';
import { createTestApp } from '../helpers/admin-api.js';

// Voicemail storage, retention and privacy requests against real Postgres and a real recordings folder, with the
// recording served over HTTP behind a bearer token the way Graph serves recordingLocation.
let db: EmbeddedDatabase;
let orm: MikroORM;
let dir: string;
let store: FolderRecordingStore;
let graphFiles: Server;
let graphUrl: string;
const served = new Map<string, { bytes: Buffer; token: string; failuresLeft: number }>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-recordings-'));
  db = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  orm = await openDatabase(db.url);
  await migrate(orm);
  store = new FolderRecordingStore(path.join(dir, 'recordings'));
  const app = express();
  app.get('/recordings/:id', (req, res) => {
    const r = served.get(req.params.id);
    if (!r) return void res.status(404).end();
    if (req.header('authorization') !== `Bearer ${r.token}`) return void res.status(401).end();
    if (r.failuresLeft > 0) {
      r.failuresLeft--;
      return void res.status(503).end();
    }
    res.type('application/octet-stream').send(r.bytes);
  });
  graphFiles = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  graphUrl = `http://127.0.0.1:${(graphFiles.address() as { port: number }).port}`;
});

afterAll(async () => {
  graphFiles?.close();
  await orm?.close();
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function call(id: string, from: string, arrivedAt: string) {
  await createRecordActivities(orm).recordCall({
    record: {
      callId: id,
      workflowId: `call-${id}`,
      fromKind: 'phone',
      fromId: from,
      queue: 'support',
      outcome: 'abandoned',
      arrivedAt,
    },
    events: [{ seq: 1, type: 'incoming', at: arrivedAt }],
  });
}

function serve(id: string, bytes: Buffer, failures = 0) {
  served.set(id, { bytes, token: `token-${id}`, failuresLeft: failures });
  return { recordingLocation: `${graphUrl}/recordings/${id}`, recordingAccessToken: `token-${id}` };
}

describe('the recordings store', () => {
  it('stores content-addressed, checksummed files, once per content', async () => {
    const wav = makeToneWav({ seconds: 1 });
    const a = await store.put(wav);
    const b = await store.put(wav);
    expect(a).toEqual(b);
    expect(a.key).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.get(a.key)).toEqual(wav);
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a recording key/);
  });

  it('refuses to return a file whose bytes no longer match their checksum', async () => {
    const { key } = await store.put(makeToneWav({ seconds: 0.7, frequencies: [300] }));
    const file = path.join(store.root, key.slice(0, 2), key.slice(2, 4), `${key}.wav`);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Buffer.from('tampered'));
    await expect(store.get(key)).rejects.toBeInstanceOf(ChecksumMismatchError);
    await store.delete(key);
  });
});

describe('voicemail', () => {
  it('downloads with the access token and stores the WAV byte for byte, with its metadata', async () => {
    await call('vm-1', '+14255550101', new Date().toISOString());
    const wav = makeToneWav({ seconds: 2.5, frequencies: [440, 550] });
    const result = await saveVoicemail(orm, store, {
      callId: 'vm-1',
      box: 'support',
      fromId: '+14255550101',
      recordedAt: new Date().toISOString(),
      ...serve('vm-1', wav),
    });
    expect(result).toMatchObject({ status: 'recorded', sizeBytes: wav.length, durationMs: 2500 });
    const row = await orm.em.getKnex()('voicemail').where('call_id', 'vm-1').first();
    expect(row).toMatchObject({ box: 'support', from_id: '+14255550101', status: 'recorded', size_bytes: wav.length });
    const rec = await orm.em.getKnex()('recording').where('id', row.recording_id).first();
    expect(await store.get(rec.storage_key)).toEqual(wav);
    // A retried activity finds what it wrote.
    expect(
      await saveVoicemail(orm, store, {
        callId: 'vm-1',
        box: 'support',
        recordedAt: new Date().toISOString(),
        ...serve('vm-1', wav),
      }),
    ).toEqual(result);
    expect(await orm.em.getKnex()('voicemail').where('call_id', 'vm-1').count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('retries a download that fails, and succeeds when Graph recovers', async () => {
    await call('vm-2', '+14255550102', new Date().toISOString());
    const wav = makeToneWav({ seconds: 1 });
    const input = { callId: 'vm-2', box: 'support', recordedAt: new Date().toISOString(), ...serve('vm-2', wav, 2) };
    const attempts: string[] = [];
    let result;
    for (let attempt = 1; attempt <= 5 && !result; attempt++) {
      try {
        result = await saveVoicemail(orm, store, input);
      } catch (err) {
        expect(err).toBeInstanceOf(RecordingDownloadError);
        expect((err as RecordingDownloadError).retryable).toBe(true);
        attempts.push(`attempt ${attempt}: ${(err as Error).message}`);
      }
    }
    expect(attempts).toEqual([
      'attempt 1: recording download answered 503',
      'attempt 2: recording download answered 503',
    ]);
    expect(result).toMatchObject({ status: 'recorded', sizeBytes: wav.length });
  });

  it('records a missing, refused or empty recording as such, never silently', async () => {
    await call('vm-3', '+14255550103', new Date().toISOString());
    expect(
      await saveVoicemail(orm, store, {
        callId: 'vm-3',
        box: 'support',
        recordedAt: new Date().toISOString(),
        completionReason: 'operationCanceled',
      }),
    ).toMatchObject({ status: 'failed' });
    await call('vm-4', '+14255550104', new Date().toISOString());
    expect(
      await saveVoicemail(orm, store, {
        callId: 'vm-4',
        box: 'support',
        recordedAt: new Date().toISOString(),
        ...serve('vm-4', makeToneWav({ seconds: 0.2 })),
      }),
    ).toMatchObject({ status: 'empty' });
    await call('vm-5', '+14255550105', new Date().toISOString());
    const refused = {
      callId: 'vm-5',
      box: 'support',
      recordedAt: new Date().toISOString(),
      ...serve('vm-5', makeToneWav({ seconds: 1 })),
      recordingAccessToken: 'wrong',
    };
    await expect(saveVoicemail(orm, store, refused)).rejects.toMatchObject({ retryable: false, status: 401 });
    const rows = await orm.em.getKnex()('voicemail').whereIn('call_id', ['vm-3', 'vm-4']).orderBy('call_id');
    expect(rows.map((r: { status: string; error: string }) => [r.status, r.error])).toEqual([
      ['failed', 'no recording (operationCanceled)'],
      ['empty', 'recording of 200 ms'],
    ]);
  });
});

describe('retention and privacy', () => {
  it('deletes exactly the data older than the cutoff, files included, and writes a summary row', async () => {
    const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
    await call('old-1', '+14255550201', old);
    await call('old-2', '+14255550202', old);
    await saveVoicemail(orm, store, {
      callId: 'old-1',
      box: 'support',
      recordedAt: old,
      ...serve('old-1', makeToneWav({ seconds: 1.5, frequencies: [620] })),
    });
    const oldKey = (await orm.em.getKnex()('recording').where('call_id', 'old-1').first()).storage_key;
    const before = await orm.em.getKnex()('call').count({ n: '*' });

    const summary = await purgeOlderThan(orm, store, new Date(Date.now() - 90 * 86_400_000));
    expect(summary).toMatchObject({ calls: 2, events: 2, voicemails: 1, recordings: 1, files: 1 });
    expect(await store.get(oldKey)).toBeUndefined();
    const after = await orm.em.getKnex()('call').count({ n: '*' });
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) - 2);
    // Recent data is untouched, its audio included.
    const recent = await orm.em.getKnex()('recording').where('call_id', 'vm-1').first();
    expect(await store.get(recent.storage_key)).toBeDefined();
    const runs = await orm.em.getKnex()('retention_run').orderBy('id', 'desc').first();
    expect(runs).toMatchObject({ calls: 2, events: 2, voicemails: 1, recordings: 1, files: 1 });
  });
  // Privacy requests (export, erase) are tested in privacy.test.ts.
});

describe('recording links', () => {
  it('serves a recording only through a signed, unexpired link, and audits the link and each download', async () => {
    const keys = new SigningKeys('https://login.microsoftonline.com/tenant-a/v2.0');
    await keys.start();
    await keys.addKey('k1');
    const signingKey = Buffer.from('0123456789abcdef0123456789abcdef');
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = createTestApp(
      { client, orm, keys },
      {
        publicUrl: 'http://switchboard.test',
        recordings: { store, signingKey, linkTtlSeconds: 60, publicUrl: 'http://switchboard.test' },
      },
    );
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await call('link-1', '+14255550301', new Date().toISOString());
      const wav = makeToneWav({ seconds: 1, frequencies: [700] });
      const vm = await saveVoicemail(orm, store, {
        callId: 'link-1',
        box: 'support',
        recordedAt: new Date().toISOString(),
        ...serve('link-1', wav),
      });
      const token = await keys.sign({
        kid: 'k1',
        claims: {
          aud: 'api://switchboard',
          tid: 'tenant-a',
          oid: 'sup-1',
          name: 'Sam',
          roles: ['Switchboard.Supervisor'],
        },
      });
      const link = await fetch(`${base}/api/admin/recordings/${vm.recordingId}/link`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(link.status).toBe(200);
      const { url } = (await link.json()) as { url: string };
      const local = url.replace('http://switchboard.test', base);
      const audio = await fetch(local);
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe('audio/wav');
      expect(Buffer.from(await audio.arrayBuffer())).toEqual(wav);

      expect((await fetch(local.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
      expect((await fetch(local.replace(`/recordings/${vm.recordingId}`, '/recordings/999999'))).status).toBe(403);
      expect((await fetch(local.replace('by=sup-1', 'by=someone-else'))).status).toBe(403);
      expect((await fetch(`${base}/api/recordings/${vm.recordingId}`)).status).toBe(403);
      expect((await fetch(`${base}/api/recordings/..%2F..%2Fetc%2Fpasswd?exp=1&by=x&sig=y`)).status).toBe(400);
      const expired = new URL(local);
      expired.searchParams.set('exp', '1000');
      expect((await fetch(expired)).status).toBe(403);
      const access = await orm.em.getKnex()('recording_access').where('recording_id', vm.recordingId).orderBy('id');
      expect(access.map((a: { action: string; actor_id: string }) => [a.action, a.actor_id])).toEqual([
        ['link', 'sup-1'],
        ['download', 'sup-1'],
      ]);
    } finally {
      server.close();
      await keys.stop();
    }
  });
});
