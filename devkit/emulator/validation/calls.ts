/**
 * Bodies of the bot's answer to an incoming call: answer, reject and redirect (call-answer.md, call-reject.md,
 * call-redirect.md).
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

const REJECT_REASONS = ['none', 'busy', 'forbidden', 'unknownFutureValue'];
export const MAX_REDIRECT_TARGETS = 25;

export interface AnswerRequest {
  callbackUri?: string;
  acceptedModalities: string[];
  preFetchMedia: MediaRef[];
}

export function validateAnswer(raw: unknown): AnswerRequest {
  const body = requireBody(raw);
  // callbackUri is optional: without it Graph uses the bot's global callback URI (call-answer.md).
  const callbackUri =
    body['callbackUri'] === undefined || body['callbackUri'] === null
      ? undefined
      : checkUri(body['callbackUri'], 'callbackUri');

  const modalities = body['acceptedModalities'];
  if (modalities === undefined || modalities === null)
    throw badRequest("Missing required property 'acceptedModalities'.");
  if (!Array.isArray(modalities) || modalities.length === 0)
    throw badRequest("Invalid value for 'acceptedModalities': a non-empty array is required.");
  for (const m of modalities) {
    if (typeof m !== 'string' || !(MODALITIES as readonly string[]).includes(m)) {
      throw badRequest(
        `Invalid value '${String(m)}' for 'acceptedModalities': possible values are ${MODALITIES.join(', ')}.`,
      );
    }
  }

  const mediaConfig = body['mediaConfig'];
  if (mediaConfig === undefined || mediaConfig === null) throw badRequest("Missing required property 'mediaConfig'.");
  if (!isObject(mediaConfig)) throw badRequest("Invalid value for 'mediaConfig': an object is required.");
  const type = mediaConfig['@odata.type'];
  if (odataTypeIs(type, 'microsoft.graph.appHostedMediaConfig')) {
    throw badRequest(
      "appHostedMediaConfig is not supported by the emulator; use '#microsoft.graph.serviceHostedMediaConfig'.",
    );
  }
  if (!odataTypeIs(type, 'microsoft.graph.serviceHostedMediaConfig')) {
    throw badRequest(
      "Invalid value for 'mediaConfig.@odata.type': expected '#microsoft.graph.serviceHostedMediaConfig' or '#microsoft.graph.appHostedMediaConfig'.",
    );
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

export function validateReject(raw: unknown): { reason: string; callbackUri?: string } {
  const body = raw === undefined || raw === null ? {} : requireBody(raw);
  const reason = body['reason'] ?? 'none';
  if (typeof reason !== 'string' || !REJECT_REASONS.includes(reason)) {
    throw badRequest(`Invalid value '${String(reason)}' for 'reason': possible values are none, busy, forbidden.`);
  }
  const callbackUri =
    body['callbackUri'] === undefined || body['callbackUri'] === null
      ? undefined
      : checkUri(body['callbackUri'], 'callbackUri');
  return { reason, ...(callbackUri ? { callbackUri } : {}) };
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
  if (!Array.isArray(targets) || targets.length === 0)
    throw badRequest("Invalid value for 'targets': a non-empty array is required.");
  if (targets.length > MAX_REDIRECT_TARGETS)
    throw badRequest(
      `Invalid value for 'targets': ${targets.length} targets, at most ${MAX_REDIRECT_TARGETS} simultaneous ring targets are supported.`,
    );
  const parsed = targets.map((t, i) => checkInvitationParticipant(t, `targets[${i}]`));
  const timeout = body['timeout'];
  if (
    timeout !== undefined &&
    timeout !== null &&
    !(Number.isInteger(timeout) && (timeout as number) >= 15 && (timeout as number) <= 90)
  ) {
    throw badRequest(
      `Invalid value '${String(timeout)}' for 'timeout': the timeout must be an integer from 15 to 90 seconds.`,
    );
  }
  const callbackUri =
    body['callbackUri'] === undefined || body['callbackUri'] === null
      ? undefined
      : checkUri(body['callbackUri'], 'callbackUri');
  // Defaults from call-redirect.md: 55 s for one target, 60 s for several.
  const timeoutSeconds = typeof timeout === 'number' ? timeout : parsed.length === 1 ? 55 : 60;
  return {
    targets: parsed.map(({ replacesCallId: _r, ...t }) => t),
    timeoutSeconds,
    ...(callbackUri ? { callbackUri } : {}),
  };
}
