import type { Payload, PayloadCodec } from '@temporalio/common';
import Long from 'long';

/**
 * A workflow history (or any message of Temporal's API) with every payload in it decoded by `codec`: what the
 * workers read, for tools that look inside histories themselves (tests, `privacy export`, the bench's markers).
 * Payloads sit in Payloads messages (`{ payloads: [...] }`: inputs, results, signal and marker details, failures'
 * details) and in maps of them (headers' and memos' `fields`); search attributes are indexed by the server and never
 * encoded, so they are left alone.
 */
export async function decodeHistoryPayloads<T>(message: T, codec: PayloadCodec): Promise<T> {
  return (await decodeValue(message, (p) => codec.decode(p), undefined, true)) as T;
}

/**
 * The Payloads messages in a history encoded by `codec`, as a client and worker with it would have written them: to
 * show that a history written through the codec replays. Left as they are: maps of payloads (headers, memos) and
 * markers, whose details the SDK's core writes itself (a local activity's `data`, a patch's id) and reads back on
 * replay without the codec.
 */
export async function encodeHistoryPayloads<T>(message: T, codec: PayloadCodec): Promise<T> {
  return (await decodeValue(message, (p) => codec.encode(p), undefined, false)) as T;
}

async function decodeValue(
  value: unknown,
  codec: (payloads: Payload[]) => Promise<Payload[]>,
  key: string | undefined,
  maps: boolean,
): Promise<unknown> {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || Long.isLong(value)) return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => decodeValue(v, codec, undefined, maps)));
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) {
    if (k === 'payloads' && Array.isArray(v) && v.every(isPayload)) {
      out[k] = await codec(v);
    } else if (maps && k === 'fields' && key !== 'searchAttributes' && isPayloadMap(v)) {
      const entries = Object.entries(v);
      const decoded = await codec(entries.map(([, p]) => p));
      out[k] = Object.fromEntries(entries.map(([name], i) => [name, decoded[i]]));
    } else if (k === 'indexedFields' || (!maps && k === 'markerRecordedEventAttributes')) {
      out[k] = v;
    } else {
      out[k] = await decodeValue(v, codec, k, maps);
    }
  }
  return out;
}

function isPayload(v: unknown): v is Payload {
  return v !== null && typeof v === 'object' && 'metadata' in v;
}

function isPayloadMap(v: unknown): v is Record<string, Payload> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isPayload);
}
