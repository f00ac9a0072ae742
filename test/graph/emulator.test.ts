/**
 * The Graph emulator driven through the app's real Graph layer (MSAL + Graph JS client + CallControl),
 * with a small Express receiver standing in for the bot's calling webhook and prompt host.
 * Everything runs over HTTP on 127.0.0.1 with random ports.
 */
import express from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator, type StepEvent } from '../../devkit/emulator/index.js';
import { CallControl } from '../../src/graph/call-control.js';
import { createGraphClient, type GraphClient } from '../../src/graph/client.js';
import { GraphRequestError } from '../../src/graph/errors.js';
import { isGraphPromptFormat, makeToneWav, parseWav } from '../../src/media/wav.js';
import {
  CLIENT_ID,
  SECRET,
  TENANT,
  isOperation,
  isState,
  startRig,
  type EmulatorRig,
  type Loose,
  type Receiver,
} from '../helpers/bot-receiver.js';
import { listen } from '../helpers/services.js';

const SPEED = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let receiver: Receiver;
let emulator: Emulator;
let graph: GraphClient;
let calls: CallControl;
const steps: StepEvent[] = [];

let rig: EmulatorRig;

beforeAll(async () => {
  rig = await startRig({ mediaSpeed: SPEED }, { waitTimeoutMs: 4000 });
  ({ receiver, emulator, graph, calls } = rig);
  emulator.events.on('step', (s: StepEvent) => steps.push(s));
});

afterAll(async () => {
  await rig?.stop();
});

/** Places a call and answers it; resolves once it is established. */
function establishedCall(
  from: { phone: string } | { user: { id: string } } = { phone: '+14255550100' },
  hangUpAfterMs?: number,
) {
  return rig.establishedCall({ from, ...(hangUpAfterMs !== undefined ? { hangUpAfterMs } : {}) });
}

/** A raw Graph request with the app's real token, to look at statuses and bodies CallControl hides. */
function rawGraph(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Loose; headers: Headers }> {
  return rig.raw(method, path, body, { 'client-request-id': 'test-client-request-id' });
}

function expectGraphError(r: { status: number; json: Loose }, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.json.error.code).toBe(code);
  expect(typeof r.json.error.message).toBe('string');
  expect(r.json.error.message.length).toBeGreaterThan(0);
  expect(r.json.error.innerError).toEqual({
    date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
    'request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    'client-request-id': 'test-client-request-id',
  });
}

describe('wav', () => {
  it('builds and parses a 16 kHz mono PCM tone that Graph can play', () => {
    const info = parseWav(makeToneWav({ seconds: 1.5, frequencies: [440, 660] }));
    expect(info).toEqual({
      audioFormat: 1,
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
      dataBytes: 48000,
      durationMs: 1500,
    });
    expect(isGraphPromptFormat(info)).toBe(true);
    expect(isGraphPromptFormat(parseWav(makeToneWav({ seconds: 0.1, sampleRate: 8000 })))).toBe(false);
  });

  it('skips unknown chunks, honours padding, and rejects what is not a WAV', () => {
    const tone = makeToneWav({ seconds: 0.25 });
    // Insert an odd-sized LIST chunk (5 bytes + 1 pad byte) between fmt and data.
    const list = Buffer.concat([
      Buffer.from('LIST'),
      Buffer.from([5, 0, 0, 0]),
      Buffer.from('INFOx'),
      Buffer.from([0]),
    ]);
    const withList = Buffer.concat([tone.subarray(0, 36), list, tone.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const info = parseWav(withList);
    expect(info.sampleRate).toBe(16000);
    expect(info.durationMs).toBe(250);

    expect(() => parseWav(Buffer.from('ID3\u0003 this is an mp3, honest'))).toThrow(/Not a WAV file/);
    expect(() => parseWav(Buffer.from('RIFF'))).toThrow(/Not a WAV file/);
    expect(() => parseWav(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('AVI ')]))).toThrow(/WAVE/);
    expect(() => parseWav(tone.subarray(0, 36))).toThrow(/no data chunk/);
  });
});

describe('incoming call', () => {
  it('POSTs a signed incoming-call notification in Graph shape to the bot', async () => {
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550123' } });
    expect(callId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const n = await receiver.waitFor(isState(callId, 'incoming'), 'incoming');

    expect(n.envelope['@odata.type']).toBe('#microsoft.graph.commsNotifications');
    expect(n.item).toMatchObject({
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'created',
      resource: `/app/calls/${callId}`,
      resourceUrl: `/communications/calls/${callId}`,
    });
    expect(n.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: callId,
      state: 'incoming',
      direction: 'incoming',
      callbackUri: receiver.callbackUri,
      requestedModalities: ['audio'],
      tenantId: TENANT,
      myParticipantId: expect.any(String),
      source: { identity: { phone: { id: '+14255550123' } } },
      targets: [{ identity: { application: { id: CLIENT_ID } } }],
    });
    expect(n.headers['user-agent']).toBe('Microsoft-Skype/3.0,(Calling/1.0)');
    expect(n.headers['x-microsoft-skype-chain-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(n.headers['x-microsoft-skype-message-id']).toMatch(/^[0-9a-f-]{36}$/);

    // The bearer token verifies against the keys published through the emulator's OpenID configuration.
    const token = /^Bearer (.+)$/.exec(n.authorization ?? '')?.[1];
    expect(token).toBeDefined();
    const config = (await (await fetch(`${emulator.url}/botframework/v1/.well-known/OpenIdConfiguration`)).json()) as {
      jwks_uri: string;
      issuer: string;
    };
    expect(config.issuer).toBe('https://api.botframework.com');
    const { payload, protectedHeader } = await jwtVerify(token!, createRemoteJWKSet(new URL(config.jwks_uri)), {
      issuer: 'https://api.botframework.com',
      audience: CLIENT_ID,
      algorithms: ['RS256'],
    });
    expect(payload['tid']).toBe(TENANT);
    expect(typeof payload.iat).toBe('number');
    expect(typeof payload.nbf).toBe('number');
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    expect(protectedHeader.kid).toBeTruthy();
    // ...and not against some other audience.
    await expect(
      jwtVerify(token!, createRemoteJWKSet(new URL(config.jwks_uri)), { audience: 'someone-else' }),
    ).rejects.toThrow();
    await calls.hangUp(callId);
  });

  it('targets the application instance when the call is to a resource account', async () => {
    const { callId } = await emulator.placeCall({
      from: { user: { id: 'caller-user-1', displayName: 'Ada' } },
      applicationInstanceId: 'ra-object-id',
    });
    const n = await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    expect(n.item.resourceData['targets'][0].identity.applicationInstance).toMatchObject({
      id: 'ra-object-id',
      tenantId: TENANT,
    });
    expect(n.item.resourceData['targets'][0].identity.application).toBeUndefined();
    expect(n.item.resourceData['source'].identity.user).toMatchObject({ id: 'caller-user-1', displayName: 'Ada' });
    await calls.hangUp(callId);
  });

  it('ends an unanswered call at the answer deadline with 408/1106', async () => {
    const quick = await startEmulator({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      botCallingUrl: receiver.callbackUri,
      answerTimeoutMs: 200,
    });
    try {
      const { callId } = await quick.placeCall({ from: { phone: '+14255550124' } });
      const n = await receiver.waitFor(isState(callId, 'terminated'), 'terminated after answer deadline');
      expect(n.item.changeType).toBe('deleted');
      expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 408, subcode: 1106 });
      expect(quick.getCall(callId)?.state).toBe('terminated');
    } finally {
      await quick.stop();
    }
  });
});

describe('answer', () => {
  it('goes establishing then established with active audio, and GET shows the call', async () => {
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' } });
    await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    await calls.answer(callId, {
      callbackUri: receiver.callbackUri,
      preFetchMedia: [{ uri: receiver.prompt('pre.wav', makeToneWav({ seconds: 0.2 })) }],
    });
    const establishing = await receiver.waitFor(isState(callId, 'establishing'), 'establishing');
    const established = await receiver.waitFor(isState(callId, 'established'), 'established');
    expect(establishing.item.changeType).toBe('updated');
    expect(established.item.resourceData['mediaState']).toMatchObject({ audio: 'active' });
    expect(established.at).toBeGreaterThanOrEqual(establishing.at);

    const snapshot = await calls.getCall(callId);
    expect(snapshot).toEqual({ id: callId, state: 'established' });
    const raw = await rawGraph('GET', `/communications/calls/${callId}`);
    expect(raw.json).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: callId,
      state: 'established',
      callbackUri: receiver.callbackUri,
    });
    expect(raw.json.mediaConfig.preFetchMedia[0].uri).toBe(`${receiver.url}/prompts/pre.wav`);

    // Answering twice is refused: answer is valid only while the call is incoming.
    await expect(calls.answer(callId, { callbackUri: receiver.callbackUri })).rejects.toMatchObject({
      status: 400,
      code: 'BadRequest',
      retryable: false,
    });
    await calls.hangUp(callId);
  });

  it('uses the bot-wide callback URL when answer has no callbackUri (call-answer.md)', async () => {
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' } });
    await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const r = await rawGraph('POST', `/communications/calls/${callId}/answer`, {
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    expect(r.status).toBe(202);
    await receiver.waitFor(isState(callId, 'established'), 'established');
    expect(emulator.getCall(callId)?.callbackUri).toBe(receiver.callbackUri);
    await calls.hangUp(callId);
  });
});

describe('playPrompt', () => {
  it('fetches the WAV, plays it for its duration ÷ mediaSpeed, then notifies completedSuccessfully', async () => {
    const callId = await establishedCall();
    const uri = receiver.prompt('greeting.wav', makeToneWav({ seconds: 2 }));
    const started = Date.now();
    const op = await calls.playPrompt(callId, { promptUris: [uri], clientContext: 'greeting-1' });
    expect(op.status).toBe('running');
    expect(op.operationId).toMatch(/^[0-9a-f-]{36}$/);

    const done = await receiver.waitFor(isOperation(callId, op.operationId), 'prompt completion');
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
    expect(emulator.getCall(callId)?.operations.find((o) => o.id === op.operationId)?.status).toBe('completed');
    await calls.hangUp(callId);
  });

  it('answers 200 with the operation Location and body, and queues prompts one after another', async () => {
    const callId = await establishedCall();
    const body = {
      clientContext: 'first',
      prompts: [
        {
          '@odata.type': '#microsoft.graph.mediaPrompt',
          mediaInfo: { uri: receiver.prompt('a.wav', makeToneWav({ seconds: 1 })), resourceId: 'a' },
        },
      ],
    };
    const first = await rawGraph('POST', `/communications/calls/${callId}/playPrompt`, body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      status: 'running',
      clientContext: 'first',
    });
    expect(first.headers.get('location')).toBe(
      `${emulator.graphBaseUrl}/communications/calls/${callId}/operations/${first.json.id}`,
    );
    const second = await calls.playPrompt(callId, {
      promptUris: [receiver.prompt('b.wav', makeToneWav({ seconds: 0.2 }))],
      clientContext: 'second',
    });

    const a = await receiver.waitFor(isOperation(callId, first.json.id), 'first completion');
    const b = await receiver.waitFor(isOperation(callId, second.operationId), 'second completion');
    // The short second prompt waited for the first one.
    expect(b.at).toBeGreaterThanOrEqual(a.at);
    const order = receiver
      .forCall(callId)
      .filter((r) => r.item.resourceUrl.includes('/operations/'))
      .map((r) => r.item.resourceData['clientContext']);
    expect(order).toEqual(['first', 'second']);
    await calls.hangUp(callId);
  });

  it('fails the operation for an 8 kHz WAV and for a prompt that cannot be downloaded', async () => {
    const callId = await establishedCall();
    const narrow = await calls.playPrompt(callId, {
      promptUris: [receiver.prompt('8k.wav', makeToneWav({ seconds: 0.5, sampleRate: 8000 }))],
      clientContext: '8k',
    });
    const failed = await receiver.waitFor(isOperation(callId, narrow.operationId), '8 kHz completion');
    expect(failed.item.resourceData).toMatchObject({
      status: 'failed',
      clientContext: '8k',
      resultInfo: { code: 400, subcode: 8535 },
    });
    expect(failed.item.resourceData['resultInfo'].message).toMatch(/8000 Hz/);

    const missing = await calls.playPrompt(callId, {
      promptUris: [`${receiver.url}/prompts/nope.wav`],
      clientContext: 'missing',
    });
    const notFound = await receiver.waitFor(isOperation(callId, missing.operationId), 'missing completion');
    expect(notFound.item.resourceData).toMatchObject({ status: 'failed', resultInfo: { code: 400, subcode: 8536 } });
    await calls.hangUp(callId);
  });

  it('cancelMediaProcessing cancels the running and the queued prompts', async () => {
    const callId = await establishedCall();
    const hold = receiver.prompt('hold.wav', makeToneWav({ seconds: 30, frequencies: [392, 523] }));
    const running = await calls.playPrompt(callId, { promptUris: [hold], clientContext: 'hold-1' });
    const queued = await calls.playPrompt(callId, { promptUris: [hold], clientContext: 'hold-2' });
    await vi.waitFor(() =>
      expect(emulator.getCall(callId)?.operations.find((o) => o.id === running.operationId)?.status).toBe('running'),
    );

    const cancel = await rawGraph('POST', `/communications/calls/${callId}/cancelMediaProcessing`, {
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
      const n = await receiver.waitFor(isOperation(callId, op.operationId), 'cancelled completion');
      expect(n.item.resourceData).toMatchObject({
        status: 'failed',
        completionReason: 'mediaOperationCanceled',
        resultInfo: { code: 400, subcode: 8508 },
      });
    }
    // Through CallControl as well.
    expect((await calls.cancelMediaProcessing(callId, 'again')).status).toBe('completed');
    await calls.hangUp(callId);
  });
});

describe('transfer', () => {
  it('to an accepting agent: transferring, transferAccepted, terminated 0/7015; the agent is busy while talking', async () => {
    emulator.setAgent('agent-accepts', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 400 });
    const callId = await establishedCall();
    await calls.transfer(callId, { target: { userId: 'agent-accepts' }, clientContext: 'xfer-1' });
    await receiver.waitFor(isState(callId, 'transferring'), 'transferring');
    await receiver.waitFor(isState(callId, 'transferAccepted'), 'transferAccepted');
    const terminated = await receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(terminated.item.changeType).toBe('deleted');
    expect(terminated.item.resourceData['resultInfo']).toMatchObject({ code: 0, subcode: 7015 });
    const states = receiver.forCall(callId).map((r) => r.item.resourceData['state']);
    expect(states).toEqual([
      'incoming',
      'establishing',
      'established',
      'transferring',
      'transferAccepted',
      'terminated',
    ]);

    expect(emulator.getAgent('agent-accepts')).toMatchObject({ busy: true, callId, availability: 'Busy' });
    await vi.waitFor(() => expect(emulator.getAgent('agent-accepts').busy).toBe(false), { timeout: 3000 });
    expect(emulator.getCall(callId)?.transfer).toMatchObject({
      outcome: 'accepted',
      conversation: { endedBy: 'agent' },
    });

    // The bot's call leg is gone now.
    await expect(calls.getCall(callId)).rejects.toMatchObject({ status: 404, code: '8522', callGone: true });
  });

  it('to a declining agent: back to established with 500/7000, and the call goes on', async () => {
    emulator.setAgent('agent-declines', { onTransfer: 'decline', answerAfterMs: 50 });
    const callId = await establishedCall();
    await calls.transfer(callId, { target: { userId: 'agent-declines' }, clientContext: 'xfer-2' });
    await receiver.waitFor(isState(callId, 'transferring'), 'transferring');
    const back = await receiver.waitFor(
      (r) => isState(callId, 'established')(r) && r.item.resourceData['resultInfo'] !== undefined,
      'established after failed transfer',
    );
    expect(back.item.changeType).toBe('updated');
    expect(back.item.resourceData['resultInfo']).toMatchObject({ code: 500, subcode: 7000 });
    expect((await calls.getCall(callId)).state).toBe('established');
    expect(emulator.getCall(callId)?.transfer?.outcome).toBe('declined');
    // Media still works after a failed transfer.
    const op = await calls.playPrompt(callId, {
      promptUris: [receiver.prompt('sorry.wav', makeToneWav({ seconds: 0.2 }))],
      clientContext: 'sorry',
    });
    expect(
      (await receiver.waitFor(isOperation(callId, op.operationId), 'prompt after failed transfer')).item.resourceData[
        'status'
      ],
    ).toBe('completed');
    await calls.hangUp(callId);
  });

  it('to a phone number uses the default agent script (accept)', async () => {
    const callId = await establishedCall();
    await calls.transfer(callId, { target: { phone: '+14255550999' }, clientContext: 'to-pstn' });
    const terminated = await receiver.waitFor(isState(callId, 'terminated'), 'terminated', 5000);
    expect(terminated.item.resourceData['resultInfo']).toMatchObject({ code: 0, subcode: 7015 });
    expect(emulator.getCall(callId)?.transfer?.target).toEqual({ phone: '+14255550999' });
  });

  it('is refused with 400 while the call is not established', async () => {
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' } });
    await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const err = await calls.transfer(callId, { target: { userId: 'agent-x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 400, retryable: false, callGone: false });
    await calls.hangUp(callId);
  });
});

describe('ending calls', () => {
  it('caller hang-up sends terminated with a normal hang-up result to the call callback', async () => {
    const callId = await establishedCall({ phone: '+14255550100' }, 800);
    const n = await receiver.waitFor(isState(callId, 'terminated'), 'terminated by caller');
    expect(n.item.changeType).toBe('deleted');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 540000 });
    await expect(calls.getCall(callId)).rejects.toMatchObject({ callGone: true });
  });

  it('a Teams caller hanging up before the answer ends with 200/4097 at the bot URL', async () => {
    const { callId } = await emulator.placeCall({ from: { user: { id: 'impatient-user' } }, hangUpAfterMs: 100 });
    const n = await receiver.waitFor(isState(callId, 'terminated'), 'terminated before answer');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 4097 });
    expect(receiver.forCall(callId).map((r) => r.item.resourceData['state'])).toEqual(['incoming', 'terminated']);
  });

  it('DELETE answers 204, then terminating and terminated; a second hangUp counts as done', async () => {
    const callId = await establishedCall();
    const del = await rawGraph('DELETE', `/communications/calls/${callId}`);
    expect(del.status).toBe(204);
    await receiver.waitFor(isState(callId, 'terminating'), 'terminating');
    const n = await receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(n.item.changeType).toBe('deleted');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 5001 });
    await expect(calls.hangUp(callId)).resolves.toBeUndefined();
    const again = await rawGraph('DELETE', `/communications/calls/${callId}`);
    expectGraphError(again, 404, '8522');
  });
});

describe('Graph request validation', () => {
  let callId: string;
  beforeAll(async () => {
    const placed = await emulator.placeCall({ from: { phone: '+14255550100' } });
    callId = placed.callId;
    await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
  });
  const media = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

  it('answer: missing acceptedModalities, missing mediaConfig, bad modality enum, bad callbackUri', async () => {
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/answer`, {
        callbackUri: receiver.callbackUri,
        mediaConfig: media,
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/answer`, {
        callbackUri: receiver.callbackUri,
        acceptedModalities: ['audio'],
      }),
      400,
      'BadRequest',
    );
    const badEnum = await rawGraph('POST', `/communications/calls/${callId}/answer`, {
      callbackUri: receiver.callbackUri,
      acceptedModalities: ['audi0'],
      mediaConfig: media,
    });
    expectGraphError(badEnum, 400, 'BadRequest');
    expect(badEnum.json.error.message).toContain('audi0');
    const badUri = await rawGraph('POST', `/communications/calls/${callId}/answer`, {
      callbackUri: 'not a uri',
      acceptedModalities: ['audio'],
      mediaConfig: media,
    });
    expectGraphError(badUri, 400, 'BadRequest');
    expect(badUri.json.error.message).toContain('callbackUri');
    const notHttps = await rawGraph('POST', `/communications/calls/${callId}/answer`, {
      callbackUri: 'http://bot.example.com/api/calls',
      acceptedModalities: ['audio'],
      mediaConfig: media,
    });
    expectGraphError(notHttps, 400, 'BadRequest');
    // None of these answered the call.
    expect(emulator.getCall(callId)?.state).toBe('incoming');
  });

  it('playPrompt: 21 prompts, no prompts, a prompt without its @odata.type, clientContext over 256 chars', async () => {
    await calls.answer(callId, { callbackUri: receiver.callbackUri });
    await receiver.waitFor(isState(callId, 'established'), 'established');
    const prompt = {
      '@odata.type': '#microsoft.graph.mediaPrompt',
      mediaInfo: { uri: `${receiver.url}/prompts/x.wav` },
    };
    const tooMany = await rawGraph('POST', `/communications/calls/${callId}/playPrompt`, {
      clientContext: 'c',
      prompts: Array(21).fill(prompt),
    });
    expectGraphError(tooMany, 400, 'BadRequest');
    expect(tooMany.json.error.message).toMatch(/20/);
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/playPrompt`, { clientContext: 'c', prompts: [] }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/playPrompt`, {
        prompts: [{ mediaInfo: prompt.mediaInfo }],
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/playPrompt`, {
        clientContext: 'x'.repeat(257),
        prompts: [prompt],
      }),
      400,
      'BadRequest',
    );
    // The same error through CallControl is a non-retryable GraphRequestError.
    const err = await calls
      .playPrompt(callId, { promptUris: Array(21).fill(prompt.mediaInfo.uri), clientContext: 'c' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 400, code: 'BadRequest', retryable: false, callGone: false });
  });

  it('transfer: missing transferTarget, bad endpointType enum, phone not in E.164', async () => {
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/transfer`, { clientContext: 'c' }),
      400,
      'BadRequest',
    );
    const badEnum = await rawGraph('POST', `/communications/calls/${callId}/transfer`, {
      transferTarget: { endpointType: 'carrierPigeon', identity: { user: { id: 'agent-1' } } },
    });
    expectGraphError(badEnum, 400, 'BadRequest');
    expect(badEnum.json.error.message).toContain('carrierPigeon');
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/transfer`, {
        transferTarget: { endpointType: 'default', identity: { phone: { id: '4255550100' } } },
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph('POST', `/communications/calls/${callId}/transfer`, '{not json'),
      400,
      'BadRequest',
    );
    expect(emulator.getCall(callId)?.state).toBe('established');
  });

  it('an unknown call id is 404 8522 everywhere, and CallControl flags it callGone', async () => {
    const ghost = '00000000-0000-0000-0000-000000000000';
    expectGraphError(await rawGraph('GET', `/communications/calls/${ghost}`), 404, '8522');
    expectGraphError(await rawGraph('POST', `/communications/calls/${ghost}/playPrompt`, { prompts: [] }), 404, '8522');
    const err = await calls.getCall(ghost).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 404, code: '8522', callGone: true, retryable: false });
    await expect(calls.hangUp(ghost)).resolves.toBeUndefined();
  });

  it('records every Graph request, and the call history holds requests and notifications with their status', async () => {
    const history = emulator.getCall(callId)!.history;
    const answer = history.find((h) => h.kind === 'request' && h.path.endsWith('/answer') && h.status === 202);
    expect(answer).toBeDefined();
    const delivered = history.filter((h) => h.kind === 'notification');
    expect(delivered.map((h) => h.kind === 'notification' && h.summary)).toEqual(
      expect.arrayContaining(['incoming', 'establishing', 'established']),
    );
    expect(delivered.every((h) => h.kind === 'notification' && h.status === 202)).toBe(true);
    const rejected = emulator.requests.filter((r) => r.callId === callId && r.status === 400);
    expect(rejected.length).toBeGreaterThanOrEqual(10);
    expect(steps.some((s) => s.callId === callId && s.kind === 'request' && s.detail.includes('/answer -> 202'))).toBe(
      true,
    );
    expect(
      steps.some((s) => s.callId === callId && s.kind === 'notification' && s.detail.includes('established -> 202')),
    ).toBe(true);
    await calls.hangUp(callId);
  });
});

describe('control API over HTTP', () => {
  it('places calls, scripts agents, and shows calls and requests', async () => {
    const placed = await fetch(`${emulator.url}/emulator/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: { phone: '+14255550177' }, hangUpAfterMs: 300 }),
    });
    expect(placed.status).toBe(201);
    const { callId } = (await placed.json()) as { callId: string };
    await receiver.waitFor(isState(callId, 'incoming'), 'incoming via control API');

    const agent = await fetch(`${emulator.url}/emulator/agents/agent-http`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ onTransfer: 'decline', answerAfterMs: 10 }),
    });
    expect(agent.status).toBe(200);
    expect(emulator.getAgent('agent-http').script).toEqual({
      onTransfer: 'decline',
      answerAfterMs: 10,
      talkMs: 30000,
      presence: [],
    });

    await receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    const view = (await (await fetch(`${emulator.url}/emulator/calls/${callId}`)).json()) as {
      state: string;
      history: { kind: string; status?: number }[];
    };
    expect(view.state).toBe('terminated');
    expect(view.history.filter((h) => h.kind === 'notification').map((h) => h.status)).toEqual([202, 202]);
    expect((await fetch(`${emulator.url}/emulator/calls/nope`)).status).toBe(404);

    const requests = (await (await fetch(`${emulator.url}/emulator/requests`)).json()) as {
      value: { method: string; status: number }[];
    };
    expect(requests.value.length).toBe(emulator.requests.length);

    const bad = await fetch(`${emulator.url}/emulator/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: { phone: '12' } }),
    });
    expect(bad.status).toBe(400);
    const badAgent = await fetch(`${emulator.url}/emulator/agents/x`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ onTransfer: 'maybe' }),
    });
    expect(badAgent.status).toBe(400);

    // Faults: a lost response is one (carried out, its answer dropped); a negative hold or an unknown status is not.
    const fault = (body: unknown) =>
      fetch(`${emulator.url}/emulator/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await fault({ action: 'answer', callId: 'none', status: 'noResponse', holdMs: 50 })).status).toBe(201);
    expect((await fault({ action: 'answer', status: 'noResponse', holdMs: -1 })).status).toBe(400);
    expect((await fault({ action: 'answer', status: 'lost' })).status).toBe(400);
    expect((await fetch(`${emulator.url}/emulator/faults`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('notification delivery', () => {
  it('records failures and non-2xx answers without crashing, and keeps each call in order', async () => {
    const flaky = express();
    const seen: string[] = [];
    flaky.post('/api/calls', express.json(), async (req, res) => {
      const state = req.body.value[0].resourceData.state as string;
      seen.push(state);
      // Slow down the first notification: order must still hold.
      if (state === 'incoming') await sleep(100);
      res.status(state === 'incoming' ? 500 : 202).end();
    });
    const { server, url } = await listen(flaky);
    const deadPort = await listen(express());
    await new Promise<void>((r) => deadPort.server.close(() => r()));
    const em = await startEmulator({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      botCallingUrl: `${url}/api/calls`,
      mediaSpeed: 100,
    });
    const dead = await startEmulator({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      botCallingUrl: `${deadPort.url}/api/calls`,
    });
    try {
      const { callId } = await em.placeCall({ from: { phone: '+14255550100' }, hangUpAfterMs: 20 });
      await vi.waitFor(() =>
        expect(em.getCall(callId)?.history.filter((h) => h.kind === 'notification')).toHaveLength(2),
      );
      expect(seen).toEqual(['incoming', 'terminated']);
      const statuses = em.getCall(callId)!.history.flatMap((h) => (h.kind === 'notification' ? [h.status] : []));
      expect(statuses).toEqual([500, 202]);

      const { callId: lost } = await dead.placeCall({ from: { phone: '+14255550100' } });
      await vi.waitFor(() => expect(dead.getCall(lost)?.history.some((h) => h.kind === 'notification')).toBe(true));
      const failed = dead.getCall(lost)!.history.find((h) => h.kind === 'notification');
      expect(failed).toMatchObject({ kind: 'notification', summary: 'incoming' });
      expect(failed).not.toHaveProperty('status');
      expect(failed).toHaveProperty('error', expect.stringContaining('ECONNREFUSED'));
      expect((await fetch(`${dead.url}/emulator/health`)).status).toBe(200);
    } finally {
      await em.stop();
      await dead.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('emulator options', () => {
  it('an ignored transfer fails after the alert timeout ÷ mediaSpeed; docQuirks reproduces the doc examples', async () => {
    const em = await startEmulator({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      botCallingUrl: receiver.callbackUri,
      mediaSpeed: 100,
      docQuirks: true,
    });
    try {
      const g = await createGraphClient({
        graphBaseUrl: em.graphBaseUrl,
        tenantId: TENANT,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        authorityMetadataUrl: em.authorityMetadataUrl,
      });
      const cc = new CallControl(g);
      em.setAgent('agent-away', { onTransfer: 'ignore' });
      const { callId } = await em.placeCall({ from: { phone: '+14255550100' } });
      await receiver.waitFor(isState(callId, 'incoming'), 'incoming');
      await cc.answer(callId, { callbackUri: receiver.callbackUri });
      await receiver.waitFor(isState(callId, 'established'), 'established');
      await cc.transfer(callId, { target: { userId: 'agent-away' } });
      const failed = await receiver.waitFor(
        (r) => isState(callId, 'established')(r) && r.item.resourceData['resultInfo'] !== undefined,
        'transfer no answer',
      );
      // transfer-failed example in call-transfer.md spells it subCode.
      expect(failed.item.resourceData['resultInfo']).toMatchObject({ code: 500, subCode: 7000 });
      expect(em.getCall(callId)?.transfer?.outcome).toBe('noAnswer');

      await cc.hangUp(callId);
      const ended = await receiver.waitFor(isState(callId, 'terminated'), 'terminated');
      // terminated example in call-delete.md has string codes.
      expect(ended.item.resourceData['resultInfo']).toMatchObject({ code: '200', subcode: '5001' });
    } finally {
      await em.stop();
    }
  });

  it('the HTTP surfaces an app needs exist: OpenID documents, keys, instance discovery', async () => {
    const oidc = (await (await fetch(emulator.authorityMetadataUrl)).json()) as Record<string, string>;
    expect(oidc['token_endpoint']).toBe(`${emulator.url}/${TENANT}/oauth2/v2.0/token`);
    for (const k of ['authorization_endpoint', 'issuer', 'jwks_uri', 'end_session_endpoint'])
      expect(oidc[k]).toBeTruthy();
    const keys = (await (await fetch(oidc['jwks_uri']!)).json()) as { keys: { kid: string; kty: string }[] };
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA' });
    const token = await graph.getAccessToken();
    expect(decodeProtectedHeader(token).kid).toBe(keys.keys[0]!.kid);
    const discovery = (await (await fetch(`${emulator.url}/common/discovery/instance`)).json()) as {
      metadata: { aliases: string[] }[];
    };
    expect(discovery.metadata[0]!.aliases).toContain(new URL(emulator.url).host);
  });
});
