/**
 * Calls the bot places in the Graph emulator (outbound to users and numbers, rings for consultative transfer),
 * inviting participants, and the notification quirks the emulator can reproduce.
 */
import { describe, expect, it } from 'vitest';
import { ALL_QUIRKS } from '../../devkit/emulator/index.js';
import { TENANT, isOperation, isState, rigForFile, type Received } from '../helpers/bot-receiver.js';

const rig = rigForFile();

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
