/**
 * A group call's participants, as the call workflow asks for them in conference mode (issue 24; implemented by
 * activities/participants.ts). Each is one Graph request; a refusal that cannot succeed on retry is non-retryable.
 */
import type { RosterParticipant } from '../graph-call.js';

export interface ParticipantActivities {
  /**
   * POST …/participants/invite (participant-invite.md) with one participant, a Teams user. With `replacesCallId`
   * (a peer-to-peer call the bot has with them) they move from that call into this one, which becomes a group call,
   * and the replaced call ends; without it, Graph rings them. The operation's end and the roster come as
   * notifications.
   */
  inviteParticipant(input: {
    callId: string;
    userId: string;
    clientContext: string;
    replacesCallId?: string;
  }): Promise<{ operationId: string }>;
  /** GET …/participants (call-list-participants.md): the roster now, when a roster notification may have been lost. */
  listParticipants(input: { callId: string }): Promise<RosterParticipant[]>;
  /** POST …/participants/{id}/mute (participant-mute.md): a server mute; group calls only. */
  muteParticipant(input: { callId: string; participantId: string; clientContext: string }): Promise<void>;
  /** DELETE …/participants/{id} (participant-delete.md): drops them from the call. */
  removeParticipant(input: { callId: string; participantId: string }): Promise<void>;
}
