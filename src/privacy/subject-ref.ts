import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSubject } from './phone.js';

/**
 * How an audit row names the person a privacy request was about: a keyed hash (HMAC-SHA256) of their E.164 number or
 * Teams id, never the number itself. The same person always gets the same reference, so a later request can find
 * the earlier ones (`subjectRef` again), while a leaked audit table gives nothing away: phone numbers are few enough
 * to be guessed through a plain hash, not through one keyed with a secret.
 */
export function subjectRef(subject: DataSubject, key: Buffer): string {
  const value = subject.kind === 'phone' ? `phone:${subject.e164}` : `user:${subject.id}`;
  return `subject:hmac-sha256:${createHmac('sha256', key).update(value).digest('base64url').slice(0, 32)}`;
}

export class PrivacyKeyError extends Error {}

/**
 * The HMAC key: PRIVACY_HMAC_KEY (or _FILE). Without it, in production (NODE_ENV=production) nothing runs, since a
 * key made up on the spot would give the same person a new reference each time; on the embedded stack a random
 * key is made once and kept in the data folder.
 */
export function privacyHmacKey(configured: string | undefined, dataDir: string, env = process.env): Buffer {
  if (configured) return Buffer.from(configured);
  if (env.NODE_ENV === 'production')
    throw new PrivacyKeyError(
      'Invalid configuration: PRIVACY_HMAC_KEY (or PRIVACY_HMAC_KEY_FILE) is required with NODE_ENV=production: ' +
        'audit rows name a person by a keyed hash made with it (at least 32 characters, e.g. `openssl rand -base64 48`)',
    );
  const file = path.join(dataDir, 'privacy-hmac.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(48).toString('base64');
  // 'wx': two first runs at once both end up with the key the first one wrote.
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim());
}
