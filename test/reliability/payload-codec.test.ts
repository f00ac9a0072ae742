import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  CodecKeyError,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  newCodecKey,
  parseCodecKeys,
} from '../../src/temporal/payload-codec.js';
import { codecKeysFor, DATA_DIR_KEYS_FILE } from '../../src/temporal/data-converter.js';

// Issue 22, point 1: every payload Temporal stores is AES-256-GCM encrypted, the key's id in its metadata.
const caller = { from: '+14255550123', name: 'Ada Caller', digits: '4711#' };
const payload = () => defaultPayloadConverter.toPayload(caller);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('latin1');

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the payload codec', () => {
  it('encrypts the whole payload, metadata included, and names the key; decode gives back the original', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKey('k-2026-12')));
    const [encoded] = await codec.encode([payload()]);
    expect(text(encoded!.metadata!['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k-2026-12');
    for (const secret of [caller.from, caller.name, caller.digits, 'json/plain'])
      expect(text(encoded!.data)).not.toContain(secret);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(caller);
    expect(text(decoded!.metadata!['encoding'])).toBe('json/plain');
  });

  it('encrypts the same payload differently each time (a random IV per payload)', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKey('k1')));
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotates: the first key encrypts, every listed key decrypts', async () => {
    const old = newCodecKey('old');
    const fresh = newCodecKey('new');
    const [byOld] = await new EncryptionCodec(parseCodecKeys(old)).encode([payload()]);
    const rotated = new EncryptionCodec(parseCodecKeys(`${fresh},${old}`));
    expect(rotated.keyId).toBe('new');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([byOld!]))[0]!)).toEqual(caller);
    const [byNew] = await rotated.encode([payload()]);
    expect(text(byNew!.metadata![KEY_ID_METADATA])).toBe('new');
    // A key dropped from the list no longer reads what it wrote: said so, naming the key id, not the key.
    await expect(new EncryptionCodec(parseCodecKeys(fresh)).decode([byOld!])).rejects.toThrow(
      'payload encrypted with key "old", which is not configured',
    );
  });

  it('passes payloads written before the codec through unchanged (recorded histories replay)', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKey('k1')));
    const plain = payload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses a tampered payload', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(newCodecKey('k1')));
    const [encoded] = await codec.encode([payload()]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow('does not authenticate with key k1');
  });

  it('reads keys as id:base64key, separated by commas or new lines, and says what is wrong with bad ones', () => {
    expect(parseCodecKeys(`${newCodecKey('a')}\n${newCodecKey('b')}, ${newCodecKey('c')}\n`).map((k) => k.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(() => parseCodecKeys('')).toThrow(CodecKeyError);
    expect(() => parseCodecKeys('nokey')).toThrow('key 1: expected id:base64key');
    expect(() => parseCodecKeys(`k:${Buffer.alloc(16).toString('base64')}`)).toThrow(
      'key k: expected 32 bytes in base64, got 16',
    );
    expect(() => parseCodecKeys(`${newCodecKey('a')},${newCodecKey('a')}`)).toThrow('id a appears twice');
  });
});

describe('the keys setting', () => {
  it('comes from TEMPORAL_CODEC_KEYS or the file TEMPORAL_CODEC_KEYS_FILE names; a bad one is refused without echoing it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-codec-'));
    dirs.push(dir);
    const keys = `${newCodecKey('env-1')},${newCodecKey('env-0')}`;
    expect(loadConfig({ TEMPORAL_CODEC_KEYS: keys }).temporal.codecKeys?.map((k) => k.id)).toEqual(['env-1', 'env-0']);
    await writeFile(path.join(dir, 'keys'), `${newCodecKey('file-1')}\n`);
    const fromFile = loadConfig({ TEMPORAL_CODEC_KEYS_FILE: path.join(dir, 'keys') });
    expect((await codecKeysFor(fromFile)).map((k) => k.id)).toEqual(['file-1']);
    const bad = `k:${Buffer.alloc(8, 7).toString('base64')}`;
    expect(() => loadConfig({ TEMPORAL_CODEC_KEYS: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_CODEC_KEYS: bad })).toThrow(
      'Invalid configuration: TEMPORAL_CODEC_KEYS=(secret): key k: expected 32 bytes in base64, got 8',
    );
  });

  it('unset, is a key written once to the data folder (mode 0600) that every process on the folder shares', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-codec-'));
    dirs.push(dir);
    const config = loadConfig({ DATA_DIR: dir });
    const [first, second] = await Promise.all([codecKeysFor(config), codecKeysFor({ ...config })]);
    expect(first).toEqual(second);
    const file = path.join(dir, DATA_DIR_KEYS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parseCodecKeys(await readFile(file, 'utf8'))).toEqual(first);
  });
});
