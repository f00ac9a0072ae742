import { describe, expect, it } from 'vitest';
import { callResult, stackForFile, type TestStack } from '../helpers/stack.js';
import { eventually } from '../helpers/eventually.js';
import { startStackWithTestFlows } from '../helpers/test-flows-stack.js';
import { TEST_VOICEMAIL_NUMBER } from '../helpers/test-flows-workflows.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { checkRecording } from '../../src/recordings/message-check.js';
import { VOICEMAIL_SEGMENT_SECONDS } from '../../workflows/flow/voicemail-recording.js';

// Issue 21, point 4: a caller who speaks and then hangs up keeps their message. Graph sends no completion, so no
// recording, for a recordResponse still running at hang-up (microsoft-graph-comms-samples#376; the emulator does the
// same), so the voicemail verb records in segments of VOICEMAIL_SEGMENT_SECONDS and keeps every segment that
// completed. Over HTTP: emulator, webhook, Temporal dev server, worker with the real activities, embedded Postgres.
let stack: TestStack;

stackForFile(() => startStackWithTestFlows().then((s) => (stack = s)));

describe('voicemail from a caller who hangs up mid-message', () => {
  it('keeps the segments recorded before the hang-up as one message', async () => {
    // The emulator runs media 10× fast: a 20 s segment is 2 s, and its recording 2 s of audio. The caller speaks on
    // and hangs up while the third segment records. The hang-up is at that point of the call, not at a wall-clock
    // time: under load (a 2-core machine running several suites) answering and the greeting took long enough that a
    // fixed 7 s hang-up could come before any segment had completed. The emulator is in this process, so the segments
    // are counted and the caller hangs up in one tick: nothing completes in between.
    const segmentMs = (VOICEMAIL_SEGMENT_SECONDS * 1000) / stack.config.emulator.mediaSpeed;
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
    // nothing from Graph, and its audio is the only part lost (at most VOICEMAIL_SEGMENT_SECONDS).
    const records = recordings();
    const completed = records.filter((o) => o.status === 'completed');
    expect(completedAtHangUp).toBeGreaterThanOrEqual(2);
    expect(completed).toHaveLength(completedAtHangUp);
    expect(records).toHaveLength(completedAtHangUp + 1);

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
