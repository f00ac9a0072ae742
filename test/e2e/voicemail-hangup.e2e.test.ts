import { describe, expect, it } from 'vitest';
import { callResult, stackForFile, type TestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { startStackWithTestFlows } from '../helpers/test-flows-stack.js';
import { TEST_VOICEMAIL_NUMBER } from '../helpers/test-flows-workflows.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { checkRecording } from '../../src/recordings/message-check.js';
import { VOICEMAIL_QUEUED_SEGMENT_SECONDS } from '../../workflows/flow/voicemail-recording.js';
import { oggPages } from '../../src/media/ogg.js';
import { signRecordingLink } from '../../src/recordings/signed-url.js';

// Issue 21, point 4: a caller who speaks and then hangs up keeps their message. Graph sends no completion, so no
// recording, for a recordResponse still running at hang-up (microsoft-graph-comms-samples#376; the emulator does the
// same), so the voicemail verb records in segments of VOICEMAIL_QUEUED_SEGMENT_SECONDS, each queued behind the one
// recording (call-cancelmediaprocessing.md: media operations are queued and run in order), and keeps every segment that
// completed. Over HTTP: emulator, webhook, Temporal dev server, worker with the real activities, embedded Postgres.
let stack: TestStack;
const SIGNING_KEY = 'voicemail-hangup-e2e-signing-key-32b';

stackForFile(() => startStackWithTestFlows({ RECORDINGS_SIGNING_KEY: SIGNING_KEY }).then((s) => (stack = s)));

/** A caller who speaks `speechMs` into the test voicemail box in `format`, to the end of the message. */
async function messageIn(format: 'ogg-opus' | 'wma', phone: string) {
  // Media runs 10× fast: 2.5 s of speech is two full 10 s segments and a third that ends in silence.
  const { callId } = await stack.emulator!.placeCall({
    from: { phone },
    applicationInstanceId: TEST_VOICEMAIL_NUMBER,
    speechMs: 2_500,
    recording: { format },
  });
  expect((await callResult(stack.client, callId)).outcome).toBe('voicemail');
  expect(queuedAhead(callId)[0]).toBe(true);
  const segments = stack
    .emulator!.getCall(callId)!
    .operations.filter((o) => o.type === 'recordResponse' && o.status === 'completed')
    .map((o) => stack.emulator!.recordingBytes(o.recordingLocation!)!);
  const knex = stack.orm.em.getKnex();
  const voicemail = (await knex('voicemail').where('call_id', callId).first()) as {
    status: string;
    duration_seconds: number;
    recording_id: string;
  };
  const recordings = (await knex('recording').where('call_id', callId).orderBy('id')) as {
    id: string;
    kind: string;
    storage_key: string;
  }[];
  return { segments, voicemail, recordings };
}

/**
 * For each segment after the first that was asked for, whether the request came before the segment ahead of it
 * stopped recording (the emulator's history, in the order things happened): queued, so it recorded from that moment.
 */
function queuedAhead(callId: string): boolean[] {
  const history = stack.emulator!.getCall(callId)!.history;
  const ended = history.flatMap((h, i) => (h.kind === 'media' && h.detail.startsWith('recording ended') ? [i] : []));
  const asked = history.flatMap((h, i) =>
    h.kind === 'request' && 'path' in h && h.path.endsWith('/recordResponse') ? [i] : [],
  );
  return asked.slice(1).map((at, k) => ended[k] === undefined || at < ended[k]!);
}

/** GET /api/recordings/{id} with a signed link, as a supervisor's player fetches it. */
async function served(recordingId: string) {
  const query = signRecordingLink(Buffer.from(SIGNING_KEY), recordingId, new Date(Date.now() + 60_000), 'sup-1');
  const res = await fetch(`${stack.webUrl}/api/recordings/${recordingId}?${query}`);
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('voicemail from a caller who hangs up mid-message', () => {
  it('keeps the segments recorded before the hang-up as one message', async () => {
    // The emulator runs media 10× fast: a 10 s segment is 1 s, and its recording 1 s of audio. The caller speaks on
    // and hangs up while the third segment records. The hang-up is at that point of the call, not at a wall-clock
    // time: under load (a 2-core machine running several suites) answering and the greeting took long enough that a
    // fixed 7 s hang-up could come before any segment had completed. The emulator is in this process, so the segments
    // are counted and the caller hangs up in one tick: nothing completes in between.
    const segmentMs = (VOICEMAIL_QUEUED_SEGMENT_SECONDS * 1000) / stack.config.emulator.mediaSpeed;
    const { callId } = await stack.emulator!.placeCall({
      from: { phone: '+14255550150' },
      applicationInstanceId: TEST_VOICEMAIL_NUMBER,
      speechMs: 120_000,
    });
    const recordings = () => stack.emulator!.getCall(callId)!.operations.filter((o) => o.type === 'recordResponse');
    const completedAtHangUp = await eventually(
      () => {
        const records = recordings();
        const completed = records.filter((o) => o.status === 'completed').length;
        if (completed < 2 || records.length <= completed) return undefined;
        stack.emulator!.callerHangsUp(callId);
        return completed;
      },
      'two segments completed and the third recording',
      120_000,
    );
    const summary = await callResult(stack.client, callId);
    expect(summary.outcome).toBe('voicemail');

    // The segments completed (200/8515) before the hang-up are the message; the one running at the hang-up got
    // nothing from Graph, and its audio is the only part lost (at most VOICEMAIL_QUEUED_SEGMENT_SECONDS). The one
    // queued behind it, if already asked for, had recorded nothing.
    const records = recordings();
    const completed = records.filter((o) => o.status === 'completed');
    expect(completedAtHangUp).toBeGreaterThanOrEqual(2);
    expect(completed).toHaveLength(completedAtHangUp);
    expect(records.slice(0, completedAtHangUp).every((o) => o.status === 'completed')).toBe(true);
    expect(records.length - completedAtHangUp).toBeGreaterThanOrEqual(1);
    expect(records.length - completedAtHangUp).toBeLessThanOrEqual(2);
    expect(records.slice(completedAtHangUp).every((o) => !o.recordingLocation)).toBe(true);
    // The second segment was asked for while the first recorded: it started the moment that one ended. (Each later one
    // is asked for when the one before it completes, so it is queued while its predecessor records, given time.)
    expect(queuedAhead(callId)[0]).toBe(true);

    const row = (await stack.orm.em.getKnex()('voicemail').where('call_id', callId).first()) as {
      status: string;
      duration_seconds: number;
      recording_id: string;
    };
    expect(row.status).toBe('recorded');
    expect(row.duration_seconds * 1000).toBe(completed.length * segmentMs);
    const recording = (await stack.orm.em.getKnex()('recording').where('id', row.recording_id).first()) as {
      storage_key: string;
    };
    const audio = await new FolderRecordingStore(stack.config.recordings.dir).get(recording.storage_key);
    expect(checkRecording(audio!)).toMatchObject({ format: 'wav', durationMs: completed.length * segmentMs });
  });
});

// Graph documents the download only as application/octet-stream (call-record.md, "Retrieving the recording file"):
// the emulator serves each segment in the caller's format, and the message is kept and served as what it is.
describe('a voicemail recorded in segments of compressed audio', () => {
  it('Ogg Opus segments become one chained Ogg stream (RFC 3533 section 4) of their total length', async () => {
    const { segments, voicemail, recordings } = await messageIn('ogg-opus', '+14255550151');
    expect(segments).toHaveLength(3);
    const total = segments.reduce((ms, s) => ms + checkRecording(s).durationMs!, 0);
    expect(voicemail).toMatchObject({ status: 'recorded', duration_seconds: total / 1000 });
    expect(recordings.map((r) => r.kind)).toEqual(['voicemail']);
    const { type, bytes } = await served(recordings[0]!.id);
    expect(type).toBe('audio/ogg; codecs=opus');
    expect(checkRecording(bytes)).toMatchObject({ format: 'ogg-opus', durationMs: total });
    // Three links, each with its own serial number, holding every page the segments had.
    const pages = oggPages(bytes)!;
    expect(new Set(pages.map((p) => p.serial)).size).toBe(3);
    expect(pages).toHaveLength(segments.reduce((n, s) => n + oggPages(s)!.length, 0));
  });

  it('WMA segments, which cannot be joined without re-encoding, are the parts of one message, each served as WMA', async () => {
    const { segments, voicemail, recordings } = await messageIn('wma', '+14255550152');
    expect(segments).toHaveLength(3);
    const total = segments.reduce((ms, s) => ms + checkRecording(s).durationMs!, 0);
    expect(voicemail).toMatchObject({ status: 'recorded', duration_seconds: total / 1000 });
    expect(recordings.map((r) => r.kind)).toEqual(['voicemail', 'voicemail-part', 'voicemail-part']);
    expect(String(voicemail.recording_id)).toBe(String(recordings[0]!.id));
    for (const [i, r] of recordings.entries()) {
      const { type, bytes } = await served(r.id);
      expect(type).toBe('audio/x-ms-wma');
      expect(bytes.equals(segments[i]!)).toBe(true);
    }
  });
});
