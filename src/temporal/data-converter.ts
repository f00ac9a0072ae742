import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { TemporalSettings } from './settings.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys, type CodecKey } from './payload-codec.js';

/**
 * The one place Switchboard's Temporal clients and workers get their data converter from: every payload they send is
 * encrypted (payload-codec.ts). A client and a worker of the same namespace must use the same keys, so everything that
 * connects to Temporal (app/stack, the CLI, devkit, test/helpers) goes through codecFor / dataConverterFor.
 *
 * Keys, in this order:
 * - TEMPORAL_CODEC_KEYS, or the file TEMPORAL_CODEC_KEYS_FILE names (config.temporal.codecKeys): `id:base64key`,
 *   the first one encrypting. Every process of a deployment on more than one host needs them.
 * - Otherwise the file `temporal-codec-keys` in the data folder, written with a new random key the first time (mode
 *   0600): the embedded set-up (`npm start`) and processes sharing one data folder use the same key.
 */

export const DATA_DIR_KEYS_FILE = 'temporal-codec-keys';

/** The codec for these keys: its encode/decode is also what the codec endpoint (codec-server.ts) serves. */
export function codecOf(keys: readonly CodecKey[]): EncryptionCodec {
  return new EncryptionCodec(keys);
}

/**
 * The failure converter's module (failure-converter.ts): failures' messages and stack traces go into an encrypted
 * payload too. A path, because the workflow sandbox loads it as well: bundleWorkflows bundles the same one.
 */
export const failureConverterPath = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

export function dataConverterOf(codec: EncryptionCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}

const byDataDir = new Map<string, Promise<CodecKey[]>>();

/** The keys this process encrypts and decrypts with (see above). */
export function codecKeysFor(config: { temporal: TemporalSettings; dataDir: string }): Promise<CodecKey[]> {
  if (config.temporal.codecKeys) return Promise.resolve(config.temporal.codecKeys);
  const file = path.resolve(config.dataDir, DATA_DIR_KEYS_FILE);
  let keys = byDataDir.get(file);
  if (!keys) {
    keys = dataDirKeys(file);
    byDataDir.set(file, keys);
    // A failed read is not remembered: the next start tries again.
    keys.catch(() => byDataDir.delete(file));
  }
  return keys;
}

export async function codecFor(config: { temporal: TemporalSettings; dataDir: string }): Promise<EncryptionCodec> {
  return codecOf(await codecKeysFor(config));
}

export async function dataConverterFor(config: {
  temporal: TemporalSettings;
  dataDir: string;
}): Promise<DataConverter> {
  return dataConverterOf(await codecFor(config));
}

/**
 * The data folder's key file, created if missing. Several processes may start on one folder at once: the key is written
 * to a file of this process's own and linked into place, which fails if another process linked first; then theirs is read.
 */
async function dataDirKeys(file: string): Promise<CodecKey[]> {
  try {
    return parseCodecKeys(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(file, err);
  }
  // A fresh checkout has no data folder until something starts there (`switchboard agents …` may come first).
  await mkdir(path.dirname(file), { recursive: true });
  const mine = `${file}.${process.pid}.${Date.now()}`;
  await writeFile(mine, `${newCodecKey('local-1')}\n`, { mode: 0o600 });
  try {
    await link(mine, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyFileError(file, err);
  } finally {
    await rm(mine, { force: true });
  }
  try {
    return parseCodecKeys(await readFile(file, 'utf8'));
  } catch (err) {
    throw keyFileError(file, err);
  }
}

function keyFileError(file: string, err: unknown): Error {
  const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new Error(`Temporal payload keys ${file}: ${reason} (or set TEMPORAL_CODEC_KEYS)`);
}

let ephemeral: DataConverter | undefined;

/**
 * A random key of this process's own, for Temporal servers that live no longer than the process (the flow test kit,
 * the tests' workflow environments): their clients and workers encrypt as production's do.
 */
export function ephemeralDataConverter(): DataConverter {
  ephemeral ??= dataConverterOf(codecOf(parseCodecKeys(newCodecKey('ephemeral'))));
  return ephemeral;
}
