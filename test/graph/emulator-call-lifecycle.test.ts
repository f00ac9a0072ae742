/**
 * A call's life in the Graph emulator, driven through the app's real Graph layer (MSAL + Graph JS client +
 * CallControl) with a small Express receiver standing in for the bot's calling webhook: the incoming notification,
 * answer, transfer and hang-up. Everything runs over HTTP on 127.0.0.1 with random ports.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../../devkit/emulator/index.js';
import { GraphRequestError } from '../../src/graph/errors.js';
import { makeToneWav } from '../../src/media/wav.js';
import {
  CLIENT_ID,
  SECRET,
  TENANT,
  expectGraphError,
  isOperation,
  isState,
  rawGraph,
  rigForFile,
} from '../helpers/bot-receiver.js';

const rig = rigForFile({ mediaSpeed: 10 }, { waitTimeoutMs: 4000 });

/** Places a call and answers it; resolves once it is established. */
function establishedCall(
  from: { phone: string } | { user: { id: string } } = { phone: '+14255550100' },
  hangUpAfterMs?: number,
) {
  return rig.establishedCall({ from, ...(hangUpAfterMs !== undefined ? { hangUpAfterMs } : {}) });
}

describe('incoming call', () => {
  it('POSTs a signed incoming-call notification in Graph shape to the bot', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550123' } });
    expect(callId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const n = await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');

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
      callbackUri: rig.receiver.callbackUri,
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
    const config = (await (
      await fetch(`${rig.emulator.url}/botframework/v1/.well-known/OpenIdConfiguration`)
    ).json()) as {
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
    await rig.calls.hangUp(callId);
  });

  it('targets the application instance when the call is to a resource account', async () => {
    const { callId } = await rig.emulator.placeCall({
      from: { user: { id: 'caller-user-1', displayName: 'Ada' } },
      applicationInstanceId: 'ra-object-id',
    });
    const n = await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    expect(n.item.resourceData['targets'][0].identity.applicationInstance).toMatchObject({
      id: 'ra-object-id',
      tenantId: TENANT,
    });
    expect(n.item.resourceData['targets'][0].identity.application).toBeUndefined();
    expect(n.item.resourceData['source'].identity.user).toMatchObject({ id: 'caller-user-1', displayName: 'Ada' });
    await rig.calls.hangUp(callId);
  });

  it('ends an unanswered call at the answer deadline with 408/1106', async () => {
    const quick = await startEmulator({
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      botCallingUrl: rig.receiver.callbackUri,
      answerTimeoutMs: 200,
    });
    try {
      const { callId } = await quick.placeCall({ from: { phone: '+14255550124' } });
      const n = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated after answer deadline');
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
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550100' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    await rig.calls.answer(callId, {
      callbackUri: rig.receiver.callbackUri,
      preFetchMedia: [{ uri: rig.receiver.prompt('pre.wav', makeToneWav({ seconds: 0.2 })) }],
    });
    const establishing = await rig.receiver.waitFor(isState(callId, 'establishing'), 'establishing');
    const established = await rig.receiver.waitFor(isState(callId, 'established'), 'established');
    expect(establishing.item.changeType).toBe('updated');
    expect(established.item.resourceData['mediaState']).toMatchObject({ audio: 'active' });
    expect(established.at).toBeGreaterThanOrEqual(establishing.at);

    const snapshot = await rig.calls.getCall(callId);
    expect(snapshot).toEqual({ id: callId, state: 'established' });
    const raw = await rawGraph(rig, 'GET', `/communications/calls/${callId}`);
    expect(raw.json).toMatchObject({
      '@odata.type': '#microsoft.graph.call',
      id: callId,
      state: 'established',
      callbackUri: rig.receiver.callbackUri,
    });
    expect(raw.json.mediaConfig.preFetchMedia[0].uri).toBe(`${rig.receiver.url}/prompts/pre.wav`);

    // Answering twice is refused: answer is valid only while the call is incoming.
    await expect(rig.calls.answer(callId, { callbackUri: rig.receiver.callbackUri })).rejects.toMatchObject({
      status: 400,
      code: 'BadRequest',
      retryable: false,
    });
    await rig.calls.hangUp(callId);
  });

  it('uses the bot-wide callback URL when answer has no callbackUri (call-answer.md)', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550100' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const r = await rawGraph(rig, 'POST', `/communications/calls/${callId}/answer`, {
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    expect(r.status).toBe(202);
    await rig.receiver.waitFor(isState(callId, 'established'), 'established');
    expect(rig.emulator.getCall(callId)?.callbackUri).toBe(rig.receiver.callbackUri);
    await rig.calls.hangUp(callId);
  });
});

describe('transfer', () => {
  it('to an accepting agent: transferring, transferAccepted, terminated 0/7015; the agent is busy while talking', async () => {
    rig.emulator.setAgent('agent-accepts', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 400 });
    const callId = await establishedCall();
    await rig.calls.transfer(callId, { target: { userId: 'agent-accepts' }, clientContext: 'xfer-1' });
    await rig.receiver.waitFor(isState(callId, 'transferring'), 'transferring');
    await rig.receiver.waitFor(isState(callId, 'transferAccepted'), 'transferAccepted');
    const terminated = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(terminated.item.changeType).toBe('deleted');
    expect(terminated.item.resourceData['resultInfo']).toMatchObject({ code: 0, subcode: 7015 });
    const states = rig.receiver.forCall(callId).map((r) => r.item.resourceData['state']);
    expect(states).toEqual([
      'incoming',
      'establishing',
      'established',
      'transferring',
      'transferAccepted',
      'terminated',
    ]);

    expect(rig.emulator.getAgent('agent-accepts')).toMatchObject({ busy: true, callId, availability: 'Busy' });
    await vi.waitFor(() => expect(rig.emulator.getAgent('agent-accepts').busy).toBe(false), { timeout: 3000 });
    expect(rig.emulator.getCall(callId)?.transfer).toMatchObject({
      outcome: 'accepted',
      conversation: { endedBy: 'agent' },
    });

    // The bot's call leg is gone now.
    await expect(rig.calls.getCall(callId)).rejects.toMatchObject({ status: 404, code: '8522', callGone: true });
  });

  it('to a declining agent: back to established with 500/7000, and the call goes on', async () => {
    rig.emulator.setAgent('agent-declines', { onTransfer: 'decline', answerAfterMs: 50 });
    const callId = await establishedCall();
    await rig.calls.transfer(callId, { target: { userId: 'agent-declines' }, clientContext: 'xfer-2' });
    await rig.receiver.waitFor(isState(callId, 'transferring'), 'transferring');
    const back = await rig.receiver.waitFor(
      (r) => isState(callId, 'established')(r) && r.item.resourceData['resultInfo'] !== undefined,
      'established after failed transfer',
    );
    expect(back.item.changeType).toBe('updated');
    expect(back.item.resourceData['resultInfo']).toMatchObject({ code: 500, subcode: 7000 });
    expect((await rig.calls.getCall(callId)).state).toBe('established');
    expect(rig.emulator.getCall(callId)?.transfer?.outcome).toBe('declined');
    // Media still works after a failed transfer.
    const op = await rig.calls.playPrompt(callId, {
      promptUris: [rig.receiver.prompt('sorry.wav', makeToneWav({ seconds: 0.2 }))],
      clientContext: 'sorry',
    });
    expect(
      (await rig.receiver.waitFor(isOperation(callId, op.operationId), 'prompt after failed transfer')).item
        .resourceData['status'],
    ).toBe('completed');
    await rig.calls.hangUp(callId);
  });

  it('to a phone number uses the default agent script (accept)', async () => {
    // call-transfer.md: transfer to a phone number needs a call that involves an application instance.
    const callId = await rig.establishedCall({ from: { phone: '+14255550100' }, applicationInstanceId: 'ra-pstn' });
    await rig.calls.transfer(callId, { target: { phone: '+14255550999' }, clientContext: 'to-pstn' });
    const terminated = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated', 5000);
    expect(terminated.item.resourceData['resultInfo']).toMatchObject({ code: 0, subcode: 7015 });
    expect(rig.emulator.getCall(callId)?.transfer?.target).toEqual({ phone: '+14255550999' });
  });

  it('is refused with 400 while the call is not established', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550100' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const err = await rig.calls.transfer(callId, { target: { userId: 'agent-x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 400, retryable: false, callGone: false });
    await rig.calls.hangUp(callId);
  });
});

describe('ending calls', () => {
  it('caller hang-up sends terminated with a normal hang-up result to the call callback', async () => {
    const callId = await establishedCall({ phone: '+14255550100' }, 800);
    const n = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated by caller');
    expect(n.item.changeType).toBe('deleted');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 540000 });
    await expect(rig.calls.getCall(callId)).rejects.toMatchObject({ callGone: true });
  });

  it('a Teams caller hanging up before the answer ends with 200/4097 at the bot URL', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { user: { id: 'impatient-user' } }, hangUpAfterMs: 100 });
    const n = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated before answer');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 4097 });
    expect(rig.receiver.forCall(callId).map((r) => r.item.resourceData['state'])).toEqual(['incoming', 'terminated']);
  });

  it('DELETE answers 204, then terminating and terminated; a second hangUp counts as done', async () => {
    const callId = await establishedCall();
    const del = await rawGraph(rig, 'DELETE', `/communications/calls/${callId}`);
    expect(del.status).toBe(204);
    await rig.receiver.waitFor(isState(callId, 'terminating'), 'terminating');
    const n = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(n.item.changeType).toBe('deleted');
    expect(n.item.resourceData['resultInfo']).toMatchObject({ code: 200, subcode: 5001 });
    await expect(rig.calls.hangUp(callId)).resolves.toBeUndefined();
    const again = await rawGraph(rig, 'DELETE', `/communications/calls/${callId}`);
    expectGraphError(again, 404, '8522');
  });
});
