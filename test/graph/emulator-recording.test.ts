/**
 * Caller input in the Graph emulator: subscribeToTone (DTMF as toneInfo) and recordResponse (limits, completion,
 * the recording's download and retention, stop tones, silence, cancel), driven through the app's CallControl.
 */
import { describe, expect, it, vi } from 'vitest';
import { isGraphPromptFormat, makeToneWav, parseWav } from '../../src/media/wav.js';
import { isOperation, isState, rigForFile } from '../helpers/bot-receiver.js';

// Recordings are kept 400 ms after their call ends, so the test can watch one go.
// completionReason is asserted here: the beta schema's, which the quirk adds (v1.0 has none; emulator-recording-v1.test.ts).
const rig = rigForFile({ recordingRetentionMs: 400, quirks: { recordCompletionReason: true } });

describe('subscribeToTone and recordResponse', () => {
  it('sends toneInfo with sequenceId for keys pressed after subscribing, not before', async () => {
    const callId = await rig.establishedCall({
      digits: [
        { atMs: 0, keys: '9' },
        { atMs: 600, keys: '1*#0' },
      ],
    });
    const op = await rig.calls.subscribeToTone(callId, 'tones');
    expect(op.status).toBe('completed');
    await rig.receiver.waitFor((r) => r.item.resourceData?.toneInfo?.tone === 'tone0', 'tone0', 4000);
    const tones = rig.receiver
      .forCall(callId)
      .filter((r) => r.item.resourceData?.toneInfo)
      .map((r) => r.item.resourceData.toneInfo);
    expect(tones).toEqual([
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 1, tone: 'tone1' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 2, tone: 'star' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 3, tone: 'pound' },
      { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 4, tone: 'tone0' },
    ]);
    const any = rig.receiver.forCall(callId).find((r) => r.item.resourceData?.toneInfo)!;
    expect(any.item).toMatchObject({
      changeType: 'updated',
      resourceData: { '@odata.type': '#microsoft.graph.call', state: 'established' },
    });
  });

  it('validates the 1–120 s limits, prompts ≤1 and stopTones', async () => {
    const callId = await rig.establishedCall();
    for (const body of [
      { maxRecordDurationInSeconds: 0 },
      { maxRecordDurationInSeconds: 121 },
      { initialSilenceTimeoutInSeconds: 200 },
      { maxSilenceTimeoutInSeconds: 0 },
      { stopTones: ['x'] },
      { playBeep: 'yes' },
      { prompts: [1, 2] },
    ]) {
      const r = await rig.raw('POST', `/communications/calls/${callId}/recordResponse`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('BadRequest');
    }
    const ok = await rig.raw('POST', `/communications/calls/${callId}/recordResponse`, {
      maxRecordDurationInSeconds: 120,
      clientContext: 'c',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('location')).toContain(`/communications/calls/${callId}/operations/${ok.json.id}`);
    expect(ok.json).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'running',
      recordingLocation: null,
    });
  });

  it('completes with recordingLocation and recordingAccessToken; the WAV downloads only with the token, and not long after the call ends', async () => {
    const callId = await rig.establishedCall({ speechMs: 5000 });
    const op = await rig.calls.recordResponse(callId, {
      clientContext: 'rec',
      maxRecordDurationInSeconds: 2,
      playBeep: true,
    });
    const done = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'record completed');
    expect(done.item.changeType).toBe('deleted');
    const data = done.item.resourceData;
    expect(data).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'completed',
      clientContext: 'rec',
      completionReason: 'maxRecordDurationReached',
      resultInfo: { code: 200, subcode: 8515 },
    });
    expect(data.recordingLocation).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\//);
    expect(data.recordingAccessToken.length).toBeGreaterThan(20);

    const noToken = await fetch(data.recordingLocation);
    expect(noToken.status).toBe(401);
    const badToken = await fetch(data.recordingLocation, { headers: { authorization: 'Bearer nope' } });
    expect(badToken.status).toBe(401);
    const graphToken = await fetch(data.recordingLocation, {
      headers: { authorization: `Bearer ${await rig.graph.getAccessToken()}` },
    });
    expect(graphToken.status).toBe(401);

    const wav = await rig.calls.downloadRecording(data.recordingLocation, data.recordingAccessToken);
    const info = parseWav(wav);
    expect(isGraphPromptFormat(info)).toBe(true);
    expect(info.durationMs).toBeGreaterThan(0);

    await rig.calls.hangUp(callId);
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    await vi.waitFor(
      async () => {
        const r = await fetch(data.recordingLocation, {
          headers: { authorization: `Bearer ${data.recordingAccessToken}` },
        });
        expect(r.status).toBe(404);
      },
      { timeout: 5000, interval: 100 },
    );
  });

  it('a stop tone ends the recording; no speech fails it; cancelMediaProcessing cancels it', async () => {
    const stopCall = await rig.establishedCall({ speechMs: 60000, digits: [{ atMs: 900, keys: '5#' }] });
    const stopOp = await rig.calls.recordResponse(stopCall, {
      clientContext: 'stop',
      maxRecordDurationInSeconds: 120,
      stopTones: ['#'],
    });
    const stopped = await rig.receiver.waitFor(isOperation(stopCall, stopOp.operationId), 'record stopped', 6000);
    expect(stopped.item.resourceData).toMatchObject({ status: 'completed', completionReason: 'stopToneDetected' });
    expect(stopped.item.resourceData.recordingAccessToken).toBeTruthy();

    const silentCall = await rig.establishedCall();
    const silentOp = await rig.calls.recordResponse(silentCall, {
      clientContext: 'silent',
      initialSilenceTimeoutInSeconds: 1,
      playBeep: false,
    });
    const silent = await rig.receiver.waitFor(isOperation(silentCall, silentOp.operationId), 'record failed');
    expect(silent.item.resourceData).toMatchObject({ status: 'failed', completionReason: 'initialSilenceTimeout' });

    const cancelCall = await rig.establishedCall({ speechMs: 60000 });
    const cancelOp = await rig.calls.recordResponse(cancelCall, {
      clientContext: 'cancel',
      maxRecordDurationInSeconds: 120,
    });
    await rig.calls.cancelMediaProcessing(cancelCall, 'stop it');
    const cancelled = await rig.receiver.waitFor(isOperation(cancelCall, cancelOp.operationId), 'record cancelled');
    expect(cancelled.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.recordOperation',
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
      recordingLocation: '',
      recordingAccessToken: '',
    });
  });
});

describe('new actions share the prompt format rules', () => {
  it('a recordResponse prompt that is not 16 kHz mono fails the operation', async () => {
    const callId = await rig.establishedCall({ speechMs: 1000 });
    const uri = rig.receiver.prompt('bad8k.wav', makeToneWav({ seconds: 0.2, sampleRate: 8000 }));
    const op = await rig.calls.recordResponse(callId, { clientContext: 'bad', promptUri: uri });
    const failed = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'record failed');
    expect(failed.item.resourceData).toMatchObject({ status: 'failed', completionReason: 'playPromptFailed' });
  });
});
