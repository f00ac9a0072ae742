/**
 * Graph calling notifications (`commsNotifications`) turned into the small typed vocabulary the call workflow
 * understands (src/contracts/graph-call.ts). Real Graph traffic has quirks (PascalCase enums, codes as strings,
 * `subCode`, `resourceData` as an array, a legacy `resource`), so everything is normalised here, once, before it
 * reaches Temporal.
 */

import type { CallNotification, CallParty, CallState, IncomingCall, ResultInfo } from '../contracts/graph-call.js';
import { parseCallRoutes } from './call-routes.js';
import { isRoster, parseRoster } from './roster.js';

const CALL_STATES: ReadonlySet<string> = new Set<CallState>([
  'incoming',
  'establishing',
  'ringing',
  'established',
  'hold',
  'transferring',
  'transferAccepted',
  'redirecting',
  'terminating',
  'terminated',
]);

export type ParsedItem =
  | { kind: 'incoming'; call: IncomingCall; payload: unknown }
  | { kind: 'notification'; notification: CallNotification }
  | { kind: 'ignored'; callId?: string; reason: string };

export type ParseResult =
  { ok: true; items: ParsedItem[] } | { ok: false; legacy: true } | { ok: false; legacy: false; error: string };

/** More than this many items in one POST is not something Graph sends; refuse rather than fan out. */
export const MAX_NOTIFICATIONS_PER_REQUEST = 100;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** `Established` → `established`, `TransferAccepted` → `transferAccepted`. */
export function camelEnum(v: unknown): string | undefined {
  const s = str(v);
  return s ? s[0]!.toLowerCase() + s.slice(1) : undefined;
}

/**
 * A call's state however Graph spells it (`Established`, `established`), in a notification or a GET's answer alike;
 * undefined for a state Switchboard does not know (`unknownFutureValue`, a new one).
 */
export function normaliseCallState(v: unknown): CallState | undefined {
  const state = camelEnum(v);
  return state && CALL_STATES.has(state) ? (state as CallState) : undefined;
}

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number.parseInt(v, 10);
  return undefined;
}

export function parseResultInfo(v: unknown): ResultInfo | undefined {
  if (!isObject(v)) return undefined;
  const code = toInt(v.code);
  const subcode = toInt(v.subcode ?? v.subCode);
  if (code === undefined && subcode === undefined) return undefined;
  return { code: code ?? 0, subcode: subcode ?? 0, ...(str(v.message) ? { message: str(v.message) } : {}) };
}

const CALL_URL = /^\/?(?:communications|app)\/calls\/([^/?#]+)(?:\/(operations|participants)(?:\/([^/?#]+))?)?/i;

function parseResource(item: Json): { callId: string; sub?: string; subId?: string } | undefined {
  for (const candidate of [item.resourceUrl, item.resource]) {
    const s = str(candidate);
    const m = s ? CALL_URL.exec(s) : null;
    if (m) return { callId: decodeURIComponent(m[1]!), sub: m[2]?.toLowerCase(), subId: m[3] };
  }
  return undefined;
}

function parseParty(info: unknown): CallParty {
  const identity = isObject(info) && isObject(info.identity) ? info.identity : undefined;
  if (identity) {
    for (const kind of ['user', 'phone', 'application', 'applicationInstance'] as const) {
      const ident = identity[kind];
      if (isObject(ident) && str(ident.id)) {
        return {
          kind: kind === 'applicationInstance' ? 'application' : kind,
          id: str(ident.id)!,
          ...(str(ident.displayName) ? { displayName: str(ident.displayName) } : {}),
        };
      }
    }
  }
  return { kind: 'unknown', id: 'unknown' };
}

function parseTargets(targets: unknown): IncomingCall['to'] {
  const to: IncomingCall['to'] = {};
  if (!Array.isArray(targets)) return to;
  for (const t of targets) {
    const identity = isObject(t) && isObject(t.identity) ? t.identity : undefined;
    if (!identity) continue;
    const instance = identity.applicationInstance;
    const app = identity.application;
    const phone = identity.phone;
    if (isObject(instance) && str(instance.id)) to.applicationInstanceId ??= str(instance.id);
    if (isObject(app) && str(app.id)) to.applicationId ??= str(app.id);
    if (isObject(phone) && str(phone.id)) to.phone ??= str(phone.id);
  }
  return to;
}

/**
 * An object's `@odata.type`, under any casing of the key (`@odata.Type`), and as OData's JSON before v4 spelt the
 * annotation, without the `@` (`odata.type`). Values are compared regardless of case by their readers.
 */
function typeOf(v: Json): string | undefined {
  const key = Object.keys(v).find((k) => /^@?odata\.type$/i.test(k));
  return key === undefined ? undefined : str(v[key]);
}

/** `#microsoft.graph.playPromptOperation` (any casing) → `playPromptOperation`. */
function odataType(v: Json): string {
  return (typeOf(v) ?? '').replace(/^#?microsoft\.graph\./i, '');
}

function parseItem(item: unknown, receivedAt: string): ParsedItem {
  if (!isObject(item)) return { kind: 'ignored', reason: 'notification is not an object' };
  const resource = parseResource(item);
  if (!resource) return { kind: 'ignored', reason: 'resourceUrl does not name a call' };
  const { callId } = resource;
  const changeType = camelEnum(item.changeType);
  // Graph sometimes sends resourceData as an array (roster updates); a single call or operation is its first item.
  const rawData = item.resourceData;
  const data = Array.isArray(rawData)
    ? rawData.length === 1 && isObject(rawData[0])
      ? rawData[0]
      : undefined
    : rawData;

  // A roster: on …/participants, or (one documented example) on …/operations/participants; see roster.ts.
  if (resource.sub === 'participants' || (Array.isArray(rawData) && !data) || isRoster(rawData)) {
    const roster = parseRoster(rawData);
    const removed = changeType === 'deleted';
    return {
      kind: 'notification',
      notification: { kind: 'participants', callId, roster, ...(removed ? { removed } : {}), payload: { roster } },
    };
  }
  if (!isObject(data)) return { kind: 'ignored', callId, reason: 'resourceData missing' };
  const fullType = odataType(data);
  const type = fullType.toLowerCase();

  if (resource.sub === 'operations' || type.endsWith('operation')) {
    const operationId = resource.subId ?? str(data.id);
    if (!operationId) return { kind: 'ignored', callId, reason: 'operation notification without an id' };
    return {
      kind: 'notification',
      notification: {
        kind: 'operation',
        callId,
        operationId,
        operationType: camelEnum(fullType.replace(/operation$/i, '')) ?? 'unknown',
        status: camelEnum(data.status) ?? 'unknown',
        ...(camelEnum(data.completionReason) ? { completionReason: camelEnum(data.completionReason) } : {}),
        ...(str(data.clientContext) ? { clientContext: str(data.clientContext) } : {}),
        ...(parseResultInfo(data.resultInfo) ? { resultInfo: parseResultInfo(data.resultInfo) } : {}),
        payload: data,
      },
    };
  }

  if (type !== '' && type !== 'call')
    return { kind: 'ignored', callId, reason: `unsupported resourceData type ${type}` };

  const toneInfo = data.toneInfo;
  if (isObject(toneInfo) && str(toneInfo.tone)) {
    return {
      kind: 'notification',
      notification: {
        kind: 'tone',
        callId,
        tone: camelEnum(toneInfo.tone)!,
        sequenceId: toInt(toneInfo.sequenceId) ?? 0,
        payload: data,
      },
    };
  }

  const state = normaliseCallState(data.state) ?? (changeType === 'deleted' && !data.state ? 'terminated' : undefined);
  if (!state) return { kind: 'ignored', callId, reason: `unknown call state ${String(data.state)}` };

  if (state === 'incoming' && changeType === 'created') {
    return {
      kind: 'incoming',
      call: {
        callId,
        ...(str(data.tenantId) ? { tenantId: str(data.tenantId) } : {}),
        from: parseParty(data.source),
        to: parseTargets(data.targets),
        ...(str(data.callbackUri) ? { callbackUri: str(data.callbackUri) } : {}),
        receivedAt,
      },
      payload: data,
    };
  }
  return {
    kind: 'notification',
    notification: {
      kind: 'state',
      callId,
      state: state as CallState,
      ...(parseResultInfo(data.resultInfo) ? { resultInfo: parseResultInfo(data.resultInfo) } : {}),
      ...(parseCallRoutes(data.callRoutes).length > 0 ? { routes: parseCallRoutes(data.callRoutes) } : {}),
      payload: data,
    },
  };
}

/**
 * Parse a POST body from Graph. A body in the old (pre-Graph) calling format is reported as `legacy`: Microsoft
 * documents that answering it with 204 makes the platform resend the notification in the Graph format.
 */
export function parseCommsNotifications(body: unknown, receivedAt = new Date().toISOString()): ParseResult {
  if (!isObject(body)) return { ok: false, legacy: false, error: 'body must be a JSON object' };
  const value = body.value;
  if (!Array.isArray(value)) {
    // The legacy calling format carries a top-level call id and state instead of a value[] envelope.
    if (str(body.id) && (body.state !== undefined || body.callState !== undefined || body.participants !== undefined))
      return { ok: false, legacy: true };
    return { ok: false, legacy: false, error: 'body must be a commsNotifications object with a value[] array' };
  }
  const type = typeOf(body);
  if (type && !/commsNotifications$/i.test(type))
    return { ok: false, legacy: false, error: `unexpected @odata.type ${type}` };
  if (value.length === 0) return { ok: false, legacy: false, error: 'value[] is empty' };
  if (value.length > MAX_NOTIFICATIONS_PER_REQUEST)
    return {
      ok: false,
      legacy: false,
      error: `value[] has ${value.length} items; at most ${MAX_NOTIFICATIONS_PER_REQUEST} are accepted`,
    };
  return { ok: true, items: value.map((v) => parseItem(v, receivedAt)) };
}
