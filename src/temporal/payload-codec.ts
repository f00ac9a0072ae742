import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS module: Node's ESM loader sees only its default export (the named import works under vitest alone).
const { temporal } = proto;

/**
 * What Temporal stores of Switchboard's payloads (workflow inputs, signals, activity inputs and results, queries,
 * updates, memos and failures' details): the whole payload, metadata included, encrypted with AES-256-GCM, so that a
 * history read without the key shows neither a caller's number nor which converter wrote it. The layout follows
 * Temporal's encryption sample (samples-typescript/encryption): the encoding `binary/encrypted` and the key's id in the
 * metadata, the data being IV (12 bytes) | ciphertext | GCM tag (16 bytes) of the serialized Payload proto.
 *
 * The SDK runs codecs in the client and the worker's main thread, never in the workflow sandbox
 * (DataConverter.payloadCodecs), so workflow code and its determinism do not change.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with (as Temporal's sample names it). */
export const KEY_ID_METADATA = 'encryption-key-id';

/** One AES-256 key: `id` goes in clear into every payload it encrypts, so it names the key without revealing it. */
export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class CodecKeyError extends Error {}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads the keys setting: entries `id:base64key` separated by commas, spaces or new lines (a mounted file may hold one
 * per line). The first entry encrypts; every entry decrypts, so a rotation puts the new key first and keeps the old
 * ones until no retained history needs them (RETENTION_DAYS). Throws CodecKeyError naming what is wrong, never a key.
 */
export function parseCodecKeys(text: string): CodecKey[] {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) throw new CodecKeyError('no keys (expected id:base64key, comma-separated)');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id))
      throw new CodecKeyError(`key ${i + 1}: expected id:base64key, the id of 1-64 letters, digits, '.', '_' or '-'`);
    if (seen.has(id)) throw new CodecKeyError(`key ${i + 1}: id ${id} appears twice`);
    seen.add(id);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new CodecKeyError(`key ${id}: expected 32 bytes in base64, got ${key.length}`);
    return { id, key };
  });
}

/** A new random key in the keys setting's format (`switchboard` writes one for the embedded set-up). */
export function newCodecKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly encrypting: CodecKey;
  private readonly byId: Map<string, Buffer>;

  /** `keys[0]` encrypts; all of them decrypt. */
  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new CodecKeyError('an encryption codec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new CodecKeyError(`key ${k.id}: expected 32 bytes`);
    this.encrypting = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key new payloads are encrypted with. */
  get keyId(): string {
    return this.encrypting.id;
  }

  // async: a bad payload rejects the promise instead of throwing at the caller
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  /**
   * Payloads that are not encrypted pass through unchanged: histories recorded before the codec (test/histories, and
   * calls in flight when it was turned on) still replay and still complete.
   */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.decrypt(p) : p));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encrypting.key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(this.encrypting.id),
      },
      data: new Uint8Array(data),
    };
  }

  private decrypt(payload: Payload): Payload {
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? decoder.decode(idBytes) : '';
    const key = this.byId.get(id);
    if (!key) throw new CodecKeyError(`payload encrypted with key ${JSON.stringify(id)}, which is not configured`);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError(`encrypted payload too short (key ${id})`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecKeyError(`encrypted payload does not authenticate with key ${id}`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && decoder.decode(encoding) === ENCRYPTED_ENCODING;
}
