/**
 * The emulator's agents have Teams' own call handling (issue 21, point 1): an unanswered ring goes to their voicemail
 * (Teams' default after 20 s: Set-CsUserCallingSettings -UnansweredDelay) or is forwarded by their call-answering
 * rules, and whatever answers makes the ring `established` (/work/shared/reference/graph-calling.md, "Teams users'
 * own call handling"); a forward shows in the call's callRoutes (api-reference/v1.0/resources/call.md, callroute.md).
 * A person who answered presses 1 once Switchboard's whisper has played, unless scripted never to.
 */
import { describe, expect, it } from 'vitest';
import { makeToneWav } from '../../src/media/wav.js';
import { TENANT, isOperation, isState, rigForFile, type Received } from '../helpers/bot-receiver.js';

const rig = rigForFile();
const isTone = (callId: string) => (r: Received) =>
  r.item.resourceUrl === `/communications/calls/${callId}` && r.item.resourceData?.toneInfo !== undefined;

/** The bot rings `agentId` and waits for the ring to be established. */
async function ringAnswered(agentId: string): Promise<{ id: string; established: Received }> {
  const created = await rig.calls.createCall({
    target: { userId: agentId },
    callbackUri: rig.receiver.callbackUri,
    tenantId: TENANT,
  });
  const established = await rig.receiver.waitFor(isState(created.id, 'established'), `${agentId} ring established`);
  return { id: created.id, established };
}

/** Switchboard's confirm step on a ring: listen for tones, play the whisper, and wait for it to have played. */
async function whisper(callId: string): Promise<void> {
  await rig.calls.subscribeToTone(callId, 'confirm');
  const uri = rig.receiver.prompt('agent-whisper.wav', makeToneWav({ seconds: 1 }));
  const { operationId } = await rig.calls.playPrompt(callId, { promptUris: [uri], clientContext: 'whisper' });
  await rig.receiver.waitFor(isOperation(callId, operationId!), 'whisper played');
}

/** No tone reached the bot within a second after the whisper (a person reacts in 400 ms). */
async function expectNoKey(callId: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  expect(rig.receiver.forCall(callId).filter(isTone(callId))).toEqual([]);
}

describe("emulated agents' call handling (issue 21)", () => {
  it('an agent who answers presses 1 once the whisper has played; no callRoutes on an ordinary answer', async () => {
    rig.emulator.setAgent('rules-presses', { onTransfer: 'accept', answerAfterMs: 50 });
    const ring = await ringAnswered('rules-presses');
    expect(ring.established.item.resourceData.callRoutes).toBeUndefined();
    await whisper(ring.id);
    const tone = await rig.receiver.waitFor(isTone(ring.id), 'the key');
    expect(tone.item.resourceData.toneInfo).toMatchObject({ tone: 'tone1', sequenceId: 1 });
    await rig.calls.hangUp(ring.id);
  });

  it("'answers but never presses a key': established, whispered to, no tone", async () => {
    rig.emulator.setAgent('rules-never', { onTransfer: 'accept', answerAfterMs: 50, onWhisper: 'never' });
    const ring = await ringAnswered('rules-never');
    await whisper(ring.id);
    await expectNoKey(ring.id);
    await rig.calls.hangUp(ring.id);
  });

  it('voicemail picks up a ring the agent leaves unanswered: established like an answer, and it never presses a key', async () => {
    rig.emulator.setAgent('rules-voicemail', { onTransfer: 'ignore', callAnswering: { voicemailAfterMs: 200 } });
    const ring = await ringAnswered('rules-voicemail');
    expect(ring.established.item.resourceData).toMatchObject({ state: 'established', mediaState: { audio: 'active' } });
    const view = rig.emulator.getCall(ring.id)!;
    expect(view.history.some((h) => h.kind === 'caller' && h.detail === "rules-voicemail's voicemail answers")).toBe(
      true,
    );
    // Not the agent on a call: their presence does not turn Busy.
    expect(rig.emulator.getAgent('rules-voicemail').busy).toBe(false);
    await whisper(ring.id);
    await expectNoKey(ring.id);
    await rig.calls.hangUp(ring.id);
  });

  it('without voicemail (null) an unanswered ring still ends as Graph ends it, never established', async () => {
    rig.emulator.setAgent('rules-novm', { onTransfer: 'ignore', callAnswering: { voicemailAfterMs: null } });
    const created = await rig.calls.createCall({
      target: { userId: 'rules-novm' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
    });
    const ended = await rig.receiver.waitFor(isState(created.id, 'terminated'), 'not answered', 8000);
    expect(ended.item.resourceData.resultInfo.code).toBe(408);
    expect(rig.receiver.forCall(created.id).some(isState(created.id, 'established'))).toBe(false);
  });

  it('call forwarding to a mobile: the ring is established with callRoutes forwarded, original the agent, final the phone', async () => {
    rig.emulator.setAgent('rules-fwd', {
      onTransfer: 'accept',
      callAnswering: { forward: { to: { phone: '+14255550177' } } },
    });
    const ring = await ringAnswered('rules-fwd');
    const route = {
      '@odata.type': '#microsoft.graph.callRoute',
      routingType: 'forwarded',
      original: { user: { id: 'rules-fwd' } },
      final: { phone: { id: '+14255550177' } },
    };
    expect(ring.established.item.resourceData.callRoutes).toMatchObject([route]);
    // GET shows it too (call.md: callRoutes is a property of the call).
    expect(await rig.raw('GET', `/communications/calls/${ring.id}`)).toMatchObject({
      status: 200,
      json: { callRoutes: [route] },
    });
    await rig.calls.hangUp(ring.id);
  });

  it('an unanswered-call forward to another user: after its delay, that user answers by their own script', async () => {
    rig.emulator.setAgent('rules-delegate', { onTransfer: 'accept', answerAfterMs: 50 });
    rig.emulator.setAgent('rules-fwd-late', {
      onTransfer: 'ignore',
      callAnswering: { forward: { to: { userId: 'rules-delegate' }, afterMs: 200 } },
    });
    const ring = await ringAnswered('rules-fwd-late');
    expect(ring.established.item.resourceData.callRoutes).toMatchObject([
      {
        routingType: 'forwarded',
        original: { user: { id: 'rules-fwd-late' } },
        final: { user: { id: 'rules-delegate' } },
      },
    ]);
    // The delegate is a person who accepts: they press 1 at the whisper. The route is what tells the bot.
    await whisper(ring.id);
    await rig.receiver.waitFor(isTone(ring.id), 'the delegate presses 1');
    await rig.calls.hangUp(ring.id);
  });

  it('the control API refuses call-answering rules it cannot carry out, naming the field', async () => {
    const put = (body: unknown) =>
      fetch(`${rig.emulator.url}/emulator/agents/rules-bad`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const badPhone = await put({ onTransfer: 'accept', callAnswering: { forward: { to: { phone: '4255550177' } } } });
    expect(badPhone.status).toBe(400);
    expect(JSON.stringify(await badPhone.json())).toContain('must be an E.164 number');
    const badWhisper = await put({ onTransfer: 'accept', onWhisper: 'sometimes' });
    expect(badWhisper.status).toBe(400);
    expect(JSON.stringify(await badWhisper.json())).toContain('onWhisper');
  });
});
