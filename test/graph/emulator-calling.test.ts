/**
 * The emulator's further Graph v1.0 calling endpoints (presence, reject, redirect, recordResponse, subscribeToTone,
 * outbound calls, invite) and notification quirks, driven over HTTP through the app's CallControl.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_QUIRKS } from '../../devkit/emulator/index.js';
import { GraphRequestError } from '../../src/graph/errors.js';
import { isGraphPromptFormat, makeToneWav, parseWav } from '../../src/media/wav.js';
import { TENANT, isOperation, isState, startRig, type EmulatorRig, type Received } from '../helpers/bot-receiver.js';

let rig: EmulatorRig;

beforeAll(async () => {
  rig = await startRig({ recordingRetentionMs: 400 });
});
afterAll(async () => {
  await rig?.stop();
});

async function graphError(p: Promise<unknown>): Promise<GraphRequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphRequestError);
  return err as GraphRequestError;
}

describe('getPresencesByUserId', () => {
  it('reports scripted presence over time and Busy/InACall while an agent is on a call', async () => {
    rig.emulator.setAgent('p-agent', {
      onTransfer: 'accept',
      presence: [
        { atMs: 0, availability: 'Away', activity: 'Away' },
        { atMs: 2500, availability: 'Available', activity: 'Available' },
      ],
    });
    const first = await rig.calls.getPresencesByUserId(['p-agent', 'nobody']);
    expect(first).toEqual([
      { id: 'p-agent', availability: 'Away', activity: 'Away' },
      { id: 'nobody', availability: 'PresenceUnknown', activity: 'PresenceUnknown' },
    ]);
    await vi.waitFor(
      async () =>
        expect((await rig.calls.getPresencesByUserId(['p-agent']))[0]).toMatchObject({ availability: 'Available' }),
      { timeout: 8000, interval: 50 },
    );

    rig.emulator.setAgent('p-agent', { onTransfer: 'accept', answerAfterMs: 10, talkMs: 60000 });
    const callId = await rig.establishedCall();
    await rig.calls.transfer(callId, { target: { userId: 'p-agent' } });
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated after transfer');
    expect(await rig.calls.getPresencesByUserId(['p-agent'])).toEqual([
      { id: 'p-agent', availability: 'Busy', activity: 'InACall' },
    ]);
  });

  it('accepts 650 ids and rejects 651, an empty list and unknown properties with Graph error JSON', async () => {
    const ids = Array.from({ length: 650 }, (_, i) => `u${i}`);
    expect(await rig.calls.getPresencesByUserId(ids)).toHaveLength(650);
    const tooMany = await rig.raw('POST', '/communications/getPresencesByUserId', { ids: [...ids, 'one-more'] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatchObject({ code: 'BadRequest', innerError: { 'request-id': expect.any(String) } });
    expect(tooMany.json.error.message).toContain('650');
    expect((await rig.raw('POST', '/communications/getPresencesByUserId', { ids: [] })).status).toBe(400);
    expect((await rig.raw('POST', '/communications/getPresencesByUserId', {})).json.error.message).toContain("'ids'");
    expect((await rig.raw('POST', '/communications/getPresencesByUserId', { ids: ['a'], extra: 1 })).status).toBe(400);
  });
});

describe('reject and redirect', () => {
  it('reject ends an incoming call; a wrong reason is a 400', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550101' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const bad = await rig.raw('POST', `/communications/calls/${callId}/reject`, { reason: 'tired' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('reason');
    await rig.calls.reject(callId, { reason: 'busy' });
    const t = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(t.item.changeType).toBe('deleted');
    const gone = await graphError(rig.calls.reject(callId));
    expect(gone).toMatchObject({ status: 404, callGone: true });
  });

  it('validates targets (≤25) and timeout (15–90)', async () => {
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550102' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    const target = (id: string) => ({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: { user: { id } },
    });
    const many = await rig.raw('POST', `/communications/calls/${callId}/redirect`, {
      targets: Array.from({ length: 26 }, (_, i) => target(`t${i}`)),
    });
    expect(many.status).toBe(400);
    expect(many.json.error.message).toContain('25');
    for (const timeout of [14, 91, 30.5]) {
      const r = await rig.raw('POST', `/communications/calls/${callId}/redirect`, { targets: [target('x')], timeout });
      expect(r.status, `timeout ${timeout}`).toBe(400);
    }
    expect((await rig.raw('POST', `/communications/calls/${callId}/redirect`, {})).status).toBe(400);
    await expect(
      rig.calls.redirect(callId, { targets: [{ userId: 'x' }], timeoutSeconds: 15 }),
    ).resolves.toBeUndefined();
  });

  it('rings all targets at once; the first to answer gets the call', async () => {
    rig.emulator.setAgent('r-slow', { onTransfer: 'accept', answerAfterMs: 2000, talkMs: 5000 });
    rig.emulator.setAgent('r-fast', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 5000 });
    rig.emulator.setAgent('r-decline', { onTransfer: 'decline', answerAfterMs: 10 });
    const { callId } = await rig.emulator.placeCall({ from: { phone: '+14255550103' } });
    await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    await rig.calls.redirect(callId, {
      targets: [{ userId: 'r-decline' }, { userId: 'r-slow' }, { userId: 'r-fast' }],
      timeoutSeconds: 20,
    });
    const t = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(t.item.resourceData).not.toHaveProperty('resultInfo');
    expect(rig.emulator.getCall(callId)).toMatchObject({ state: 'terminated' });
    expect(rig.emulator.getAgent('r-fast')).toMatchObject({ busy: true, availability: 'Busy', activity: 'InACall' });
    expect(rig.emulator.getAgent('r-slow').busy).toBe(false);
  });
});

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

describe('outbound calls and invite', () => {
  it('calls a Teams user who answers: 201 establishing, then established', async () => {
    rig.emulator.setCallee('callee-user', { onCall: 'answer', answerAfterMs: 50 });
    const created = await rig.calls.createCall({
      target: { userId: 'callee-user' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
    });
    expect(created.state).toBe('establishing');
    await rig.receiver.waitFor(isState(created.id, 'established'), 'established');
    expect(rig.emulator.getCall(created.id)).toMatchObject({ direction: 'outgoing', state: 'established' });
    await rig.calls.hangUp(created.id);
  });

  it('calls a phone number through a resource account; without one it is a 400', async () => {
    await expect(
      rig.calls.createCall({
        target: { phone: '+14255550199' },
        callbackUri: rig.receiver.callbackUri,
        tenantId: TENANT,
      }),
    ).rejects.toThrow(TypeError);
    const raw = await rig.raw('POST', '/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      callbackUri: rig.receiver.callbackUri,
      targets: [{ identity: { phone: { id: '+14255550199' } } }],
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      tenantId: TENANT,
    });
    expect(raw.status).toBe(400);
    expect(raw.json.error.message).toContain('applicationInstance');

    rig.emulator.setCallee('+14255550199', { onCall: 'answer', answerAfterMs: 20, hangUpAfterMs: 200 });
    const created = await rig.calls.createCall({
      target: { phone: '+14255550199' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-1',
    });
    await rig.receiver.waitFor(isState(created.id, 'established'), 'established');
    const t = await rig.receiver.waitFor(isState(created.id, 'terminated'), 'callee hangs up');
    expect(t.item.resourceData.resultInfo).toMatchObject({ code: 200, subcode: 540000 });
    expect(rig.emulator.getCall(created.id)!.source).toMatchObject({
      identity: { applicationInstance: { id: 'ra-1', tenantId: TENANT } },
    });
  });

  it('a busy callee and one who never answers end the call without establishing it', async () => {
    rig.emulator.setCallee('+14255550111', { onCall: 'busy', answerAfterMs: 20 });
    rig.emulator.setCallee('+14255550112', { onCall: 'never' });
    const busy = await rig.calls.createCall({
      target: { phone: '+14255550111' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-1',
    });
    const never = await rig.calls.createCall({
      target: { phone: '+14255550112' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-1',
    });
    expect((await rig.receiver.waitFor(isState(busy.id, 'terminated'), 'busy')).item.resourceData.resultInfo.code).toBe(
      486,
    );
    expect(
      (await rig.receiver.waitFor(isState(never.id, 'terminated'), 'no answer', 8000)).item.resourceData.resultInfo
        .code,
    ).toBe(408);
    for (const id of [busy.id, never.id]) expect(rig.receiver.forCall(id).some(isState(id, 'established'))).toBe(false);
  });

  it('rings an agent with a call of our own and transfers the caller onto it (consultative transfer)', async () => {
    rig.emulator.setAgent('ring-agent', { onTransfer: 'accept', answerAfterMs: 20, talkMs: 60000 });
    const callerId = await rig.establishedCall();
    const ring = await rig.calls.createCall({
      target: { userId: 'ring-agent' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-1',
    });
    await rig.receiver.waitFor(isState(ring.id, 'established'), 'the agent answers our call');
    expect((await rig.calls.getPresencesByUserId(['ring-agent']))[0]).toMatchObject({ activity: 'InACall' });
    await rig.calls.transfer(callerId, {
      target: { userId: 'ring-agent' },
      replacesCallId: ring.id,
      clientContext: 'offer',
    });
    await rig.receiver.waitFor(isState(callerId, 'transferAccepted'), 'transfer accepted');
    const ended = await rig.receiver.waitFor(isState(callerId, 'terminated'), 'caller leg ends');
    expect(ended.item.resourceData).toMatchObject({ terminationReason: 'AppTransferred' });
    await rig.receiver.waitFor(isState(ring.id, 'terminated'), 'the replaced call ends');
    // The agent went from our call straight to the caller: still on a call, talking to the caller now.
    expect(rig.emulator.getAgent('ring-agent')).toMatchObject({ busy: true, callId: callerId });
    expect(rig.emulator.getCall(callerId)!.transfer).toMatchObject({
      outcome: 'accepted',
      conversation: { startedAt: expect.any(String) },
    });
  });

  it('a declined ring ends 603; a ring we stop ends; a consultative transfer onto a call that is not up fails 500/7700', async () => {
    rig.emulator.setAgent('ring-declines', { onTransfer: 'decline', answerAfterMs: 20 });
    rig.emulator.setAgent('ring-ignores', { onTransfer: 'ignore' });
    const declined = await rig.calls.createCall({
      target: { userId: 'ring-declines' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
    });
    expect(
      (await rig.receiver.waitFor(isState(declined.id, 'terminated'), 'declined')).item.resourceData.resultInfo.code,
    ).toBe(603);
    const ringing = await rig.calls.createCall({
      target: { userId: 'ring-ignores' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
    });
    await rig.calls.hangUp(ringing.id); // the alert time is over: stop ringing
    await rig.receiver.waitFor(isState(ringing.id, 'terminated'), 'ring stopped');
    expect(rig.receiver.forCall(ringing.id).some(isState(ringing.id, 'established'))).toBe(false);

    const callerId = await rig.establishedCall();
    await rig.calls.transfer(callerId, { target: { userId: 'ring-ignores' }, replacesCallId: ringing.id });
    const failed = await rig.receiver.waitFor(
      (r) => isState(callerId, 'established')(r) && Boolean(r.item.resourceData.resultInfo),
      'transfer failed',
    );
    expect(failed.item.resourceData).toMatchObject({ resultInfo: { code: 500 }, replacesContext: ringing.id });
    expect(JSON.stringify(failed.item.resourceData.resultInfo)).toContain('7700');
    expect(rig.emulator.getCall(callerId)).toMatchObject({ state: 'established', transfer: { outcome: 'failed' } });
    await rig.calls.hangUp(callerId);
  });

  it('invite: an operation notification, then a roster update whose resourceData is an array of participants', async () => {
    rig.emulator.setAgent('inv-agent', { onTransfer: 'accept', answerAfterMs: 30 });
    const callId = await rig.establishedCall();
    const tooMany = await rig.raw('POST', `/communications/calls/${callId}/participants/invite`, {
      participants: Array.from({ length: 6 }, (_, i) => ({ identity: { user: { id: `u${i}` } } })),
    });
    expect(tooMany.status).toBe(400);
    const op = await rig.calls.invite(callId, { participants: [{ userId: 'inv-agent' }], clientContext: 'inv' });
    expect(op.status).toBe('running');
    const done = await rig.receiver.waitFor(isOperation(callId, op.operationId), 'invite completed');
    expect(done.item.resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      status: 'completed',
      clientContext: 'inv',
    });
    const roster = await rig.receiver.waitFor(
      (r) => r.item.resourceUrl === `/communications/calls/${callId}/participants`,
      'roster',
    );
    expect(Array.isArray(roster.item.resourceData)).toBe(true);
    expect(roster.item.resourceData.map((p: { '@odata.type': string }) => p['@odata.type'])).toEqual(
      Array(3).fill('#microsoft.graph.participant'),
    );
    expect((await rig.calls.getPresencesByUserId(['inv-agent']))[0]).toMatchObject({ activity: 'InACall' });
  });
});

describe('notification quirks', () => {
  it('with every quirk on: duplicates, established first, string codes as subCode, PascalCase, resourceData arrays', async () => {
    const { callId } = await rig.emulator.placeCall({
      from: { phone: '+14255550120' },
      quirks: ALL_QUIRKS,
      hangUpAfterMs: 600,
    });
    const stateOf = (r: Received) => (Array.isArray(r.item.resourceData) ? r.item.resourceData[0]?.state : undefined);
    await rig.receiver.waitFor(
      (r) => r.item.resourceUrl === `/communications/calls/${callId}` && stateOf(r) === 'Incoming',
      'incoming',
    );
    await rig.calls.answer(callId, { callbackUri: rig.receiver.callbackUri });
    await rig.receiver.waitFor(
      (r) => r.item.resourceUrl === `/communications/calls/${callId}` && stateOf(r) === 'Terminated',
      'terminated',
      4000,
    );
    const mine = rig.receiver.forCall(callId);
    const states = mine.map(stateOf);
    expect(states.filter((s) => s === 'Incoming')).toHaveLength(2);
    expect(states.indexOf('Established')).toBeLessThan(states.indexOf('Establishing'));
    const term = mine.find((r) => stateOf(r) === 'Terminated')!;
    expect(term.item.changeType).toBe('Deleted');
    expect(term.item.resourceData[0].resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: '200',
      subCode: '540000',
      message: expect.any(String),
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
