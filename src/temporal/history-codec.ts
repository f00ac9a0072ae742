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
  return (await decodeValue(message, codec, undefined)) as T;
}

async function decodeValue(value: unknown, codec: PayloadCodec, key: string | undefined): Promise<unknown> {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || Long.isLong(value)) return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => decodeValue(v, codec, undefined)));
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) {
    if (k === 'payloads' && Array.isArray(v) && v.every(isPayload)) {
      out[k] = await codec.decode(v);
    } else if (k === 'fields' && key !== 'searchAttributes' && isPayloadMap(v)) {
      const entries = Object.entries(v);
      const decoded = await codec.decode(entries.map(([, p]) => p));
      out[k] = Object.fromEntries(entries.map(([name], i) => [name, decoded[i]]));
    } else if (k === 'indexedFields') {
      out[k] = v;
    } else {
      out[k] = await decodeValue(v, codec, k);
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
