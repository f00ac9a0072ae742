import type { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CALL_SEARCH_ATTRIBUTES, type CallSearchAttribute } from '../contracts/search-attributes.js';
import type { IncomingCall } from '../contracts/graph-call.js';
import { toE164 } from '../privacy/phone.js';
import type { DataSubject } from '../privacy/phone.js';
import { subjectRef } from '../privacy/subject-ref.js';

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
  added: CallSearchAttribute[];
  present: CallSearchAttribute[];
  /** Registered under our name with another type: a workflow setting it would fail; the operator must resolve it. */
  conflicts: { name: CallSearchAttribute; type: string }[];
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers the call's search attributes on a cluster's namespace (operatorService.addSearchAttributes), adding only
 * those missing: `switchboard migrate` and `doctor` run it. Needs the operator API (a self-hosted cluster; Temporal
 * Cloud registers them in its UI or with tcld, where this fails with PERMISSION_DENIED and says so).
 */
export async function registerCallSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<SearchAttributeRegistration> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const known = { ...listed.systemAttributes, ...listed.customAttributes } as Record<string, number>;
  const result: SearchAttributeRegistration = { added: [], present: [], conflicts: [] };
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of CALL_SEARCH_ATTRIBUTES) {
    const type = known[name];
    if (type === undefined) missing[name] = KEYWORD;
    else if (type === KEYWORD) result.present.push(name);
    else result.conflicts.push({ name, type: temporal.api.enums.v1.IndexedValueType[type] ?? String(type) });
  }
  if (Object.keys(missing).length) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    result.added.push(...(Object.keys(missing) as CallSearchAttribute[]));
  }
  return result;
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
