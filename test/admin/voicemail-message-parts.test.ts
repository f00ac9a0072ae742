/**
 * Issue 21, point 4: a voicemail whose segments cannot be joined without re-encoding (WMA here; M4A alike) is one
 * message in parts. The box's message list gives the first part as the message's recording and every later part, in
 * order, each with its own signed, audited link that serves it as what its bytes are.
 */
import path from 'node:path';
import express from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecordActivities } from '../../activities/records.js';
import { makeRecording } from '../../devkit/media/compressed-audio.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { saveVoicemail } from '../../src/recordings/voicemail.js';
import { SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const accessCount = async () =>
  Number((await api.orm.em.getConnection().execute('select count(*)::int as n from recording_access'))[0]!.n);
const segments = [makeRecording('wma', 10), makeRecording('wma', 10), makeRecording('wma', 4)];
let base: string;

beforeAll(async () => {
  // Graph's recording locations (call-record.md: each download is application/octet-stream).
  const graphFiles = express();
  graphFiles.get('/recordings/:n', (req, res) => {
    const bytes = segments[Number(req.params.n)];
    if (!bytes || req.header('authorization') !== `Bearer t-${req.params.n}`) return void res.status(404).end();
    res.type('application/octet-stream').send(bytes);
  });
  const files = await api.services.serve(graphFiles);
  const store = new FolderRecordingStore(path.join(api.dataDir, 'parts-recordings'));
  const now = new Date().toISOString();
  await createRecordActivities(api.orm).recordCall({
    record: {
      callId: 'vm-parts',
      workflowId: 'call-vm-parts',
      fromKind: 'phone',
      fromId: '+14255550160',
      queue: 'support',
      outcome: 'voicemail',
      arrivedAt: now,
    },
    events: [{ seq: 1, type: 'incoming', at: now }],
  });
  const location = (n: number) => ({ recordingLocation: `${files}/recordings/${n}`, recordingAccessToken: `t-${n}` });
  await saveVoicemail(api.orm, store, {
    callId: 'vm-parts',
    box: 'support',
    recordedAt: now,
    ...location(0),
    segments: segments.map((_, n) => location(n)),
  });
  base = await api.serve({
    recordings: {
      store,
      signingKey: Buffer.from('0123456789abcdef0123456789abcdef'),
      linkTtlSeconds: 60,
      publicUrl: 'https://switchboard.test',
    },
  });
});

describe('a voicemail kept in parts', () => {
  it('lists every part in order with its own link, and each serves its segment as WMA', async () => {
    const accessBefore = await accessCount();
    const res = await api.call('GET', '/api/admin/voicemail-boxes/support/messages?limit=5', {
      token: await api.token(SUPERVISOR),
      base,
    });
    expect(res.status).toBe(200);
    const message = (res.json.items as { callId: string }[]).find((m) => m.callId === 'vm-parts') as unknown as {
      durationSeconds: number;
      status: string;
      recording: { id: string; url: string; parts: { id: string; url: string }[] };
    };
    expect(message).toMatchObject({ status: 'recorded', durationSeconds: 24 });
    expect(message.recording.parts).toHaveLength(2);
    // One audited link per part handed out, the message's own included.
    expect((await accessCount()) - accessBefore).toBe(3);
    const links = [message.recording.url, ...message.recording.parts.map((p) => p.url)];
    for (const [n, link] of links.entries()) {
      const url = new URL(link);
      const got = await fetch(`${base}${url.pathname}${url.search}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('audio/x-ms-wma');
      expect(Buffer.from(await got.arrayBuffer()).equals(segments[n]!)).toBe(true);
    }
  });
});
