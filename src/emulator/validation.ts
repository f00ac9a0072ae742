/**
 * Request-body validation for the emulated Graph calling actions, following the v1.0 docs
 * (call-answer.md, call-playprompt.md, call-cancelmediaprocessing.md, call-transfer.md).
 * Every failure is a GraphHttpError 400 BadRequest naming the offending property.
 */
import { badRequest } from './graph-error.js';

type Json = Record<string, unknown>;

const MODALITIES = ['audio', 'video', 'videoBasedScreenSharing'] as const;
const ENDPOINT_TYPES = ['default', 'voicemail', 'skypeForBusiness', 'skypeForBusinessVoipPhone', 'unknownFutureValue'];
export const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_CLIENT_CONTEXT = 256;
const MAX_PROMPTS = 20;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** OData accepts the type name with or without '#'. */
function odataTypeIs(v: unknown, name: string): boolean {
  return typeof v === 'string' && v.replace(/^#/, '').toLowerCase() === name.toLowerCase();
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Graph requires https callback and media URIs; the emulator also accepts http on loopback. */
function checkUri(value: unknown, property: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`Invalid value for '${property}': a URI string is required.`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw badRequest(`Invalid value for '${property}': '${value}' is not an absolute URI.`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
    throw badRequest(`Invalid value for '${property}': '${value}' must be an https URI (http is accepted only on loopback by the emulator).`);
  }
  return value;
}

function checkClientContext(body: Json): string | undefined {
  const cc = body['clientContext'];
  if (cc === undefined || cc === null) return undefined;
  if (typeof cc !== 'string') throw badRequest("Invalid value for 'clientContext': must be a string.");
  if (cc.length > MAX_CLIENT_CONTEXT) throw badRequest(`Invalid value for 'clientContext': ${cc.length} characters, the maximum is ${MAX_CLIENT_CONTEXT}.`);
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

function checkMediaInfo(v: unknown, property: string): MediaRef {
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

export interface AnswerRequest {
  callbackUri?: string;
  acceptedModalities: string[];
  preFetchMedia: MediaRef[];
}

export function validateAnswer(raw: unknown): AnswerRequest {
  const body = requireBody(raw);
  // callbackUri is optional: without it Graph uses the bot's global callback URI (call-answer.md).
  const callbackUri = body['callbackUri'] === undefined || body['callbackUri'] === null ? undefined : checkUri(body['callbackUri'], 'callbackUri');

  const modalities = body['acceptedModalities'];
  if (modalities === undefined || modalities === null) throw badRequest("Missing required property 'acceptedModalities'.");
  if (!Array.isArray(modalities) || modalities.length === 0) throw badRequest("Invalid value for 'acceptedModalities': a non-empty array is required.");
  for (const m of modalities) {
    if (typeof m !== 'string' || !(MODALITIES as readonly string[]).includes(m)) {
      throw badRequest(`Invalid value '${String(m)}' for 'acceptedModalities': possible values are ${MODALITIES.join(', ')}.`);
    }
  }

  const mediaConfig = body['mediaConfig'];
  if (mediaConfig === undefined || mediaConfig === null) throw badRequest("Missing required property 'mediaConfig'.");
  if (!isObject(mediaConfig)) throw badRequest("Invalid value for 'mediaConfig': an object is required.");
  const type = mediaConfig['@odata.type'];
  if (odataTypeIs(type, 'microsoft.graph.appHostedMediaConfig')) {
    throw badRequest("appHostedMediaConfig is not supported by the emulator; use '#microsoft.graph.serviceHostedMediaConfig'.");
  }
  if (!odataTypeIs(type, 'microsoft.graph.serviceHostedMediaConfig')) {
    throw badRequest("Invalid value for 'mediaConfig.@odata.type': expected '#microsoft.graph.serviceHostedMediaConfig' or '#microsoft.graph.appHostedMediaConfig'.");
  }
  const pre = mediaConfig['preFetchMedia'];
  let preFetchMedia: MediaRef[] = [];
  if (pre !== undefined && pre !== null) {
    if (!Array.isArray(pre)) throw badRequest("Invalid value for 'mediaConfig.preFetchMedia': an array is required.");
    preFetchMedia = pre.map((m, i) => checkMediaInfo(m, `mediaConfig.preFetchMedia[${i}]`));
  }
  const capacity = body['participantCapacity'];
  if (capacity !== undefined && capacity !== null && !(Number.isInteger(capacity) && (capacity as number) > 0)) {
    throw badRequest("Invalid value for 'participantCapacity': a positive integer is required.");
  }
  if (body['callOptions'] !== undefined && body['callOptions'] !== null && !isObject(body['callOptions'])) {
    throw badRequest("Invalid value for 'callOptions': an object is required.");
  }
  return { ...(callbackUri ? { callbackUri } : {}), acceptedModalities: modalities as string[], preFetchMedia };
}

export interface PlayPromptRequest {
  prompts: MediaRef[];
  clientContext?: string;
}

export function validatePlayPrompt(raw: unknown): PlayPromptRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const prompts = body['prompts'];
  if (prompts === undefined || prompts === null) throw badRequest("Missing required property 'prompts'.");
  if (!Array.isArray(prompts)) throw badRequest("Invalid value for 'prompts': an array is required.");
  if (prompts.length === 0) throw badRequest("Invalid value for 'prompts': at least one prompt is required.");
  if (prompts.length > MAX_PROMPTS) throw badRequest(`Invalid value for 'prompts': ${prompts.length} prompts, the maximum supported collection size is ${MAX_PROMPTS}.`);
  const refs = prompts.map((p, i) => {
    if (!isObject(p)) throw badRequest(`Invalid value for 'prompts[${i}]': a mediaPrompt object is required.`);
    if (!odataTypeIs(p['@odata.type'], 'microsoft.graph.mediaPrompt')) {
      throw badRequest(`Invalid value for 'prompts[${i}].@odata.type': expected '#microsoft.graph.mediaPrompt'.`);
    }
    return checkMediaInfo(p['mediaInfo'], `prompts[${i}].mediaInfo`);
  });
  return { prompts: refs, ...(clientContext !== undefined ? { clientContext } : {}) };
}

export function validateCancelMediaProcessing(raw: unknown): { clientContext?: string } {
  const body = raw === undefined || raw === null ? {} : requireBody(raw);
  const clientContext = checkClientContext(body);
  return clientContext !== undefined ? { clientContext } : {};
}

export interface TransferRequest {
  target: { userId: string; displayName?: string } | { phone: string };
  endpointType?: string;
  replacesCallId?: string;
  clientContext?: string;
}

export function validateTransfer(raw: unknown): TransferRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const t = body['transferTarget'];
  if (t === undefined || t === null) throw badRequest("Missing required property 'transferTarget'.");
  if (!isObject(t)) throw badRequest("Invalid value for 'transferTarget': an invitationParticipantInfo object is required.");
  if (t['@odata.type'] !== undefined && !odataTypeIs(t['@odata.type'], 'microsoft.graph.invitationParticipantInfo')) {
    throw badRequest("Invalid value for 'transferTarget.@odata.type': expected '#microsoft.graph.invitationParticipantInfo'.");
  }
  const endpointType = t['endpointType'];
  if (endpointType !== undefined && endpointType !== null && (typeof endpointType !== 'string' || !ENDPOINT_TYPES.includes(endpointType))) {
    throw badRequest(`Invalid value '${String(endpointType)}' for 'transferTarget.endpointType': possible values are ${ENDPOINT_TYPES.join(', ')}.`);
  }
  const identity = t['identity'];
  if (!isObject(identity)) throw badRequest("Missing required property 'transferTarget.identity'.");
  const kinds = ['user', 'phone', 'application', 'applicationInstance', 'guest', 'device'].filter((k) => identity[k] !== undefined && identity[k] !== null);
  if (kinds.length !== 1) throw badRequest("Invalid value for 'transferTarget.identity': exactly one of 'user' or 'phone' is required.");
  const kind = kinds[0]!;
  const ident = identity[kind];
  if (!isObject(ident) || typeof ident['id'] !== 'string' || ident['id'].length === 0) {
    throw badRequest(`Missing required property 'transferTarget.identity.${kind}.id'.`);
  }
  let target: TransferRequest['target'];
  if (kind === 'user') {
    const displayName = typeof ident['displayName'] === 'string' ? ident['displayName'] : undefined;
    target = { userId: ident['id'], ...(displayName ? { displayName } : {}) };
  } else if (kind === 'phone') {
    if (!E164.test(ident['id'])) throw badRequest(`Invalid value '${ident['id']}' for 'transferTarget.identity.phone.id': the phone number must be in E.164 format, e.g. +12345678901.`);
    target = { phone: ident['id'] };
  } else {
    throw badRequest(`Transfer to a ${kind} identity is not supported; use a user or a phone.`);
  }
  const replaces = t['replacesCallId'];
  if (replaces !== undefined && replaces !== null && (typeof replaces !== 'string' || replaces.length === 0)) {
    throw badRequest("Invalid value for 'transferTarget.replacesCallId': must be a call id string.");
  }
  const transferee = body['transferee'];
  if (transferee !== undefined && transferee !== null && (!isObject(transferee) || !isObject(transferee['identity']))) {
    throw badRequest("Invalid value for 'transferee': a participantInfo object with an identity is required.");
  }
  return {
    target,
    ...(typeof endpointType === 'string' ? { endpointType } : {}),
    ...(typeof replaces === 'string' ? { replacesCallId: replaces } : {}),
    ...(clientContext !== undefined ? { clientContext } : {}),
  };
}

// ------------------------------------------------------------------ reject, redirect, recordResponse,
// subscribeToTone, create call, invite (call-reject.md, call-redirect.md, call-record.md,
// call-subscribetotone.md, application-post-calls.md, participant-invite.md)

const REJECT_REASONS = ['none', 'busy', 'forbidden', 'unknownFutureValue'];
export const MAX_REDIRECT_TARGETS = 25;
export const MAX_INVITE_PARTICIPANTS = 5;
const DTMF = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];

export function validateReject(raw: unknown): { reason: string; callbackUri?: string } {
  const body = raw === undefined || raw === null ? {} : requireBody(raw);
  const reason = body['reason'] ?? 'none';
  if (typeof reason !== 'string' || !REJECT_REASONS.includes(reason)) {
    throw badRequest(`Invalid value '${String(reason)}' for 'reason': possible values are none, busy, forbidden.`);
  }
  const callbackUri = body['callbackUri'] === undefined || body['callbackUri'] === null ? undefined : checkUri(body['callbackUri'], 'callbackUri');
  return { reason, ...(callbackUri ? { callbackUri } : {}) };
}

export type ParticipantTarget = { userId: string; displayName?: string } | { phone: string };

/** One invitationParticipantInfo with a user or phone identity. */
function checkInvitationParticipant(t: unknown, property: string): ParticipantTarget & { replacesCallId?: string } {
  if (!isObject(t)) throw badRequest(`Invalid value for '${property}': an invitationParticipantInfo object is required.`);
  if (t['@odata.type'] !== undefined && !odataTypeIs(t['@odata.type'], 'microsoft.graph.invitationParticipantInfo')) {
    throw badRequest(`Invalid value for '${property}.@odata.type': expected '#microsoft.graph.invitationParticipantInfo'.`);
  }
  const endpointType = t['endpointType'];
  if (endpointType !== undefined && endpointType !== null && (typeof endpointType !== 'string' || !ENDPOINT_TYPES.includes(endpointType))) {
    throw badRequest(`Invalid value '${String(endpointType)}' for '${property}.endpointType': possible values are ${ENDPOINT_TYPES.join(', ')}.`);
  }
  const identity = t['identity'];
  if (!isObject(identity)) throw badRequest(`Missing required property '${property}.identity'.`);
  const kinds = ['user', 'phone', 'application', 'applicationInstance', 'guest', 'device'].filter((k) => identity[k] !== undefined && identity[k] !== null);
  if (kinds.length !== 1) throw badRequest(`Invalid value for '${property}.identity': exactly one identity is required.`);
  const kind = kinds[0]!;
  const ident = identity[kind];
  if (!isObject(ident) || typeof ident['id'] !== 'string' || ident['id'].length === 0) throw badRequest(`Missing required property '${property}.identity.${kind}.id'.`);
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
    if (!E164.test(ident['id'])) throw badRequest(`Invalid value '${ident['id']}' for '${property}.identity.phone.id': the phone number must be in E.164 format, e.g. +12345678901.`);
    return { phone: ident['id'], ...extra };
  }
  throw badRequest(`A ${kind} identity in '${property}' is not supported by the emulator; use a user or a phone.`);
}

export interface RedirectRequest {
  targets: ParticipantTarget[];
  timeoutSeconds: number;
  callbackUri?: string;
}

export function validateRedirect(raw: unknown): RedirectRequest {
  const body = requireBody(raw);
  const targets = body['targets'];
  if (targets === undefined || targets === null) throw badRequest("Missing required property 'targets'.");
  if (!Array.isArray(targets) || targets.length === 0) throw badRequest("Invalid value for 'targets': a non-empty array is required.");
  if (targets.length > MAX_REDIRECT_TARGETS) throw badRequest(`Invalid value for 'targets': ${targets.length} targets, at most ${MAX_REDIRECT_TARGETS} simultaneous ring targets are supported.`);
  const parsed = targets.map((t, i) => checkInvitationParticipant(t, `targets[${i}]`));
  const timeout = body['timeout'];
  if (timeout !== undefined && timeout !== null && !(Number.isInteger(timeout) && (timeout as number) >= 15 && (timeout as number) <= 90)) {
    throw badRequest(`Invalid value '${String(timeout)}' for 'timeout': the timeout must be an integer from 15 to 90 seconds.`);
  }
  const callbackUri = body['callbackUri'] === undefined || body['callbackUri'] === null ? undefined : checkUri(body['callbackUri'], 'callbackUri');
  // Defaults from call-redirect.md: 55 s for one target, 60 s for several.
  const timeoutSeconds = typeof timeout === 'number' ? timeout : parsed.length === 1 ? 55 : 60;
  return { targets: parsed.map(({ replacesCallId: _r, ...t }) => t), timeoutSeconds, ...(callbackUri ? { callbackUri } : {}) };
}

export interface RecordRequest {
  prompts: MediaRef[];
  bargeInAllowed: boolean;
  initialSilenceTimeoutInSeconds: number;
  maxSilenceTimeoutInSeconds: number;
  maxRecordDurationInSeconds: number;
  playBeep: boolean;
  stopTones: string[];
  clientContext?: string;
}

function checkSeconds(body: Json, property: string): number {
  const v = body[property];
  if (v === undefined || v === null) return 5;
  if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 120) {
    throw badRequest(`Invalid value '${String(v)}' for '${property}': an integer from 1 to 120 is required.`);
  }
  return v as number;
}

function checkBool(body: Json, property: string, dflt: boolean): boolean {
  const v = body[property];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for '${property}': a boolean is required.`);
  return v;
}

export function validateRecordResponse(raw: unknown): RecordRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const prompts = body['prompts'];
  let refs: MediaRef[] = [];
  if (prompts !== undefined && prompts !== null) {
    if (!Array.isArray(prompts)) throw badRequest("Invalid value for 'prompts': an array is required.");
    if (prompts.length > 1) throw badRequest(`Invalid value for 'prompts': ${prompts.length} prompts, the maximum supported collection size is 1.`);
    refs = prompts.map((p, i) => {
      if (!isObject(p) || !odataTypeIs(p['@odata.type'], 'microsoft.graph.mediaPrompt')) {
        throw badRequest(`Invalid value for 'prompts[${i}]': a '#microsoft.graph.mediaPrompt' is required.`);
      }
      return checkMediaInfo(p['mediaInfo'], `prompts[${i}].mediaInfo`);
    });
  }
  const stopTones = body['stopTones'];
  let tones: string[] = [];
  if (stopTones !== undefined && stopTones !== null) {
    if (!Array.isArray(stopTones)) throw badRequest("Invalid value for 'stopTones': an array of strings is required.");
    for (const t of stopTones) {
      if (typeof t !== 'string' || !DTMF.includes(t.toUpperCase())) throw badRequest(`Invalid value '${String(t)}' for 'stopTones': each tone is one of 0-9, *, #, A-D.`);
    }
    tones = (stopTones as string[]).map((t) => t.toUpperCase());
  }
  return {
    prompts: refs,
    bargeInAllowed: checkBool(body, 'bargeInAllowed', false),
    initialSilenceTimeoutInSeconds: checkSeconds(body, 'initialSilenceTimeoutInSeconds'),
    maxSilenceTimeoutInSeconds: checkSeconds(body, 'maxSilenceTimeoutInSeconds'),
    maxRecordDurationInSeconds: checkSeconds(body, 'maxRecordDurationInSeconds'),
    playBeep: checkBool(body, 'playBeep', true),
    stopTones: tones,
    ...(clientContext !== undefined ? { clientContext } : {}),
  };
}

export function validateSubscribeToTone(raw: unknown): { clientContext?: string } {
  return validateCancelMediaProcessing(raw);
}

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
  if (body['callbackUri'] === undefined || body['callbackUri'] === null) throw badRequest("Missing required property 'callbackUri'.");
  const callbackUri = checkUri(body['callbackUri'], 'callbackUri');
  const targets = body['targets'];
  if (targets === undefined || targets === null) throw badRequest("Missing required property 'targets'.");
  if (!Array.isArray(targets) || targets.length === 0) throw badRequest("Invalid value for 'targets': a non-empty array is required.");
  if (targets.length > 1) throw badRequest("Group calls are not supported by the emulator: 'targets' must hold one participant.");
  const parsed = targets.map((t, i) => checkInvitationParticipant(t, `targets[${i}]`));
  const modalities = body['requestedModalities'];
  if (modalities === undefined || modalities === null) throw badRequest("Missing required property 'requestedModalities'.");
  if (!Array.isArray(modalities) || modalities.length === 0) throw badRequest("Invalid value for 'requestedModalities': a non-empty array is required.");
  for (const m of modalities) {
    if (typeof m !== 'string' || !(MODALITIES as readonly string[]).includes(m)) throw badRequest(`Invalid value '${String(m)}' for 'requestedModalities': possible values are ${MODALITIES.join(', ')}.`);
  }
  const mediaConfig = body['mediaConfig'];
  if (!isObject(mediaConfig)) throw badRequest("Missing required property 'mediaConfig'.");
  if (!odataTypeIs(mediaConfig['@odata.type'], 'microsoft.graph.serviceHostedMediaConfig')) {
    throw badRequest("Invalid value for 'mediaConfig.@odata.type': the emulator supports '#microsoft.graph.serviceHostedMediaConfig'.");
  }
  const pre = mediaConfig['preFetchMedia'];
  const preFetchMedia = Array.isArray(pre) ? pre.map((m, i) => checkMediaInfo(m, `mediaConfig.preFetchMedia[${i}]`)) : [];
  let source: CreateCallRequest['source'];
  const rawSource = body['source'];
  if (rawSource !== undefined && rawSource !== null) {
    if (!isObject(rawSource) || !isObject(rawSource['identity'])) throw badRequest("Invalid value for 'source': a participantInfo with an identity is required.");
    const identity = rawSource['identity'];
    const inst = identity['applicationInstance'];
    const app = identity['application'];
    if (isObject(inst)) {
      if (typeof inst['id'] !== 'string' || !inst['id']) throw badRequest("Missing required property 'source.identity.applicationInstance.id'.");
      source = { applicationInstanceId: inst['id'], ...(typeof inst['displayName'] === 'string' ? { displayName: inst['displayName'] } : {}) };
    } else if (isObject(app)) {
      if (app['id'] !== botAppId) throw badRequest("Invalid value for 'source.identity.application.id': it must be the calling app's own id.");
      source = { applicationId: botAppId };
    } else {
      throw badRequest("Invalid value for 'source.identity': an application or applicationInstance identity is required.");
    }
  }
  const tenantId = body['tenantId'];
  if (tenantId !== undefined && tenantId !== null && (typeof tenantId !== 'string' || !tenantId)) throw badRequest("Invalid value for 'tenantId': a string is required.");
  if (parsed.some((t) => 'phone' in t)) {
    // application-post-calls.md, PSTN example: a resource account (application instance) source and the tenant id.
    if (!source?.applicationInstanceId) throw badRequest("A call to a phone number needs 'source.identity.applicationInstance' (a resource account with a phone number).");
    if (typeof tenantId !== 'string') throw badRequest("Missing required property 'tenantId': it is required for a call to a phone number.");
  }
  return {
    callbackUri,
    targets: parsed.map(({ replacesCallId: _r, ...t }) => t),
    ...(source ? { source } : {}),
    ...(typeof tenantId === 'string' ? { tenantId } : {}),
    preFetchMedia,
  };
}

export interface InviteRequest {
  participants: (ParticipantTarget & { replacesCallId?: string })[];
  clientContext?: string;
}

export function validateInvite(raw: unknown): InviteRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const participants = body['participants'];
  if (participants === undefined || participants === null) throw badRequest("Missing required property 'participants'.");
  if (!Array.isArray(participants) || participants.length === 0) throw badRequest("Invalid value for 'participants': a non-empty array is required.");
  if (participants.length > MAX_INVITE_PARTICIPANTS) throw badRequest(`Invalid value for 'participants': at most ${MAX_INVITE_PARTICIPANTS} participants can be invited at once.`);
  const parsed = participants.map((p, i) => checkInvitationParticipant(p, `participants[${i}]`));
  if (parsed.length > 1 && parsed.some((p) => p.replacesCallId)) throw badRequest("Only one participant can be invited with 'replacesCallId'.");
  return { participants: parsed, ...(clientContext !== undefined ? { clientContext } : {}) };
}
