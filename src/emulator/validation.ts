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
