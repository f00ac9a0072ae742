import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Time-limited links to one recording, for Grafana and the admin API: `…/api/recordings/{id}?exp=…&by=…&sig=…`.
 * The signature covers the id, the expiry and who asked for the link, so a link can't be widened or re-attributed.
 */
export function signRecordingLink(key: Buffer, recordingId: string, expiresAt: Date, actorId: string): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const by = encodeURIComponent(actorId);
  return `exp=${exp}&by=${by}&sig=${mac(key, recordingId, exp, actorId)}`;
}

export type LinkCheck =
  { ok: true; actorId: string } | { ok: false; reason: 'expired' | 'bad signature' | 'malformed' };

export function verifyRecordingLink(
  key: Buffer,
  recordingId: string,
  query: { exp?: unknown; by?: unknown; sig?: unknown },
  now = new Date(),
): LinkCheck {
  const { exp, by, sig } = query;
  if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof by !== 'string' || typeof sig !== 'string') {
    return { ok: false, reason: 'malformed' };
  }
  const expected = Buffer.from(mac(key, recordingId, Number(exp), by));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad signature' };
  if (Number(exp) * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, actorId: by };
}

function mac(key: Buffer, recordingId: string, exp: number, actorId: string): string {
  return createHmac('sha256', key).update(`${recordingId}\n${exp}\n${actorId}`).digest('base64url');
}
