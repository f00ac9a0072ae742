/**
 * The emulator's presence lookup (getPresencesByUserId) and the calls a bot may refuse or pass on before answering
 * (reject, redirect), driven over HTTP through the app's CallControl.
 */
import { describe, expect, it, vi } from 'vitest';
import { GraphRequestError } from '../../src/graph/errors.js';
import { isState, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

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
