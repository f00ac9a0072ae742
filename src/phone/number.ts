/**
 * Phone numbers, read and checked by libphonenumber-js: the one place Switchboard parses, normalises or matches a
 * number (callback entry in the call workflow, privacy requests, the CDR, the CLI, the Graph emulator).
 *
 * Pure and deterministic (no I/O, no clock), so workflow code may import it: Temporal's webpack bundles it with the
 * call workflow.
 *
 * Metadata: `max`, knowingly. `min` (80 kB) makes isValid() a length check only; `max` (145 kB, in each workflow
 * bundle) checks the digits against each country's number ranges and knows number types. A callback is a call we
 * place and pay for, so a number keyed with a wrong digit is refused and the caller asked again, and a premium-rate
 * number is never dialled. Numbers we only read (Graph's caller ids, stored rows) are accepted when possible in
 * length, so a range newer than the pinned metadata still matches.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A two-letter country (ISO 3166-1 alpha-2) that libphonenumber has numbering rules for. */
export function isPhoneCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

function country(code: string | undefined): CountryCode | undefined {
  return code !== undefined && isPhoneCountry(code) ? (code as CountryCode) : undefined;
}

/** International dialling prefixes a person may key instead of '+': 00 (most of the world) and 011 (North America). */
const IDD = /^(?:00|011)(?=[1-9])/;

/** Why a number keyed or written by a person was not taken. */
export type NumberProblem = 'notANumber' | 'invalid' | 'premiumRate';

export type ReadNumber = { e164: string; country?: string } | { problem: NumberProblem };

/**
 * A number as a person keys or writes it, read in `region` (the country of the line they dialled, or of whoever
 * typed it) when it has no country code: `4255550100` on a US line, `020 7946 0958` on a UK one. With a country code
 * it may start with `+`, the region's own international prefix (the library strips it: 011 in the US, 00 in
 * Europe), or `00`/`011` from any line. Bare digits that are not a national number of the region but are a valid
 * number once read as international (`14255550100`) are taken too: a keypad has no '+'. Only valid numbers
 * (max metadata: digits, not just length) and never premium rate.
 */
export function readPhoneNumber(raw: string, region?: string): ReadNumber {
  const text = raw.trim();
  if (!/\d/.test(text) || /[^\d\s().+\-/]/.test(text)) return { problem: 'notANumber' };
  const digits = text.replace(/\D/g, '');
  const candidates = [
    parsePhoneNumberFromString(text, country(region)),
    ...(!text.startsWith('+') && IDD.test(digits) ? [parsePhoneNumberFromString(`+${digits.replace(IDD, '')}`)] : []),
    ...(!text.startsWith('+') && !digits.startsWith('0') && digits.length >= 8
      ? [parsePhoneNumberFromString(`+${digits}`)]
      : []),
  ];
  const found = candidates.find((n) => n?.isValid());
  if (!found) return { problem: 'invalid' };
  if (found.getType() === 'PREMIUM_RATE') return { problem: 'premiumRate' };
  return { e164: found.number, ...(found.country ? { country: found.country } : {}) };
}

/**
 * E.164 for a number stored or received, in whatever format (Graph's identities, with or without '+'; a CDR row; an
 * old row in national format, read in `region`). Lenient: possible in length is enough. undefined: not a number.
 */
export function normalisePhoneNumber(raw: string, region?: string): string | undefined {
  const text = raw.trim().replace(/^tel:/i, '');
  // Letters: a Teams user's id or a name, never a number (the library would otherwise pick digits out of a GUID).
  if (!/\d/.test(text) || /[^\d\s().+\-/]/.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  const candidates = [
    () => parsePhoneNumberFromString(text, country(region)),
    () =>
      !text.startsWith('+') && IDD.test(digits) ? parsePhoneNumberFromString(`+${digits.replace(IDD, '')}`) : undefined,
    () => (!text.startsWith('+') && digits.length >= 8 ? parsePhoneNumberFromString(`+${digits}`) : undefined),
  ];
  // Valid first (an exact reading), then merely possible: a number Graph put through is real even if newer than our metadata.
  for (const check of ['isValid', 'isPossible'] as const) {
    for (const parse of candidates) {
      const n = parse();
      if (n?.[check]()) return n.number;
    }
  }
  return undefined;
}

/** An E.164 string as the standard says: '+', a country code, at most 15 digits, of a possible length for its country. */
export function isE164(value: string): boolean {
  if (!/^\+[1-9]\d{1,14}$/.test(value)) return false;
  const n = parsePhoneNumberFromString(value);
  return n !== undefined && n.number === value && n.isPossible();
}

/** The national significant number of an E.164 number: what any stored form of it ends with. */
export function nationalNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/\D/g, '');
}

/** The country a number belongs to (by its country code and ranges); undefined for non-geographic or unknown. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

/** A number for a person to read: international format (`+44 20 7946 0958`); anything else as it was given. */
export function displayPhoneNumber(value: string): string {
  const e164 = normalisePhoneNumber(value);
  return e164 ? (parsePhoneNumberFromString(e164)?.formatInternational() ?? value) : value;
}
