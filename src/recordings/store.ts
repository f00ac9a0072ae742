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
  put(bytes: Buffer): Promise<StoredObject>;
  /** The bytes, checked against their checksum; undefined when absent. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** Every key with its last-modified time, for the orphan sweep after retention. */
  list(): AsyncIterable<{ key: string; modifiedAt: Date }>;
}

const KEY = /^[0-9a-f]{64}$/;

export class ChecksumMismatchError extends Error {}

/** Content-addressed files under a folder: `ab/cd/abcd…ef.wav`, written atomically (temp file + rename). */
export class FolderRecordingStore implements RecordingStore {
  constructor(readonly root: string) {}

  private file(key: string): string {
    // Keys are hex digests only: nothing a caller passes can walk out of the folder.
    if (!KEY.test(key)) throw new Error(`not a recording key: ${key.slice(0, 80)}`);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), `${key}.wav`);
  }

  async put(bytes: Buffer): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.file(sha256);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, target);
    return { key: sha256, sha256, sizeBytes: bytes.length };
  }

  async get(key: string): Promise<Buffer | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (createHash('sha256').update(bytes).digest('hex') !== key)
      throw new ChecksumMismatchError(`recording ${key} is corrupt`);
    return bytes;
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
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
          const key = f.replace(/\.wav$/, '');
          if (!KEY.test(key)) continue;
          const s = await stat(path.join(this.root, a, b, f));
          yield { key, modifiedAt: s.mtime };
        }
      }
    }
  }
}
