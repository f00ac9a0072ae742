/**
 * The Graph emulator's group calls (issue 24, point 1), each behaviour as documented in microsoft-graph-docs-contrib
 * api-reference/v1.0: participant-invite.md (example 3: replacesCallId moves a participant from a peer-to-peer call,
 * which ends; "all participants will receive a roster update"), participant-mute.md, participant-delete.md,
 * call-list-participants.md, call-playprompt.md (prompts go to the call), call-keepalive.md (the bot's leg).
 */
import { describe, expect, it } from 'vitest';
import { ParticipantControl } from '../../src/graph/participant-control.js';
import { parseCommsNotifications } from '../../src/graph/notifications.js';
import { isOperation, isState, rigForFile, type Received } from '../helpers/bot-receiver.js';
import { eventually } from '../helpers/eventually.js';
import { makeToneWav } from '../../src/media/wav.js';

const rig = rigForFile();
const participants = () => new ParticipantControl(rig.calls.client);

const isRosterOf = (callId: string) => (r: Received) =>
  r.item.resourceUrl === `/communications/calls/${callId}/participants`;

/** The caller's call and an answered ring to `agent` (the bot's own peer-to-peer call to them). */
async function callerAndRing(agent: string, caller: { hangUpAfterMs?: number } = {}) {
  rig.emulator.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 20, talkMs: 400, onWhisper: 'never' });
  const callerId = await rig.establishedCall({ from: { phone: '+14255550140' }, ...caller });
  const ring = await rig.calls.createCall({ target: { userId: agent }, callbackUri: rig.receiver.callbackUri });
  await rig.receiver.waitFor(isState(ring.id, 'established'), 'agent answers the ring');
  return { callerId, ringId: ring.id };
}

describe('conference in the Graph emulator (participant-invite.md example 3, replacesCallId)', () => {
  it('moves the agent in: invite completes, every participant gets the roster, the ring call ends, the call stays', async () => {
    const { callerId, ringId } = await callerAndRing('conf-a1');
    const op = await rig.calls.invite(callerId, {
      participants: [{ userId: 'conf-a1' }],
      clientContext: 'conference-conf-a1',
      replacesCallId: ringId,
    });
    expect(op.status).toBe('running');
    const done = await rig.receiver.waitFor(isOperation(callerId, op.operationId), 'invite completed');
    expect(done.item.resourceData).toMatchObject({ status: 'completed', clientContext: 'conference-conf-a1' });
    const roster = await rig.receiver.waitFor(isRosterOf(callerId), 'roster update');
    // Read as the webhook reads it: caller (phone, by kind only), the bot, the agent.
    const parsed = parseCommsNotifications({ value: [roster.item] });
    expect(parsed.ok && parsed.items[0]).toMatchObject({
      kind: 'notification',
      notification: {
        kind: 'participants',
        roster: [
          { kind: 'phone', muted: false },
          { kind: 'application', muted: false },
          { kind: 'user', userId: 'conf-a1', muted: false },
        ],
      },
    });
    expect(JSON.stringify(parsed.ok && parsed.items[0])).not.toContain('+14255550140');
    await rig.receiver.waitFor(isState(ringId, 'terminated'), 'the replaced peer-to-peer call ends');
    expect(rig.emulator.getCall(callerId)).toMatchObject({ state: 'established' });
    expect((await rig.calls.getPresencesByUserId(['conf-a1']))[0]).toMatchObject({ activity: 'InACall' });

    // The agent's talk time ends: they leave, the roster says so, and the caller is still there with the bot.
    const after = await rig.receiver.waitFor(
      (r) => isRosterOf(callerId)(r) && (r.item.resourceData as unknown[]).length === 2,
      'roster without the agent',
    );
    expect(after.item.resourceData).toHaveLength(2);
    const view = rig.emulator.getCall(callerId)!;
    expect(view.participants?.find((p) => p.userId === 'conf-a1')?.leftAt).toBeDefined();
    expect(view.state).toBe('established');
    await rig.calls.hangUp(callerId);
  });

  it('refuses to move a participant from a call that is not with them (500/7700 on the operation)', async () => {
    const { callerId, ringId } = await callerAndRing('conf-a2');
    const op = await rig.calls.invite(callerId, {
      participants: [{ userId: 'someone-else' }],
      clientContext: 'wrong',
      replacesCallId: ringId,
    });
    const failed = await rig.receiver.waitFor(isOperation(callerId, op.operationId), 'invite failed');
    expect(failed.item.resourceData).toMatchObject({ status: 'failed', resultInfo: { code: 500, subcode: 7700 } });
    expect(rig.emulator.getCall(ringId)).toMatchObject({ state: 'established' });
    await rig.calls.hangUp(ringId);
    await rig.calls.hangUp(callerId);
  });

  it('lists, mutes (roster says isMuted) and removes participants; mute needs a group call', async () => {
    const { callerId, ringId } = await callerAndRing('conf-a3');
    // participant-mute.md: "This method is only supported for group calls."
    const p2p = await rig.raw('POST', `/communications/calls/${callerId}/participants/x/mute`, { clientContext: 'm' });
    expect(p2p.status).toBe(400);
    rig.emulator.setAgent('conf-a3', { onTransfer: 'accept', answerAfterMs: 20, talkMs: 60_000 });
    await rig.calls.invite(callerId, {
      participants: [{ userId: 'conf-a3' }],
      clientContext: 'c',
      replacesCallId: ringId,
    });
    await rig.receiver.waitFor(isRosterOf(callerId), 'roster');

    const listed = await participants().list(callerId);
    expect(listed.map((p) => p.kind)).toEqual(['phone', 'application', 'user']);
    const agent = listed.find((p) => p.userId === 'conf-a3')!;
    const bad = await rig.raw('POST', `/communications/calls/${callerId}/participants/${agent.id}/mute`, {
      clientContext: 'm',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    const muted = await participants().mute(callerId, agent.id!, 'mute-1');
    expect(muted.status).toBe('completed');
    const mutedRoster = await rig.receiver.waitFor(
      (r) =>
        isRosterOf(callerId)(r) &&
        (r.item.resourceData as { isMuted?: boolean; info: { identity: { user?: { id: string } } } }[]).some(
          (p) => p.info.identity.user?.id === 'conf-a3' && p.isMuted === true,
        ),
      'roster with the agent muted',
    );
    expect(mutedRoster).toBeDefined();

    const unknown = await rig.raw('DELETE', `/communications/calls/${callerId}/participants/not-there`);
    expect(unknown.status).toBe(404);
    await participants().remove(callerId, agent.id!);
    await eventually(async () => {
      const kinds = (await participants().list(callerId)).map((p) => p.kind);
      return kinds.length === 2 ? kinds : undefined;
    }, 'the agent gone from the list');
    expect((await rig.calls.getPresencesByUserId(['conf-a3']))[0]).toMatchObject({ availability: 'Available' });
    await rig.calls.hangUp(callerId);
  });

  it('a prompt in a group call is heard by every participant', async () => {
    const { callerId, ringId } = await callerAndRing('conf-a4');
    rig.emulator.setAgent('conf-a4', { onTransfer: 'accept', answerAfterMs: 20, talkMs: 60_000 });
    await rig.calls.invite(callerId, {
      participants: [{ userId: 'conf-a4' }],
      clientContext: 'c',
      replacesCallId: ringId,
    });
    await rig.receiver.waitFor(isRosterOf(callerId), 'roster');
    const uri = rig.receiver.prompt('conference-hello.wav', makeToneWav({ seconds: 0.2 }));
    const op = await rig.calls.playPrompt(callerId, { promptUris: [uri], clientContext: 'p' });
    await rig.receiver.waitFor(isOperation(callerId, op.operationId), 'prompt played');
    const heard = rig.emulator.getCall(callerId)!.participants!;
    expect(heard.map((p) => [p.role, p.promptsHeard])).toEqual([
      ['caller', 1],
      ['bot', 1],
      ['agent', 1],
    ]);
    await rig.calls.hangUp(callerId);
  });

  it('the caller hanging up leaves the group call; the agent follows; the bot stays alone until it hangs up', async () => {
    const { callerId, ringId } = await callerAndRing('conf-a5', { hangUpAfterMs: 1500 });
    rig.emulator.setAgent('conf-a5', { onTransfer: 'accept', answerAfterMs: 20, talkMs: 60_000 });
    await rig.calls.invite(callerId, {
      participants: [{ userId: 'conf-a5' }],
      clientContext: 'c',
      replacesCallId: ringId,
    });
    await rig.receiver.waitFor(isRosterOf(callerId), 'roster');
    await rig.receiver.waitFor(
      (r) => isRosterOf(callerId)(r) && (r.item.resourceData as unknown[]).length === 1,
      'roster with the bot alone',
    );
    const view = rig.emulator.getCall(callerId)!;
    expect(view.state).toBe('established');
    expect(view.participants!.filter((p) => p.leftAt === undefined).map((p) => p.role)).toEqual(['bot']);
    expect(view.history.some((h) => 'detail' in h && /only the bot is left/.test(h.detail))).toBe(true);
    await rig.calls.hangUp(callerId);
    await rig.receiver.waitFor(isState(callerId, 'terminated'), 'the bot hangs up');
  });
});
