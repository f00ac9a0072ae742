/**
 * What every emulated Graph request body is checked for, following the v1.0 docs: a JSON object, https URIs,
 * clientContext, mediaInfo and invitationParticipantInfo. Every failure is a GraphHttpError 400 BadRequest naming the
 * offending property.
 */
import { badRequest } from '../graph-error.js';
import { isE164 } from '../../../src/phone/number.js';

export type Json = Record<string, unknown>;

export const MODALITIES = ['audio', 'video', 'videoBasedScreenSharing'] as const;
export const ENDPOINT_TYPES = [
  'default',
  'voicemail',
  'skypeForBusiness',
  'skypeForBusinessVoipPhone',
  'unknownFutureValue',
];
/**
 * A phone identity's id: E.164, as Graph's pages write it (call-transfer.md and application-post-calls.md: the target's
 * `identity.phone.id`, e.g. +12345678901). Checked by libphonenumber-js (src/phone/number.ts): '+', a country code that
 * exists and a number of a possible length for it, so the emulator refuses +999… or +4420 as well as 4255550100.
 */
export const E164 = { test: (value: string): boolean => isE164(value) };
const MAX_CLIENT_CONTEXT = 256;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** OData accepts the type name with or without '#'. */
export function odataTypeIs(v: unknown, name: string): boolean {
  return typeof v === 'string' && v.replace(/^#/, '').toLowerCase() === name.toLowerCase();
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Graph requires https callback and media URIs; the emulator also accepts http on loopback. */
export function checkUri(value: unknown, property: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw badRequest(`Invalid value for '${property}': a URI string is required.`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw badRequest(`Invalid value for '${property}': '${value}' is not an absolute URI.`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
    throw badRequest(
      `Invalid value for '${property}': '${value}' must be an https URI (http is accepted only on loopback by the emulator).`,
    );
  }
  return value;
}

export function checkClientContext(body: Json): string | undefined {
  const cc = body['clientContext'];
  if (cc === undefined || cc === null) return undefined;
  if (typeof cc !== 'string') throw badRequest("Invalid value for 'clientContext': must be a string.");
  if (cc.length > MAX_CLIENT_CONTEXT)
    throw badRequest(
      `Invalid value for 'clientContext': ${cc.length} characters, the maximum is ${MAX_CLIENT_CONTEXT}.`,
    );
  return cc;
}

export function requireBody(body: unknown): Json {
  if (!isObject(body)) throw badRequest('The request body is missing or is not a JSON object.');
  return body;
}

export interface MediaRef {
  uri: string;
  resourceId?: string;
}

export function checkMediaInfo(v: unknown, property: string): MediaRef {
  if (!isObject(v)) throw badRequest(`Invalid value for '${property}': a mediaInfo object is required.`);
  if (v['@odata.type'] !== undefined && !odataTypeIs(v['@odata.type'], 'microsoft.graph.mediaInfo')) {
    throw badRequest(`Invalid value for '${property}.@odata.type': expected '#microsoft.graph.mediaInfo'.`);
  }
  const uri = checkUri(v['uri'], `${property}.uri`);
  const resourceId = v['resourceId'];
  if (resourceId !== undefined && resourceId !== null && typeof resourceId !== 'string') {
    throw badRequest(`Invalid value for '${property}.resourceId': must be a string.`);
  }
  return { uri, ...(typeof resourceId === 'string' ? { resourceId } : {}) };
}

export type ParticipantTarget = { userId: string; displayName?: string } | { phone: string };

/** One invitationParticipantInfo with a user or phone identity. */
export function checkInvitationParticipant(
  t: unknown,
  property: string,
): ParticipantTarget & { replacesCallId?: string } {
  if (!isObject(t))
    throw badRequest(`Invalid value for '${property}': an invitationParticipantInfo object is required.`);
  if (t['@odata.type'] !== undefined && !odataTypeIs(t['@odata.type'], 'microsoft.graph.invitationParticipantInfo')) {
    throw badRequest(
      `Invalid value for '${property}.@odata.type': expected '#microsoft.graph.invitationParticipantInfo'.`,
    );
  }
  const endpointType = t['endpointType'];
  if (
    endpointType !== undefined &&
    endpointType !== null &&
    (typeof endpointType !== 'string' || !ENDPOINT_TYPES.includes(endpointType))
  ) {
    throw badRequest(
      `Invalid value '${String(endpointType)}' for '${property}.endpointType': possible values are ${ENDPOINT_TYPES.join(', ')}.`,
    );
  }
  const identity = t['identity'];
  if (!isObject(identity)) throw badRequest(`Missing required property '${property}.identity'.`);
  const kinds = ['user', 'phone', 'application', 'applicationInstance', 'guest', 'device'].filter(
    (k) => identity[k] !== undefined && identity[k] !== null,
  );
  if (kinds.length !== 1)
    throw badRequest(`Invalid value for '${property}.identity': exactly one identity is required.`);
  const kind = kinds[0]!;
  const ident = identity[kind];
  if (!isObject(ident) || typeof ident['id'] !== 'string' || ident['id'].length === 0)
    throw badRequest(`Missing required property '${property}.identity.${kind}.id'.`);
  const replaces = t['replacesCallId'];
  if (replaces !== undefined && replaces !== null && (typeof replaces !== 'string' || replaces.length === 0)) {
    throw badRequest(`Invalid value for '${property}.replacesCallId': must be a call id string.`);
  }
  const extra = typeof replaces === 'string' ? { replacesCallId: replaces } : {};
  if (kind === 'user') {
    const displayName = typeof ident['displayName'] === 'string' ? ident['displayName'] : undefined;
    return { userId: ident['id'], ...(displayName ? { displayName } : {}), ...extra };
  }
  if (kind === 'phone') {
    if (!E164.test(ident['id']))
      throw badRequest(
        `Invalid value '${ident['id']}' for '${property}.identity.phone.id': the phone number must be in E.164 format, e.g. +12345678901.`,
      );
    return { phone: ident['id'], ...extra };
  }
  throw badRequest(`A ${kind} identity in '${property}' is not supported by the emulator; use a user or a phone.`);
}
