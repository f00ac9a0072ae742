/**
 * The Graph emulator refuses malformed requests as Graph does (400 BadRequest, 404 8522 for an unknown call, with
 * Graph's error JSON), and records every request and notification in the call's history.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type StepEvent } from '../../devkit/emulator/index.js';
import { GraphRequestError } from '../../src/graph/errors.js';
import { expectGraphError, isState, rawGraph, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile({ mediaSpeed: 10 }, { waitTimeoutMs: 4000 });
const steps: StepEvent[] = [];

describe('Graph request validation', () => {
  let callId: string;
  beforeAll(async () => {
    rig.emulator.events.on('step', (s: StepEvent) => steps.push(s));
    const placed = await rig.emulator.placeCall({ from: { phone: '+14255550100' } });
    callId = placed.callId;
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
  });
  const media = { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' };

  it('answer: missing acceptedModalities, missing mediaConfig, bad modality enum, bad callbackUri', async () => {
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
        callbackUri: rig.receiver.callbackUri,
        mediaConfig: media,
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
        callbackUri: rig.receiver.callbackUri,
        acceptedModalities: ['audio'],
      }),
      400,
      'BadRequest',
    );
    const badEnum = await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
      callbackUri: rig.receiver.callbackUri,
      acceptedModalities: ['audi0'],
      mediaConfig: media,
    });
    expectGraphError(badEnum, 400, 'BadRequest');
    expect(badEnum.json.error.message).toContain('audi0');
    const badUri = await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
      callbackUri: 'not a uri',
      acceptedModalities: ['audio'],
      mediaConfig: media,
    });
    expectGraphError(badUri, 400, 'BadRequest');
    expect(badUri.json.error.message).toContain('callbackUri');
    const notHttps = await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
      callbackUri: 'http://bot.example.com/api/calls',
      acceptedModalities: ['audio'],
      mediaConfig: media,
    });
    expectGraphError(notHttps, 400, 'BadRequest');
    // None of these answered the call.
    expect(rig.emulator.getCall(callId)?.state).toBe('incoming');
  });

  it('playPrompt: 21 prompts, no prompts, a prompt without its @odata.type, clientContext over 256 chars', async () => {
    await rig.calls.answer(callId, { callbackUri: rig.receiver.callbackUri });
    await rig.receiver.waitFor(isState(callId, 'established'), 'established');
    const prompt = {
      '@odata.type': '#microsoft.graph.mediaPrompt',
      mediaInfo: { uri: `${rig.receiver.url}/prompts/x.wav` },
    };
    const tooMany = await rawGraph(rig, 'POST', `/communications/calls/${callId}/playPrompt`, {
      clientContext: 'c',
      prompts: Array(21).fill(prompt),
    });
    expectGraphError(tooMany, 400, 'BadRequest');
    expect(tooMany.json.error.message).toMatch(/20/);
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/playPrompt`, { clientContext: 'c', prompts: [] }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/playPrompt`, {
        prompts: [{ mediaInfo: prompt.mediaInfo }],
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/playPrompt`, {
        clientContext: 'x'.repeat(257),
        prompts: [prompt],
      }),
      400,
      'BadRequest',
    );
    // The same error through CallControl is a non-retryable GraphRequestError.
    const err = await rig.calls
      .playPrompt(callId, { promptUris: Array(21).fill(prompt.mediaInfo.uri), clientContext: 'c' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 400, code: 'BadRequest', retryable: false, callGone: false });
  });

  it('transfer: missing transferTarget, bad endpointType enum, phone not in E.164', async () => {
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/transfer`, { clientContext: 'c' }),
      400,
      'BadRequest',
    );
    const badEnum = await rawGraph(rig, 'POST', `/communications/calls/${callId}/transfer`, {
      transferTarget: { endpointType: 'carrierPigeon', identity: { user: { id: 'agent-1' } } },
    });
    expectGraphError(badEnum, 400, 'BadRequest');
    expect(badEnum.json.error.message).toContain('carrierPigeon');
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/transfer`, {
        transferTarget: { endpointType: 'default', identity: { phone: { id: '4255550100' } } },
      }),
      400,
      'BadRequest',
    );
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${callId}/transfer`, '{not json'),
      400,
      'BadRequest',
    );
    expect(rig.emulator.getCall(callId)?.state).toBe('established');
  });

  it('an unknown call id is 404 8522 everywhere, and CallControl flags it callGone', async () => {
    const ghost = '00000000-0000-0000-0000-000000000000';
    expectGraphError(await rawGraph(rig, 'GET', `/communications/calls/${ghost}`), 404, '8522');
    expectGraphError(
      await rawGraph(rig, 'POST', `/communications/calls/${ghost}/playPrompt`, { prompts: [] }),
      404,
      '8522',
    );
    const err = await rig.calls.getCall(ghost).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 404, code: '8522', callGone: true, retryable: false });
    await expect(rig.calls.hangUp(ghost)).resolves.toBeUndefined();
  });

  it('records every Graph request, and the call history holds requests and notifications with their status', async () => {
    const history = rig.emulator.getCall(callId)!.history;
    const answer = history.find((h) => h.kind === 'request' && h.path.endsWith('/answer') && h.status === 202);
    expect(answer).toBeDefined();
    const delivered = history.filter((h) => h.kind === 'notification');
    expect(delivered.map((h) => h.kind === 'notification' && h.summary)).toEqual(
      expect.arrayContaining(['incoming', 'establishing', 'established']),
    );
    expect(delivered.every((h) => h.kind === 'notification' && h.status === 202)).toBe(true);
    const rejected = rig.emulator.requests.filter((r) => r.callId === callId && r.status === 400);
    expect(rejected.length).toBeGreaterThanOrEqual(10);
    expect(steps.some((s) => s.callId === callId && s.kind === 'request' && s.detail.includes('/answer -> 202'))).toBe(
      true,
    );
    expect(
      steps.some((s) => s.callId === callId && s.kind === 'notification' && s.detail.includes('established -> 202')),
    ).toBe(true);
    await rig.calls.hangUp(callId);
  });
});
