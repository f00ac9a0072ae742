/**
 * Roster notifications read into RosterParticipant (src/contracts/graph-call.ts). Graph sends `changeType: updated`
 * on …/participants with resourceData an array of #microsoft.graph.participant (participant-invite.md,
 * participant-mute.md, resources/participant.md); one documented example puts it under …/operations/participants.
 * What reaches Temporal is this reading only: a phone party is kept by kind, never by number.
 */
import type { RosterParticipant } from '../contracts/graph-call.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Whether resourceData holds participants (by their @odata.type, any casing, with or without '#microsoft.graph.'). */
export function isRoster(rawData: unknown): boolean {
  const items = Array.isArray(rawData) ? rawData : [rawData];
  return items.length > 0 && items.every((p) => isObject(p) && /(^|\.)participant$/i.test(typeOfParticipant(p)));
}

function typeOfParticipant(v: Json): string {
  const key = Object.keys(v).find((k) => /^@?odata\.type$/i.test(k));
  return (key === undefined ? '' : (str(v[key]) ?? '')).replace(/^#/, '');
}

/** The participants of a roster notification's resourceData (an array, or one participant). */
export function parseRoster(rawData: unknown): RosterParticipant[] {
  const items = Array.isArray(rawData) ? rawData : [rawData];
  return items.filter(isObject).map(parseParticipant);
}

function parseParticipant(p: Json): RosterParticipant {
  const info = isObject(p.info) ? p.info : {};
  const identity = isObject(info.identity) ? info.identity : {};
  let kind: RosterParticipant['kind'] = 'unknown';
  let userId: string | undefined;
  if (isObject(identity.user) && str(identity.user.id)) {
    kind = 'user';
    userId = str(identity.user.id);
  } else if (isObject(identity.phone)) kind = 'phone';
  else if (isObject(identity.application) || isObject(identity.applicationInstance)) kind = 'application';
  const streams = Array.isArray(p.mediaStreams) ? p.mediaStreams.filter(isObject) : [];
  const audio = streams.find((s) => String(s.mediaType ?? '').toLowerCase() === 'audio');
  return {
    ...(str(p.id) ? { id: str(p.id) } : {}),
    kind,
    ...(userId ? { userId } : {}),
    muted: p.isMuted === true || audio?.serverMuted === true,
    inLobby: p.isInLobby === true,
  };
}
