import { describe, expect, it } from 'vitest';
import {
  displayPhoneNumber,
  isE164,
  isPhoneCountry,
  normalisePhoneNumber,
  readPhoneNumber,
} from '../../src/phone/number.js';
import { parseSubject, InvalidSubjectError } from '../../src/privacy/phone.js';
import { SubjectMatcher } from '../../src/privacy/matching.js';
import { ConfigError, loadConfig } from '../../src/config.js';

/**
 * Issue 26, point 1: phone numbers by libphonenumber-js (src/phone/number.ts, max metadata). A US, a UK, a French and a
 * German number, each national (in its own country) and international (+, 00, 011), and numbers that are not.
 * The numbers are from the ranges each regulator keeps for drama and examples (555-01xx, 020 7946 0xxx…).
 */
const NUMBERS = [
  { country: 'US', e164: '+14255550100', national: '(425) 555-0100', keyed: '4255550100' },
  { country: 'GB', e164: '+442079460958', national: '020 7946 0958', keyed: '02079460958' },
  { country: 'FR', e164: '+33142685300', national: '01 42 68 53 00', keyed: '0142685300' },
  { country: 'DE', e164: '+493012345678', national: '030 12345678', keyed: '03012345678' },
] as const;

describe('reading a number a person keyed or wrote', () => {
  for (const n of NUMBERS) {
    it(`${n.country}: national, in its own country, written or keyed`, () => {
      expect(readPhoneNumber(n.national, n.country)).toEqual({ e164: n.e164, country: n.country });
      expect(readPhoneNumber(n.keyed, n.country)).toEqual({ e164: n.e164, country: n.country });
    });

    it(`${n.country}: international with +, 00 or 011, from a line in any of the four countries`, () => {
      const digits = n.e164.slice(1);
      for (const line of ['US', 'GB', 'FR', 'DE']) {
        expect(readPhoneNumber(n.e164, line)).toMatchObject({ e164: n.e164 });
        expect(readPhoneNumber(`00${digits}`, line)).toMatchObject({ e164: n.e164 });
        expect(readPhoneNumber(`011${digits}`, line)).toMatchObject({ e164: n.e164 });
      }
    });
  }

  it('011 becomes the international prefix, never part of the number (+011… before)', () => {
    expect(readPhoneNumber('011442079460958', 'US')).toEqual({ e164: '+442079460958', country: 'GB' });
  });

  it('a UK national number that starts with 011 (Leeds, 0113) stays a UK number on a UK line', () => {
    expect(readPhoneNumber('01134960000', 'GB')).toEqual({ e164: '+441134960000', country: 'GB' });
  });

  it('a national number is read in the line’s country: the same digits are a different number elsewhere', () => {
    expect(readPhoneNumber('0142685300', 'FR')).toMatchObject({ e164: '+33142685300' });
    expect(readPhoneNumber('0142685300', 'US')).toEqual({ problem: 'invalid' });
  });

  it('digits with their country code but no prefix (a keypad has no +) are read as international', () => {
    expect(readPhoneNumber('14255550100', 'DE')).toEqual({ e164: '+14255550100', country: 'US' });
  });

  it.each([
    ['too short', '12', 'US'],
    ['a US number of 7 digits', '5550100', 'US'],
    ['a US area code that cannot start with 1', '1234567890', 'US'],
    ['a UK number one digit short', '020794609', 'GB'],
    ['a German mobile prefix with too few digits', '01512345678', 'DE'],
    ['a national number with no line country to read it in', '4255550100', undefined],
    ['zeros', '0000', 'FR'],
  ])('refuses %s (%s in %s)', (_what, digits, line) => {
    expect(readPhoneNumber(digits, line)).toEqual({ problem: 'invalid' });
  });

  it('refuses a premium-rate number (max metadata knows the type): a callback never dials one', () => {
    expect(readPhoneNumber('09001234567', 'DE')).toEqual({ problem: 'premiumRate' });
  });

  it('refuses text that is not a number, and ignores a line country libphonenumber does not know', () => {
    expect(readPhoneNumber('call me', 'US')).toEqual({ problem: 'notANumber' });
    expect(readPhoneNumber('425555010a', 'US')).toEqual({ problem: 'notANumber' });
    expect(readPhoneNumber('+14255550100', 'XX')).toMatchObject({ e164: '+14255550100' });
    expect(isPhoneCountry('GB')).toBe(true);
    expect(isPhoneCountry('XX')).toBe(false);
    expect(isPhoneCountry('gb')).toBe(false);
  });
});

describe('numbers stored or received (Graph caller ids, CDR rows)', () => {
  it('normalises Graph’s identities with or without +, and old rows in national format in PHONE_REGION', () => {
    expect(normalisePhoneNumber('14255550100')).toBe('+14255550100');
    expect(normalisePhoneNumber('+1 425-555-0100')).toBe('+14255550100');
    expect(normalisePhoneNumber('tel:+442079460958')).toBe('+442079460958');
    expect(normalisePhoneNumber('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalisePhoneNumber('00 33 1 42 68 53 00')).toBe('+33142685300');
  });

  it('never reads a Teams user id or a name as a number', () => {
    expect(normalisePhoneNumber('00000000-0000-4000-8000-00000000c0de')).toBeUndefined();
    expect(normalisePhoneNumber('Adele Vance')).toBeUndefined();
  });

  it('shows numbers in international format', () => {
    expect(NUMBERS.map((n) => displayPhoneNumber(n.e164))).toEqual([
      '+1 425 555 0100',
      '+44 20 7946 0958',
      '+33 1 42 68 53 00',
      '+49 30 12345678',
    ]);
    expect(displayPhoneNumber('anonymous')).toBe('anonymous');
  });

  it('checks E.164 as the emulator must (a + and a possible number of its country code)', () => {
    expect(NUMBERS.every((n) => isE164(n.e164))).toBe(true);
    expect(isE164('14255550100')).toBe(false);
    expect(isE164('+1 425 555 0100')).toBe(false);
    expect(isE164('+9991234567')).toBe(false);
    expect(isE164('+4420')).toBe(false);
  });
});

describe('privacy requests name and match numbers the same way', () => {
  it('a request written nationally (PHONE_REGION) or with 00/011 names the same person', () => {
    for (const n of NUMBERS) {
      expect(parseSubject(n.national, n.country)).toEqual({ kind: 'phone', e164: n.e164 });
      expect(parseSubject(`00${n.e164.slice(1)}`)).toEqual({ kind: 'phone', e164: n.e164 });
      expect(parseSubject(`011 ${n.e164.slice(1)}`, 'US')).toEqual({ kind: 'phone', e164: n.e164 });
    }
    expect(() => parseSubject('12345', 'US')).toThrow(InvalidSubjectError);
  });

  it('matches every stored form of the number and no other number', () => {
    const m = new SubjectMatcher({ kind: 'phone', e164: '+442079460958' }, 'GB');
    for (const stored of ['+442079460958', '442079460958', '020 7946 0958', '0044 20 7946 0958'])
      expect(m.is(stored)).toBe(true);
    for (const stored of ['+442079460959', '+14255550100', '02079460958 ext', null]) expect(m.is(stored)).toBe(false);
  });
});

describe('PHONE_REGION, where numbers written without a country code are read', () => {
  it('takes a country libphonenumber knows and refuses one it does not, with one line naming the variable', () => {
    expect(loadConfig({ PHONE_REGION: 'GB' }).privacy.phoneRegion).toBe('GB');
    expect(() => loadConfig({ PHONE_REGION: 'UK' })).toThrow(ConfigError);
    expect(() => loadConfig({ PHONE_REGION: 'UK' })).toThrow(
      /^Invalid configuration: PHONE_REGION="UK": not a country/,
    );
    expect(() => loadConfig({ PHONE_REGION: 'gb' })).toThrow(/PHONE_REGION="gb": expected a two-letter country code/);
  });
});
