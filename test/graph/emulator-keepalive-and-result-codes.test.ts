/**
 * The Graph emulator keeps calls alive only on POST …/keepAlive, and ends unanswered rings with the code/subcode pairs
 * Microsoft documents (issue 21, points 2 and 3). Sources:
 * - api-reference/v1.0/api/call-keepalive.md: a call with no keepAlive within 45 minutes of its start or of the
 *   previous one ends; a keepAlive on an ended call is 404; no body, 200 OK.
 * - api-reference/v1.0/api/call-delete.md, "Call end reason codes": 408/8537, 408/10057, 480/10076.
 * - Azure Communication Services' calling codes (troubleshooting-codes.md): 603, declined by the remote participant.
 * - Teams' "Microsoft and SIP response codes": 486 Busy Here; an SBC's own codes are 560 + the SIP code (560486).
 */
import { describe, expect, it } from 'vitest';
import { TENANT, isState, rigForFile } from '../helpers/bot-receiver.js';

// A 1.5 s window stands in for Graph's 45 minutes.
const WINDOW_MS = 1500;
const rig = rigForFile({ keepAliveWindowMs: WINDOW_MS });
// Rings, with Graph's own 45-minute window.
const rings = rigForFile();

describe('keepAlive (call-keepalive.md)', () => {
  it('a call with no keepAlive within the window ends with 408/8537', async () => {
    const callId = await rig.establishedCall();
    const ended = await rig.receiver.waitFor(isState(callId, 'terminated'), 'keepAlive timeout', WINDOW_MS + 3000);
    expect(ended.item.resourceData.resultInfo).toMatchObject({
      code: 408,
      subcode: 8537,
      message: 'Keep Alive timeout, cleaned up inactive call.',
    });
  });

  it('keepAlive answers 200 with no body and starts the window again; after the call ended it is 404', async () => {
    const callId = await rig.establishedCall();
    // Three windows long, with a keepAlive every half window: the call stays up throughout.
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, WINDOW_MS / 2));
      const res = await rig.raw('POST', `/communications/calls/${callId}/keepAlive`);
      expect(res.status).toBe(200);
      expect(res.json).toBeUndefined();
    }
    expect(rig.emulator.getCall(callId)?.state).toBe('established');
    await rig.calls.hangUp(callId);
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'hung up');
    const gone = await rig.raw('POST', `/communications/calls/${callId}/keepAlive`);
    expect(gone.status).toBe(404);
  });

  it('a call the bot placed needs keepAlive too', async () => {
    rig.emulator.setCallee('ka-callee', { onCall: 'answer', answerAfterMs: 20 });
    const created = await rig.calls.createCall({
      target: { userId: 'ka-callee' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
    });
    await rig.receiver.waitFor(isState(created.id, 'established'), 'established');
    const ended = await rig.receiver.waitFor(isState(created.id, 'terminated'), 'timeout', WINDOW_MS + 3000);
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 408, subcode: 8537 });
  });
});

describe('unanswered rings end with documented codes', () => {
  const cases = [
    { onCall: 'busy', to: 'rc-busy-user', code: 486, subcode: 0, source: 'SIP 486 Busy Here' },
    { onCall: 'busy', to: '+14255550131', code: 486, subcode: 560486, source: 'SBC busy: 560 + SIP 486' },
    { onCall: 'decline', to: 'rc-declining-user', code: 603, subcode: 0, source: 'ACS calling codes: 603' },
    { onCall: 'unreachable', to: 'rc-signed-out-user', code: 480, subcode: 10076, source: 'call-delete.md 480/10076' },
  ] as const;
  for (const c of cases) {
    it(`${c.onCall} (${c.to.startsWith('+') ? 'phone' : 'Teams user'}) ends ${c.code}/${c.subcode}: ${c.source}`, async () => {
      const phone = c.to.startsWith('+');
      if (c.onCall === 'decline') rings.emulator.setAgent(c.to, { onTransfer: 'decline', answerAfterMs: 20 });
      else rings.emulator.setCallee(c.to, { onCall: c.onCall, answerAfterMs: 20 });
      const created = await rings.calls.createCall({
        target: phone ? { phone: c.to } : { userId: c.to },
        callbackUri: rings.receiver.callbackUri,
        tenantId: TENANT,
        ...(phone ? { applicationInstanceId: 'ra-1' } : {}),
      });
      const ended = await rings.receiver.waitFor(isState(created.id, 'terminated'), c.onCall);
      expect(ended.item.resourceData.resultInfo).toMatchObject({ code: c.code, subcode: c.subcode });
    });
  }

  it('a ring nobody answers ends 408/10057 (call-delete.md: no signaling from callee endpoints)', async () => {
    rings.emulator.setCallee('rc-away-user', { onCall: 'never' });
    const created = await rings.calls.createCall({
      target: { userId: 'rc-away-user' },
      callbackUri: rings.receiver.callbackUri,
      tenantId: TENANT,
    });
    // The emulator rings for Teams' 30 s alert time ÷ mediaSpeed (10).
    const ended = await rings.receiver.waitFor(isState(created.id, 'terminated'), 'no answer', 8000);
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 408, subcode: 10057 });
  });
});
