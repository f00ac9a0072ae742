import { isGrpcServiceError, type Connection, type ConnectionLike } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
// @temporalio/proto is CommonJS: Node's ESM loader (switchboard up) sees only its default export.
import proto from '@temporalio/proto';
import { CALL_SEARCH_ATTRIBUTES, type CallSearchAttribute } from '../contracts/search-attributes.js';
import type { IncomingCall } from '../contracts/graph-call.js';
import { toE164 } from '../privacy/phone.js';
import type { DataSubject } from '../privacy/phone.js';
import { subjectRef } from '../privacy/subject-ref.js';

const { temporal } = proto;

const keyword = (name: CallSearchAttribute) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);

/** The typed keys of the call's search attributes (src/contracts/search-attributes.ts), for clients. */
export const callSearchAttributeKeys = {
  Queue: keyword('Queue'),
  Outcome: keyword('Outcome'),
  Agent: keyword('Agent'),
  FlowName: keyword('FlowName'),
  Line: keyword('Line'),
  CallerHash: keyword('CallerHash'),
} satisfies Record<CallSearchAttribute, unknown>;

/**
 * Who called, as the privacy requests name a person: the keyed hash of their E.164 number or Teams user id
 * (subject-ref.ts), so `CallerHash = '…'` finds every call of one person without their number being anywhere.
 * undefined for an application or an anonymous caller, who is nobody's personal data.
 */
export function callerHash(from: IncomingCall['from'], key: Buffer): string | undefined {
  let subject: DataSubject | undefined;
  if (from.kind === 'phone') {
    const e164 = toE164(from.id);
    if (e164) subject = { kind: 'phone', e164 };
  } else if (from.kind === 'user' && from.id) subject = { kind: 'user', id: from.id.toLowerCase() };
  return subject ? subjectRef(subject, key) : undefined;
}

/** What the webhook knows when it starts a call's workflow: the line dialled, its flow, and who called (hashed). */
export function callStartSearchAttributes(
  call: IncomingCall,
  opts: { flowName?: string; callerHashKey?: Buffer },
): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [];
  const line = call.to.applicationInstanceId ?? call.to.applicationId;
  if (line) pairs.push({ key: callSearchAttributeKeys.Line, value: line });
  if (opts.flowName) pairs.push({ key: callSearchAttributeKeys.FlowName, value: opts.flowName });
  const hash = opts.callerHashKey ? callerHash(call.from, opts.callerHashKey) : undefined;
  if (hash) pairs.push({ key: callSearchAttributeKeys.CallerHash, value: hash });
  return pairs;
}

export interface SearchAttributeRegistration {
  namespace: string;
  added: CallSearchAttribute[];
  present: CallSearchAttribute[];
  /** Registered under our name with another type: a workflow setting it would fail; the operator must resolve it. */
  conflicts: { name: CallSearchAttribute; type: string }[];
  /** Missing, and the server refused to add them (Temporal Cloud, a role without the operator API): its reason. */
  notPermitted?: string;
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
/** gRPC status codes (the SDK's transport is not ours to import): PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED. */
const NOT_PERMITTED = [7, 12, 16];

/**
 * Registers the call's search attributes on a cluster's namespace (operatorService.addSearchAttributes), adding only
 * those missing: start-up on a configured cluster, `switchboard migrate` and `doctor` run it. Temporal Cloud does not
 * let an app do it (its UI or `tcld namespace search-attributes add` does): then `notPermitted` says why.
 */
export async function registerCallSearchAttributes(
  connection: Pick<ConnectionLike, 'operatorService'>,
  namespace: string,
): Promise<SearchAttributeRegistration> {
  const result: SearchAttributeRegistration = { namespace, added: [], present: [], conflicts: [] };
  let known: Record<string, number>;
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    known = { ...listed.systemAttributes, ...listed.customAttributes } as Record<string, number>;
  } catch (err) {
    if (!(isGrpcServiceError(err) && NOT_PERMITTED.includes(err.code))) throw err;
    return { ...result, notPermitted: err.details };
  }
  const missing: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of CALL_SEARCH_ATTRIBUTES) {
    const type = known[name];
    if (type === undefined) missing[name] = KEYWORD;
    else if (type === KEYWORD) result.present.push(name);
    else
      result.conflicts.push({
        name,
        type: (temporal.api.enums.v1.IndexedValueType[type] ?? String(type)).replace('INDEXED_VALUE_TYPE_', ''),
      });
  }
  if (!Object.keys(missing).length) return result;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    if (!(isGrpcServiceError(err) && NOT_PERMITTED.includes(err.code))) throw err;
    return { ...result, notPermitted: err.details };
  }
  result.added.push(...(Object.keys(missing) as CallSearchAttribute[]));
  return result;
}

/** One line for logs, migrate and `doctor`. */
export function describeRegistration(r: SearchAttributeRegistration): string {
  const what = `Temporal namespace ${r.namespace}: call search attributes`;
  const missing = CALL_SEARCH_ATTRIBUTES.filter(
    (n) => !r.added.includes(n) && !r.present.includes(n) && !r.conflicts.some((c) => c.name === n),
  );
  if (r.notPermitted !== undefined && missing.length)
    return (
      `${what} ${missing.join(', ')} missing, and the app may not add them (${r.notPermitted || 'refused'}): ` +
      `register them as Keyword on the cluster (temporal operator search-attribute create --name <Name> --type ` +
      `Keyword; Temporal Cloud: tcld namespace search-attributes add); until then every call's workflow task fails`
    );
  if (r.conflicts.length)
    return `${what}: ${r.conflicts.map((c) => `${c.name} is ${c.type}`).join(', ')}, not Keyword: calls fail to set them; remove or rename them on the cluster`;
  return r.added.length
    ? `${what} ${r.added.join(', ')} registered now${r.present.length ? ` (${r.present.join(', ')} were there)` : ''}`
    : `${what} ${r.present.join(', ')} registered`;
}

/**
 * Adds them all without asking first: for Temporal's time-skipping test server, which implements
 * addSearchAttributes but not listSearchAttributes (a fresh server each time, so none is there yet).
 */
export async function addCallSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(CALL_SEARCH_ATTRIBUTES.map((name) => [name, KEYWORD])),
  });
}
