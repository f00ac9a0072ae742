/**
 * POST /communications/getPresencesByUserId (cloudcommunications-getpresencesbyuserid.md):
 * body `{ ids: string[] }` (1..650 user object ids), answer 200 `{ value: presence[] }` with
 * `id`, `availability` and `activity` of each user, from the agents' scripted presence.
 * An agent on a call shows Busy / InACall whatever the script says.
 */
import { badRequest, GraphHttpError } from './graph-error.js';
import type { AgentDirectory } from './people.js';
import { requireBody } from './validation/common.js';

export const MAX_PRESENCE_IDS = 650;

export const AVAILABILITY = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
] as const;
export const ACTIVITY = [
  'Available',
  'Away',
  'BeRightBack',
  'Busy',
  'DoNotDisturb',
  'InACall',
  'InAConferenceCall',
  'Inactive',
  'InAMeeting',
  'Offline',
  'OffWork',
  'OutOfOffice',
  'PresenceUnknown',
  'Presenting',
  'UrgentInterruptionsOnly',
] as const;
export type Availability = (typeof AVAILABILITY)[number];
export type Activity = (typeof ACTIVITY)[number];

export function validateGetPresences(raw: unknown): string[] {
  const body = requireBody(raw);
  for (const k of Object.keys(body)) {
    if (k !== 'ids')
      throw badRequest(`The property '${k}' does not exist on type 'microsoft.graph.getPresencesByUserId'.`);
  }
  const ids = body['ids'];
  if (ids === undefined || ids === null) throw badRequest("Missing required property 'ids'.");
  if (!Array.isArray(ids)) throw badRequest("Invalid value for 'ids': an array of user ids is required.");
  if (ids.length === 0) throw badRequest("Invalid value for 'ids': at least one id is required.");
  if (ids.length > MAX_PRESENCE_IDS) {
    throw new GraphHttpError(
      400,
      'BadRequest',
      `Invalid value for 'ids': ${ids.length} ids, the maximum is ${MAX_PRESENCE_IDS}.`,
    );
  }
  for (const id of ids) {
    if (typeof id !== 'string' || id.length === 0)
      throw badRequest("Invalid value for 'ids': every id must be a non-empty string.");
  }
  return [...new Set(ids as string[])];
}

export function presences(agents: AgentDirectory, ids: string[]): { value: Record<string, unknown>[] } {
  return {
    value: ids.map((id) => {
      const p = agents.presence(id);
      return { '@odata.type': '#microsoft.graph.presence', id, availability: p.availability, activity: p.activity };
    }),
  };
}
