import { nationalNumber, normalisePhoneNumber } from '../phone/number.js';

/** A person a privacy request is about: a phone number (E.164) or a Teams user (their Entra ID object id). */
export type DataSubject = { kind: 'phone'; e164: string } | { kind: 'user'; id: string };

export class InvalidSubjectError extends Error {}

const ENTRA_OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * E.164 for a number as written by a person or stored by us: `+1 (425) 555-0100`, `00 1 425 555 0100`,
 * `011 44 20 7946 0958`, or national digits in `region`; Graph's PSTN identities with or without the `+`
 * (src/phone/number.ts, libphonenumber-js). undefined: not a number.
 */
export function toE164(raw: string, region?: string): string | undefined {
  return normalisePhoneNumber(raw, region);
}

/** What `--caller` names; a clear error for anything that is neither a valid number nor a Teams user id. */
export function parseSubject(raw: string, region?: string): DataSubject {
  const trimmed = raw.trim();
  if (ENTRA_OBJECT_ID.test(trimmed)) return { kind: 'user', id: trimmed.toLowerCase() };
  const e164 = toE164(trimmed, region);
  if (e164) return { kind: 'phone', e164 };
  throw new InvalidSubjectError(
    `not a valid phone number or Teams user id: ${JSON.stringify(trimmed)} (write the number with its country code, ` +
      `e.g. +14255550100, or set PHONE_REGION for national numbers)`,
  );
}

/** The digits a stored value must end with to be this number, in whatever format it was stored (for a SQL prefilter). */
export function nationalDigits(e164: string): string {
  return nationalNumber(e164);
}
