/**
 * The body of a call the bot places (application-post-calls.md): one target, service-hosted media, and for a phone a
 * resource account.
 */
import { badRequest } from '../graph-error.js';
import {
  checkInvitationParticipant,
  checkMediaInfo,
  checkUri,
  isObject,
  MODALITIES,
  odataTypeIs,
  requireBody,
} from './common.js';
import type { MediaRef, ParticipantTarget } from './common.js';

export interface CreateCallRequest {
  callbackUri: string;
  targets: ParticipantTarget[];
  source?: { applicationInstanceId?: string; applicationId?: string; displayName?: string };
  tenantId?: string;
  preFetchMedia: MediaRef[];
}

export function validateCreateCall(raw: unknown, botAppId: string): CreateCallRequest {
  const body = requireBody(raw);
  if (body['@odata.type'] !== undefined && !odataTypeIs(body['@odata.type'], 'microsoft.graph.call')) {
    throw badRequest("Invalid value for '@odata.type': expected '#microsoft.graph.call'.");
  }
  if (body['callbackUri'] === undefined || body['callbackUri'] === null)
    throw badRequest("Missing required property 'callbackUri'.");
  const callbackUri = checkUri(body['callbackUri'], 'callbackUri');
  const targets = body['targets'];
  if (targets === undefined || targets === null) throw badRequest("Missing required property 'targets'.");
  if (!Array.isArray(targets) || targets.length === 0)
    throw badRequest("Invalid value for 'targets': a non-empty array is required.");
  if (targets.length > 1)
    throw badRequest("Group calls are not supported by the emulator: 'targets' must hold one participant.");
  const parsed = targets.map((t, i) => checkInvitationParticipant(t, `targets[${i}]`));
  const modalities = body['requestedModalities'];
  if (modalities === undefined || modalities === null)
    throw badRequest("Missing required property 'requestedModalities'.");
  if (!Array.isArray(modalities) || modalities.length === 0)
    throw badRequest("Invalid value for 'requestedModalities': a non-empty array is required.");
  for (const m of modalities) {
    if (typeof m !== 'string' || !(MODALITIES as readonly string[]).includes(m))
      throw badRequest(
        `Invalid value '${String(m)}' for 'requestedModalities': possible values are ${MODALITIES.join(', ')}.`,
      );
  }
  const mediaConfig = body['mediaConfig'];
  if (!isObject(mediaConfig)) throw badRequest("Missing required property 'mediaConfig'.");
  if (!odataTypeIs(mediaConfig['@odata.type'], 'microsoft.graph.serviceHostedMediaConfig')) {
    throw badRequest(
      "Invalid value for 'mediaConfig.@odata.type': the emulator supports '#microsoft.graph.serviceHostedMediaConfig'.",
    );
  }
  const pre = mediaConfig['preFetchMedia'];
  const preFetchMedia = Array.isArray(pre)
    ? pre.map((m, i) => checkMediaInfo(m, `mediaConfig.preFetchMedia[${i}]`))
    : [];
  let source: CreateCallRequest['source'];
  const rawSource = body['source'];
  if (rawSource !== undefined && rawSource !== null) {
    if (!isObject(rawSource) || !isObject(rawSource['identity']))
      throw badRequest("Invalid value for 'source': a participantInfo with an identity is required.");
    const identity = rawSource['identity'];
    const inst = identity['applicationInstance'];
    const app = identity['application'];
    if (isObject(inst)) {
      if (typeof inst['id'] !== 'string' || !inst['id'])
        throw badRequest("Missing required property 'source.identity.applicationInstance.id'.");
      source = {
        applicationInstanceId: inst['id'],
        ...(typeof inst['displayName'] === 'string' ? { displayName: inst['displayName'] } : {}),
      };
    } else if (isObject(app)) {
      if (app['id'] !== botAppId)
        throw badRequest("Invalid value for 'source.identity.application.id': it must be the calling app's own id.");
      source = { applicationId: botAppId };
    } else {
      throw badRequest(
        "Invalid value for 'source.identity': an application or applicationInstance identity is required.",
      );
    }
  }
  const tenantId = body['tenantId'];
  if (tenantId !== undefined && tenantId !== null && (typeof tenantId !== 'string' || !tenantId))
    throw badRequest("Invalid value for 'tenantId': a string is required.");
  if (parsed.some((t) => 'phone' in t)) {
    // application-post-calls.md, PSTN example: a resource account (application instance) source and the tenant id.
    if (!source?.applicationInstanceId)
      throw badRequest(
        "A call to a phone number needs 'source.identity.applicationInstance' (a resource account with a phone number).",
      );
    if (typeof tenantId !== 'string')
      throw badRequest("Missing required property 'tenantId': it is required for a call to a phone number.");
  }
  return {
    callbackUri,
    targets: parsed.map(({ replacesCallId: _r, ...t }) => t),
    ...(source ? { source } : {}),
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
    preFetchMedia,
  };
}
