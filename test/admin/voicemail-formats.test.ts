import { readdir } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startServices, type Services } from '../helpers/services.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { saveVoicemail } from '../../src/recordings/voicemail.js';
import { checkRecording } from '../../src/recordings/message-check.js';
import { detectAudioFormat } from '../../src/media/audio-format.js';
import { signRecordingLink } from '../../src/recordings/signed-url.js';
import { createApp } from '../../src/server/app.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { createRecordActivities } from '../../activities/records.js';
import { makeRecording, RECORDING_FORMATS, type RecordingFormat } from '../../devkit/media/compressed-audio.js';
import { joinRecordings } from '../../src/media/join-audio.js';

// Issue 21, point 4. Graph documents the recordResponse download only as application/octet-stream
// (api-reference/v1.0/api/call-record.md, "Retrieving the recording file") and v1.0's recordOperation has no
// completionReason (api-reference/v1.0/resources/recordoperation.md): a voicemail is kept in whatever format it comes,
// judged empty or not from its own length and level, and served back as what it is.
let services: Services;
let store: FolderRecordingStore;
let graphFiles: string;
let app: string;
const served = new Map<string, Buffer>();
const signingKey = Buffer.from('0123456789abcdef0123456789abcdef');

beforeAll(async () => {
  services = await startServices('voicemail-formats', { migrate: true });
  store = new FolderRecordingStore(path.join(services.dataDir, 'recordings'));
  const files = express();
  files.get('/recordings/:id', (req, res) => {
    const bytes = served.get(req.params.id);
    if (!bytes) return void res.status(404).end();
    if (req.header('authorization') !== `Bearer token-${req.params.id}`) return void res.status(401).end();
    res.type('application/octet-stream').send(bytes); // as call-record.md's example answers
  });
  graphFiles = await services.serve(files);
  const logger = pino({ level: 'silent' });
  app = await services.serve(
    createApp({
      client: services.client,
      orm: services.orm,
      logger,
      taskQueue: 'tq',
      publicUrl: 'http://switchboard.test',
      notificationVerifier: new NotificationVerifier({
        openIdConfigUrl: services.keys.openIdConfigUrl,
        audience: 'x',
        allowedTenants: ['tenant-a'],
        logger,
      }),
      recordings: { store, signingKey, linkTtlSeconds: 60, publicUrl: 'http://switchboard.test' },
    }),
  );
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

async function voicemailFor(id: string, bytes?: Buffer, extra: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  await createRecordActivities(services.orm).recordCall({
    record: {
      callId: id,
      workflowId: `call-${id}`,
      fromKind: 'phone',
      fromId: '+14255550100',
      queue: 'support',
      outcome: 'voicemail',
      arrivedAt: now,
    },
    events: [{ seq: 1, type: 'incoming', at: now }],
  });
  if (bytes) served.set(id, bytes);
  return saveVoicemail(services.orm, store, {
    callId: id,
    box: 'support',
    recordedAt: now,
    ...(bytes ? { recordingLocation: `${graphFiles}/recordings/${id}`, recordingAccessToken: `token-${id}` } : {}),
    ...extra,
  });
}

async function download(recordingId: string) {
  const link = signRecordingLink(signingKey, recordingId, new Date(Date.now() + 60_000), 'sup-1');
  return fetch(`${app}/api/recordings/${recordingId}?${link}`);
}

describe('recording formats (call-record.md: the download is application/octet-stream)', () => {
  const expected: Record<RecordingFormat, { mimeType: string; extension: string }> = {
    wav: { mimeType: 'audio/wav', extension: 'wav' },
    mp3: { mimeType: 'audio/mpeg', extension: 'mp3' },
    'ogg-opus': { mimeType: 'audio/ogg; codecs=opus', extension: 'opus' },
    wma: { mimeType: 'audio/x-ms-wma', extension: 'wma' },
    m4a: { mimeType: 'audio/mp4', extension: 'm4a' },
  };

  it.each(RECORDING_FORMATS)('keeps a %s message, stores it as such and serves it with its type', async (format) => {
    const bytes = makeRecording(format, 3);
    const vm = await voicemailFor(`fmt-${format}`, bytes);
    expect(vm).toMatchObject({ status: 'recorded', sizeBytes: bytes.length });
    expect(vm.durationMs).toBeGreaterThanOrEqual(2900);
    expect(vm.durationMs).toBeLessThanOrEqual(3100);
    const key = vm.sha256!;
    const folder = path.join(store.root, key.slice(0, 2), key.slice(2, 4));
    expect(await readdir(folder)).toContain(`${key}.${expected[format].extension}`);
    const res = await download(vm.recordingId!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(expected[format].mimeType);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('never drops audio it cannot name: kept and served as application/octet-stream', async () => {
    const bytes = Buffer.alloc(4000, 0x5a);
    expect(detectAudioFormat(bytes)).toEqual({ mimeType: 'application/octet-stream', extension: 'bin' });
    const vm = await voicemailFor('fmt-unknown', bytes);
    expect(vm).toMatchObject({ status: 'recorded', sizeBytes: 4000 });
    const res = await download(vm.recordingId!);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });
});

describe('empty or not, from the recording itself (recordoperation.md v1.0 has no completionReason)', () => {
  it('a short recording in any format is empty: the caller hung up at the beep', async () => {
    for (const format of RECORDING_FORMATS) {
      const vm = await voicemailFor(`short-${format}`, makeRecording(format, 0.2));
      expect(vm.status, format).toBe('empty');
    }
    const row = await services.orm.em.getKnex()('voicemail').where('call_id', 'short-mp3').first();
    expect(row.error).toMatch(/^recording of 2\d\d ms$/);
  });

  it('a recording of line silence is empty; one with a quiet voice in it is kept', async () => {
    expect(checkRecording(makeRecording('wav', 4, 0)).empty).toMatch(/^silence: 4000 ms/);
    const silent = await voicemailFor('silent-wav', makeRecording('wav', 4, 0.001));
    expect(silent.status).toBe('empty');
    const row = await services.orm.em.getKnex()('voicemail').where('call_id', 'silent-wav').first();
    expect(row.error).toMatch(/^silence: 4000 ms, loudest -6\d\.\d dBFS$/);
    const quiet = await voicemailFor('quiet-wav', makeRecording('wav', 4, 0.02));
    expect(quiet).toMatchObject({ status: 'recorded', durationMs: 4000 });
  });

  it('no recording: an operation Graph ended itself is an empty message, a cancelled or unfinished one a failure', async () => {
    const ended = await voicemailFor('none-ended', undefined, {
      operationStatus: 'failed',
      resultInfo: { code: '408', subCode: '0', message: 'Action failed, initial silence timeout reached.' },
      completionReason: 'failed',
    });
    const cancelled = await voicemailFor('none-cancelled', undefined, {
      operationStatus: 'failed',
      resultInfo: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
    });
    const unfinished = await voicemailFor('none-unfinished', undefined, {
      completionReason: 'no completion notification',
    });
    const beta = await voicemailFor('none-beta', undefined, { completionReason: 'initialSilenceTimeout' });
    expect([ended.status, cancelled.status, unfinished.status, beta.status]).toEqual([
      'empty',
      'failed',
      'failed',
      'empty',
    ]);
    const rows = await services.orm.em
      .getKnex()('voicemail')
      .whereIn('call_id', ['none-ended', 'none-cancelled', 'none-unfinished'])
      .orderBy('call_id');
    expect(rows.map((r: { error: string }) => r.error)).toEqual([
      'no recording (failed, 400/8508)',
      'no recording from Graph (408/0 Action failed, initial silence timeout reached.)',
      'no recording (no completion notification)',
    ]);
  });
});

describe('a message recorded in segments (workflows/flow/voicemail-recording.ts) is one message', () => {
  it('joins WAV and MP3 segments into one recording of their total length', async () => {
    expect(checkRecording(joinRecordings([makeRecording('wav', 2), makeRecording('wav', 1.5)])!)).toMatchObject({
      format: 'wav',
      durationMs: 3500,
    });
    expect(checkRecording(joinRecordings([makeRecording('mp3', 2), makeRecording('mp3', 1)])!).durationMs).toBe(3024);
    // Whole Ogg streams chain (RFC 3533 section 4): one stream of both links' length. Mixed formats do not join.
    expect(checkRecording(joinRecordings([makeRecording('ogg-opus', 2), makeRecording('ogg-opus', 1)])!)).toMatchObject(
      {
        format: 'ogg-opus',
        durationMs: 3000,
      },
    );
    expect(joinRecordings([makeRecording('wav', 1), makeRecording('mp3', 1)])).toBeUndefined();

    const segments = [makeRecording('wav', 2), makeRecording('wav', 2), makeRecording('wav', 1)];
    segments.forEach((bytes, i) => served.set(`seg-${i}`, bytes));
    const vm = await voicemailFor('segmented-wav', segments[0], {
      segments: segments.map((_, i) => ({
        recordingLocation: `${graphFiles}/recordings/seg-${i}`,
        recordingAccessToken: `token-seg-${i}`,
      })),
    });
    expect(vm).toMatchObject({ status: 'recorded', durationMs: 5000 });
  });

  it.each(['wma', 'm4a'] as const)(
    'keeps %s segments, which it cannot join, as parts of the one message, each with its own type',
    async (format) => {
      const segments = [makeRecording(format, 2), makeRecording(format, 3)];
      segments.forEach((bytes, i) => served.set(`${format}-${i}`, bytes));
      const vm = await voicemailFor(`segmented-${format}`, segments[0], {
        segments: segments.map((_, i) => ({
          recordingLocation: `${graphFiles}/recordings/${format}-${i}`,
          recordingAccessToken: `token-${format}-${i}`,
        })),
      });
      expect(vm).toMatchObject({ status: 'recorded', durationMs: 5000 });
      const rows = (await services.orm.em
        .getKnex()('recording')
        .where('call_id', `segmented-${format}`)
        .orderBy('id')) as { id: string; kind: string; duration_ms: number; size_bytes: number }[];
      expect(rows.map((r) => [r.kind, r.duration_ms, r.size_bytes])).toEqual([
        ['voicemail', 2000, segments[0]!.length],
        ['voicemail-part', 3000, segments[1]!.length],
      ]);
      const part = await download(String(rows[1]!.id));
      expect(part.headers.get('content-type')).toBe(format === 'wma' ? 'audio/x-ms-wma' : 'audio/mp4');
    },
  );
});
