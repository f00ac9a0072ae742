/**
 * A call that became a group call (issue 24): its roster, and what Graph tells the bot about it.
 *
 * As documented (microsoft-graph-docs-contrib, api-reference/v1.0):
 * - participant-invite.md: inviting into an active call makes it a group call; with `replacesCallId` the invitee
 *   moves in from their peer-to-peer call with the bot, which then ends ("you can expect to receive notifications on
 *   how your original peer-to-peer call has been terminated and deleted"); when the invite succeeds "all participants
 *   will receive a roster update": `updated` on …/participants, resourceData an array of #microsoft.graph.participant.
 *   The docs' examples show only the changed participants and say they "might be shortened"; the emulator sends the
 *   whole roster each time, which a reader of either must handle.
 * - participant-mute.md: a server mute, group calls only, 200 with a completed muteParticipantOperation, then a roster
 *   update where the participant `isMuted`.
 * - participant-delete.md: 204; an active participant "is immediately dropped from the call with no pre- or
 *   post-removal notification" (to them); the others get the roster without them.
 * - call-list-participants.md: GET …/participants → { value: [participant] }.
 * - Prompts (call-playprompt.md) go to the call, so in a group call every participant hears them.
 * - The bot's own leg: nothing in the docs ends a group call when the people leave; the bot stays, alone, until it
 *   hangs up (call-delete.md) or its keepAlive lapses (call-keepalive.md). The emulator logs it and keeps the call.
 */
import { randomUUID } from 'node:crypto';
import { GraphHttpError, badRequest } from '../graph-error.js';
import { stripUndefined } from '../json.js';
import type { EmulatedCall, OperationStarted, RosterEntry } from './emulated-call.js';
import type { CallRegistry } from './registry.js';
import { TEARDOWN_DELAY_MS } from './timing.js';

export type RosterView = Omit<RosterEntry, 'identity'>;

export class Conference {
  constructor(private readonly calls: CallRegistry) {}

  /** The participants still in the call. */
  present(call: EmulatedCall): RosterEntry[] {
    return (call.roster ?? []).filter((p) => p.leftAt === undefined);
  }

  /** The first invite makes a peer-to-peer call a group call: its roster is the caller and the bot. */
  escalate(call: EmulatedCall): void {
    if (call.roster) return;
    const now = new Date().toISOString();
    const { clientId, botDisplayName } = this.calls.options;
    call.roster = [
      {
        id: randomUUID(),
        role: 'caller',
        identity: (call.source['identity'] as Record<string, unknown> | undefined) ?? {},
        muted: false,
        joinedAt: call.createdAt,
        promptsHeard: 0,
      },
      {
        id: call.myParticipantId,
        role: 'bot',
        identity: {
          '@odata.type': '#microsoft.graph.identitySet',
          application: { '@odata.type': '#microsoft.graph.identity', id: clientId, displayName: botDisplayName },
        },
        muted: false,
        joinedAt: now,
        promptsHeard: 0,
      },
    ];
    this.calls.log(call, 'call', 'escalates to a group call (participants/invite)');
  }

  /** A Teams user joins: added to the roster, on a call (presence Busy), and every participant is told. */
  join(call: EmulatedCall, userId: string, identity: Record<string, unknown>): RosterEntry {
    this.escalate(call);
    const entry: RosterEntry = {
      id: randomUUID(),
      role: 'agent',
      identity,
      userId,
      muted: false,
      joinedAt: new Date().toISOString(),
      promptsHeard: 0,
    };
    call.roster!.push(entry);
    call.agentsOnCall.add(userId);
    this.calls.deps.agents.setOnCall(userId, call.id, true);
    this.calls.log(call, 'agent', `${userId} joins the group call`);
    this.notifyRoster(call);
    // They talk for their script's talk time, then hang up (leave the group call).
    const talkMs = this.calls.deps.agents.script(userId).talkMs;
    this.calls.after(call, talkMs, () => this.leave(call, entry.id, `${userId} hangs up`));
    return entry;
  }

  /** A participant leaves (hangs up, or removed): the others get the roster without them. */
  leave(call: EmulatedCall, participantId: string, why: string): void {
    const entry = this.present(call).find((p) => p.id === participantId);
    if (!entry || call.state === 'terminated') return;
    entry.leftAt = new Date().toISOString();
    if (entry.userId) {
      call.agentsOnCall.delete(entry.userId);
      this.calls.deps.agents.setOnCall(entry.userId, call.id, false);
    }
    this.calls.log(call, entry.role === 'caller' ? 'caller' : 'agent', why);
    this.notifyRoster(call);
    const people = this.present(call).filter((p) => p.role !== 'bot');
    if (entry.role === 'caller')
      // With the caller gone, each agent has nobody to talk to and hangs up a moment later.
      for (const p of people)
        this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), () =>
          this.leave(call, p.id, `${p.userId ?? p.id} hangs up: the caller has left`),
        );
    if (people.length === 0)
      this.calls.log(call, 'call', 'only the bot is left in the call: it stays until it hangs up or keepAlive lapses');
  }

  /** The caller hangs up a group call: they leave it; it does not end (the bot and any agent are still in it). */
  callerLeaves(call: EmulatedCall): void {
    const caller = this.present(call).find((p) => p.role === 'caller');
    if (caller) this.leave(call, caller.id, 'hangs up (leaves the group call)');
  }

  /** Every participant present hears a prompt that has played. */
  promptPlayed(call: EmulatedCall): void {
    const present = this.present(call);
    if (!call.roster) return;
    for (const p of present) p.promptsHeard++;
    this.calls.log(call, 'media', `the prompt was heard by ${present.map((p) => p.userId ?? p.role).join(', ')}`);
  }

  /** GET …/participants (call-list-participants.md). A peer-to-peer call lists its two parties. */
  list(callId: string): Record<string, unknown> {
    const call = this.calls.live(callId);
    const roster = call.roster ? this.present(call) : [];
    return {
      '@odata.context': `${this.calls.options.baseUrl()}/v1.0/$metadata#communications/calls('${call.id}')/participants`,
      value: roster.map((p) => participantJson(p)),
    };
  }

  /** POST …/participants/{id}/mute (participant-mute.md): group calls only; completes at once. */
  mute(callId: string, participantId: string, clientContext: string | undefined): OperationStarted {
    const call = this.calls.live(callId);
    if (!call.roster) throw badRequest('mute is only supported for group calls.');
    const entry = this.present(call).find((p) => p.id === participantId);
    if (!entry) throw participantNotFound(participantId);
    entry.muted = true;
    this.calls.log(call, 'agent', `${entry.userId ?? entry.role} is muted by the bot`);
    const id = randomUUID();
    call.operations.set(id, {
      id,
      type: 'muteParticipant',
      status: 'completed',
      ...(clientContext !== undefined ? { clientContext } : {}),
    });
    this.notifyRoster(call);
    return {
      location: `${call.resourceUrl}/operations/${id}`,
      body: stripUndefined({
        '@odata.type': '#microsoft.graph.muteParticipantOperation',
        id,
        status: 'completed',
        clientContext,
      }),
    };
  }

  /** DELETE …/participants/{id} (participant-delete.md). */
  remove(callId: string, participantId: string): void {
    const call = this.calls.live(callId);
    const entry = call.roster ? this.present(call).find((p) => p.id === participantId) : undefined;
    if (!entry) throw participantNotFound(participantId);
    if (entry.role === 'bot') throw badRequest('The bot cannot remove itself; DELETE the call to leave it.');
    this.leave(call, entry.id, `${entry.userId ?? entry.role} is removed by the bot`);
  }

  notifyRoster(call: EmulatedCall): void {
    this.calls.notifyParticipants(
      call,
      this.present(call).map((p) => participantJson(p)),
    );
  }

  view(call: EmulatedCall): RosterView[] | undefined {
    return call.roster?.map(({ identity: _identity, ...rest }) => ({ ...rest }));
  }
}

/** A #microsoft.graph.participant as resources/participant.md and the roster examples show it. */
export function participantJson(p: RosterEntry): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.participant',
    id: p.id,
    info: { '@odata.type': '#microsoft.graph.participantInfo', identity: p.identity, endpointType: 'default' },
    mediaStreams: [
      {
        '@odata.type': '#microsoft.graph.mediaStream',
        mediaType: 'audio',
        sourceId: '1',
        direction: 'sendReceive',
        serverMuted: p.muted,
      },
    ],
    isMuted: p.muted,
    isInLobby: false,
  };
}

function participantNotFound(participantId: string): GraphHttpError {
  return new GraphHttpError(404, 'itemNotFound', `Participant ${participantId} not found in the call.`);
}
