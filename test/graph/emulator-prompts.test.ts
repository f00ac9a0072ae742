/**
 * playPrompt and cancelMediaProcessing in the Graph emulator, through the app's CallControl: prompts are fetched,
 * played for their duration (÷ mediaSpeed), queued one after another, failed when Graph could not play them, and
 * cancelled.
 */
import { describe, expect, it, vi } from 'vitest';
import { makeToneWav } from '../../src/media/wav.js';
import { isOperation, rawGraph, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile({ mediaSpeed: 10 }, { waitTimeoutMs: 4000 });

describe('playPrompt', () => {
  it('fetches the WAV, plays it for its duration ÷ mediaSpeed, then notifies completedSuccessfully', async () => {
    const callId = await rig.establishedCall();
    const uri = rig.receiver.prompt('greeting.wav', makeToneWav({ seconds: 2 }));
    const started = Date.now();
    const op = await rig.calls.playPrompt(callId, { promptUris: [uri], clientContext: 'greeting-1' });
    expect(op.status).toBe('running');
    expect(op.operationId).toMatch(/^[0-9a-f-]{36}$/);

    const done = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'prompt completion');
    // Played, not completed at once: 2 s of audio at speed 10 is 200 ms (lower bound only).
    expect(done.at - started).toBeGreaterThanOrEqual(150);
    expect(done.item.changeType).toBe('deleted');
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      status: 'completed',
      completionReason: 'completedSuccessfully',
      clientContext: 'greeting-1',
      resultInfo: { code: 200, subcode: 0 },
    });
    expect(rig.emulator.getCall(callId)?.operations.find((o) => o.id === op.operationId)?.status).toBe('completed');
    await rig.calls.hangUp(callId);
  });

  it('answers 200 with the operation Location and body, and queues prompts one after another', async () => {
    const callId = await rig.establishedCall();
    const body = {
      clientContext: 'first',
      prompts: [
        {
          '@odata.type': '#microsoft.graph.mediaPrompt',
          mediaInfo: { uri: rig.receiver.prompt('a.wav', makeToneWav({ seconds: 1 })), resourceId: 'a' },
        },
      ],
    };
    const first = await rawGraph(rig, 'POST', `/communications/calls/${callId}/playPrompt`, body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      status: 'running',
      clientContext: 'first',
    });
    expect(first.headers.get('location')).toBe(
      `${rig.emulator.graphBaseUrl}/communications/calls/${callId}/operations/${first.json.id}`,
    );
    const second = await rig.calls.playPrompt(callId, {
      promptUris: [rig.receiver.prompt('b.wav', makeToneWav({ seconds: 0.2 }))],
      clientContext: 'second',
    });

    const a = await rig.receiver.waitFor(isOperation(callId, first.json.id), 'first completion');
    const b = await rig.receiver.waitFor(isOperation(callId, second.operationId), 'second completion');
    // The short second prompt waited for the first one.
    expect(b.at).toBeGreaterThanOrEqual(a.at);
    const order = rig.receiver
      .forCall(callId)
      .filter((r) => r.item.resourceUrl.includes('/operations/'))
      .map((r) => r.item.resourceData['clientContext']);
    expect(order).toEqual(['first', 'second']);
    await rig.calls.hangUp(callId);
  });

  it('fails the operation for an 8 kHz WAV and for a prompt that cannot be downloaded', async () => {
    const callId = await rig.establishedCall();
    const narrow = await rig.calls.playPrompt(callId, {
      promptUris: [rig.receiver.prompt('8k.wav', makeToneWav({ seconds: 0.5, sampleRate: 8000 }))],
      clientContext: '8k',
    });
    const failed = await rig.receiver.waitFor(isOperation(callId, narrow.operationId), '8 kHz completion');
    expect(failed.item.resourceData).toMatchObject({
      status: 'failed',
      clientContext: '8k',
      resultInfo: { code: 400, subcode: 8535 },
    });
    expect(failed.item.resourceData['resultInfo'].message).toMatch(/8000 Hz/);

    const missing = await rig.calls.playPrompt(callId, {
      promptUris: [`${rig.receiver.url}/prompts/nope.wav`],
      clientContext: 'missing',
    });
    const notFound = await rig.receiver.waitFor(isOperation(callId, missing.operationId), 'missing completion');
    expect(notFound.item.resourceData).toMatchObject({ status: 'failed', resultInfo: { code: 400, subcode: 8536 } });
    await rig.calls.hangUp(callId);
  });

  it('cancelMediaProcessing cancels the running and the queued prompts', async () => {
    const callId = await rig.establishedCall();
    const hold = rig.receiver.prompt('hold.wav', makeToneWav({ seconds: 30, frequencies: [392, 523] }));
    const running = await rig.calls.playPrompt(callId, { promptUris: [hold], clientContext: 'hold-1' });
    const queued = await rig.calls.playPrompt(callId, { promptUris: [hold], clientContext: 'hold-2' });
    await vi.waitFor(() =>
      expect(rig.emulator.getCall(callId)?.operations.find((o) => o.id === running.operationId)?.status).toBe(
        'running',
      ),
    );

    const cancel = await rawGraph(rig, 'POST', `/communications/calls/${callId}/cancelMediaProcessing`, {
      clientContext: 'stop-hold',
    });
    expect(cancel.status).toBe(200);
    expect(cancel.json).toMatchObject({
      '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation',
      status: 'completed',
      clientContext: 'stop-hold',
    });
    expect(cancel.headers.get('location')).toContain(`/communications/calls/${callId}/operations/`);

    for (const op of [running, queued]) {
      const n = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'cancelled completion');
      expect(n.item.resourceData).toMatchObject({
        status: 'failed',
        completionReason: 'mediaOperationCanceled',
        resultInfo: { code: 400, subcode: 8508 },
      });
    }
    // Through CallControl as well.
    expect((await rig.calls.cancelMediaProcessing(callId, 'again')).status).toBe('completed');
    await rig.calls.hangUp(callId);
  });
});
