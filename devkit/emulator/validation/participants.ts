/** The body of participants/invite (participant-invite.md). */
import { badRequest } from '../graph-error.js';
import { checkClientContext, checkInvitationParticipant, requireBody, type ParticipantTarget } from './common.js';

export const MAX_INVITE_PARTICIPANTS = 5;

export interface InviteRequest {
  participants: (ParticipantTarget & { replacesCallId?: string })[];
  clientContext?: string;
}

export function validateInvite(raw: unknown): InviteRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const participants = body['participants'];
  if (participants === undefined || participants === null)
    throw badRequest("Missing required property 'participants'.");
  if (!Array.isArray(participants) || participants.length === 0)
    throw badRequest("Invalid value for 'participants': a non-empty array is required.");
  if (participants.length > MAX_INVITE_PARTICIPANTS)
    throw badRequest(
      `Invalid value for 'participants': at most ${MAX_INVITE_PARTICIPANTS} participants can be invited at once.`,
    );
  const parsed = participants.map((p, i) => checkInvitationParticipant(p, `participants[${i}]`));
  if (parsed.length > 1 && parsed.some((p) => p.replacesCallId))
    throw badRequest("Only one participant can be invited with 'replacesCallId'.");
  return { participants: parsed, ...(clientContext !== undefined ? { clientContext } : {}) };
}

/** The body of participants/{id}/mute (participant-mute.md): `clientContext` only, at most 256 characters. */
export function validateMuteParticipant(raw: unknown): { clientContext?: string } {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const unknown = Object.keys(body).filter((k) => k !== 'clientContext');
  if (unknown.length > 0) throw badRequest(`Unknown property '${unknown[0]}' in the mute request.`);
  return clientContext !== undefined ? { clientContext } : {};
}
