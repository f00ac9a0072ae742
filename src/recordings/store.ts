import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface StoredObject {
  /** Where the store keeps it: the SHA-256 of the bytes, so the same audio is stored once. */
  key: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Where recordings live. The folder store is the default; an S3-compatible store implements the same four calls
 * (PUT/GET/DELETE/LIST on `key`), with the bucket's checksum (x-amz-checksum-sha256) carrying `sha256`.
 */
export interface RecordingStore {
  /** `extension` names the audio's detected format (`wav`, `mp3`, `opus`, …; src/media/audio-format.ts). */
  put(bytes: Buffer, extension?: string): Promise<StoredObject>;
  /** The bytes, checked against their checksum; undefined when absent. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** Every key with its last-modified time, for the orphan sweep after retention. */
  list(): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

const KEY = /^[0-9a-f]{64}$/;
const EXTENSION = /^[a-z0-9]{1,8}$/;
/** `<key>.<extension>`: the stored file of a key, whatever format it was stored as (older files are all `.wav`). */
const STORED_FILE = /^([0-9a-f]{64})\.([a-z0-9]{1,8})$/;

export class ChecksumMismatchError extends Error {}

/**
 * Content-addressed files under a folder: `ab/cd/abcd…ef.<extension>` (the audio's format, so an operator opening
 * the folder sees an MP3 as .mp3), written atomically (temp file + rename).
 */
export class FolderRecordingStore implements RecordingStore {
  constructor(readonly root: string) {}

  private folder(key: string): string {
    // Keys are hex digests only: nothing a caller passes can walk out of the folder.
    if (!KEY.test(key)) throw new Error(`not a recording key: ${key.slice(0, 80)}`);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4));
  }

  /** The files stored under `key` (one, unless the same bytes were once stored under another extension). */
  private async files(key: string): Promise<string[]> {
    const folder = this.folder(key);
    const names = await readdir(folder).catch(() => [] as string[]);
    return names.filter((n) => STORED_FILE.exec(n)?.[1] === key).map((n) => path.join(folder, n));
  }

  async put(bytes: Buffer, extension = 'wav'): Promise<StoredObject> {
    if (!EXTENSION.test(extension)) throw new Error(`not a recording file extension: ${extension.slice(0, 20)}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = path.join(this.folder(sha256), `${sha256}.${extension}`);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, target);
    return { key: sha256, sha256, sizeBytes: bytes.length };
  }

  async get(key: string): Promise<Buffer | undefined> {
    const [file] = await this.files(key);
    if (!file) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== key)
      throw new ChecksumMismatchError(`recording ${key} is corrupt`);
    return bytes;
  }

  async delete(key: string): Promise<void> {
    for (const file of await this.files(key)) await rm(file, { force: true });
  }

  async *list(): AsyncIterable<{ key: string; modifiedAt: Date }> {
    let level1: string[];
    try {
      level1 = await readdir(this.root);
    } catch {
      return;
    }
    for (const a of level1) {
      for (const b of await readdir(path.join(this.root, a)).catch(() => [] as string[])) {
        for (const f of await readdir(path.join(this.root, a, b)).catch(() => [] as string[])) {
          const key = STORED_FILE.exec(f)?.[1];
          if (!key) continue;
          const s = await stat(path.join(this.root, a, b, f));
          yield { key, modifiedAt: s.mtime };
        }
      }
    }
  }
}
