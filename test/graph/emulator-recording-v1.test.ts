/**
 * recordResponse as v1.0 documents it (issue 21, point 4): no completionReason on the recordOperation unless the quirk
 * asks for it (api-reference/v1.0/resources/recordoperation.md), a download that is any audio format, served as
 * application/octet-stream (call-record.md, "Retrieving the recording file"), and nothing at all for an operation
 * still recording when the caller hangs up (microsoft-graph-comms-samples#376, open since 2020: "when we end the call
 * directly from the customer phone ... we didn't get any callback notifications i.e. we lose our recordings").
 */
import { describe, expect, it } from 'vitest';
import { detectAudioFormat } from '../../src/media/audio-format.js';
import { checkRecording } from '../../src/recordings/message-check.js';
import { isOperation, isState, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

async function record(script: Parameters<typeof rig.establishedCall>[0], max = 2) {
  const callId = await rig.establishedCall(script);
  const op = await rig.calls.recordResponse(callId, {
    clientContext: 'v1',
    maxRecordDurationInSeconds: max,
    playBeep: false,
  });
  const done = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'record completed', 8000);
  return { callId, op, data: done.item.resourceData };
}

async function download(data: { recordingLocation: string; recordingAccessToken: string }) {
  const res = await fetch(data.recordingLocation, {
    headers: { authorization: `Bearer ${data.recordingAccessToken}` },
  });
  return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('recordOperation as v1.0 documents it (recordoperation.md)', () => {
  it('has no completionReason by default; the recordCompletionReason quirk adds the beta one', async () => {
    const plain = await record({ speechMs: 60000 });
    expect(plain.data).toMatchObject({ status: 'completed', resultInfo: { code: 200, subcode: 8515 } });
    expect(plain.data).not.toHaveProperty('completionReason');
    const polled = await rig.raw('GET', `/communications/calls/${plain.callId}/operations/${plain.op.operationId}`);
    expect(polled.json).toMatchObject({ status: 'completed' });
    expect(polled.json).not.toHaveProperty('completionReason');

    const beta = await record({ speechMs: 60000, quirks: { recordCompletionReason: true } });
    expect(beta.data).toMatchObject({ status: 'completed', completionReason: 'maxRecordDurationReached' });
  });
});

describe('the recording download (call-record.md: application/octet-stream)', () => {
  it.each(['mp3', 'ogg-opus', 'wma', 'm4a'] as const)('serves a %s recording of the speech', async (format) => {
    const { data } = await record({ speechMs: 60000, recording: { format } }, 3);
    const { type, bytes } = await download(data);
    expect(type).toMatch(/^application\/octet-stream/);
    const check = checkRecording(bytes);
    expect(check.format ?? detectAudioFormat(bytes).format).toBe(format === 'm4a' ? 'mp4' : format);
    // mediaSpeed 10: 3 s of recording time is 300 ms of audio.
    expect(check.durationMs).toBeGreaterThanOrEqual(250);
    expect(check.durationMs).toBeLessThanOrEqual(350);
  });

  it('serves line silence when the caller says nothing audible (level 0)', async () => {
    const { data } = await record({ speechMs: 60000, recording: { level: 0 } }, 10);
    const check = checkRecording((await download(data)).bytes);
    expect(check).toMatchObject({ format: 'wav', durationMs: 1000 });
    expect(check.empty).toMatch(/^silence: 1000 ms/);
  });
});

describe('a caller who hangs up while recording (microsoft-graph-comms-samples#376)', () => {
  it('ends the call and sends no completion for the operation: its recording is never offered', async () => {
    const callId = await rig.establishedCall({ speechMs: 60000, hangUpAfterMs: 1500 });
    const op = await rig.calls.recordResponse(callId, { clientContext: 'hangup', maxRecordDurationInSeconds: 120 });
    // A second recordResponse queued behind it (call-cancelmediaprocessing.md: media operations run in order), as the
    // voicemail verb asks for its next segment: nothing is sent for it either.
    const queued = await rig.calls.recordResponse(callId, { clientContext: 'queued', maxRecordDurationInSeconds: 10 });
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated', 8000);
    // Anything Graph would send about the operation would follow the hang-up at once; nothing does.
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.receiver.forCall(callId).filter(isOperation(callId, op.operationId))).toEqual([]);
    expect(rig.receiver.forCall(callId).filter(isOperation(callId, queued.operationId))).toEqual([]);
    const polled = await rig.raw('GET', `/communications/calls/${callId}/operations/${op.operationId}`);
    expect(polled.status).toBe(404);
  });
});
