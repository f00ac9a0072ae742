import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { RemoteKeys } from '../../src/auth/remote-keys.js';
import { SigningKeys } from '../helpers/signing-keys.js';

// A notification's bearer token is good until its exp (an hour in the tokens seen, and the emulator reuses one for
// 50 minutes, devkit/emulator/tokens.ts): once its signature is checked, the verifier takes it at its word until it
// expires (issue 25: the RS256 check per notification was 2% of the web process's main thread under load).
const keys = new SigningKeys();
let verifier: NotificationVerifier;

beforeAll(async () => {
  await keys.start();
  await keys.addKey('k1');
  verifier = new NotificationVerifier({
    openIdConfigUrl: keys.openIdConfigUrl,
    audience: 'bot-app-id',
    allowedTenants: ['tenant-a'],
    logger: pino({ level: 'silent' }),
    jwksCooldownMs: 0,
  });
});

afterAll(() => keys.stop());
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

it('checks a token once, then accepts it again without its keys or signature, until it expires', async () => {
  const keyLookups = vi.spyOn(RemoteKeys.prototype, 'get');
  const now = Math.floor(Date.now() / 1000);
  const token = await keys.sign({ kid: 'k1', exp: now + 60 });
  for (let i = 0; i < 12; i++)
    expect(await verifier.verify(`Bearer ${token}`)).toEqual({ ok: true, tenantId: 'tenant-a' });
  expect(keyLookups).toHaveBeenCalledTimes(1);

  // Past its exp and the 120 s of tolerated skew: checked again, and refused as expired.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime((now + 60 + 121) * 1000);
  const verdict = await verifier.verify(`Bearer ${token}`);
  expect(verdict).toMatchObject({ ok: false, status: 401 });
  expect(keyLookups).toHaveBeenCalledTimes(2);
});

it('remembers no refusal, and still applies the tenant allow-list to a remembered token', async () => {
  const other = await keys.sign({ kid: 'k1', claims: { tid: 'tenant-b' } });
  expect(await verifier.verify(`Bearer ${other}`)).toEqual({ ok: false, status: 403, reason: 'tenant not allowed' });
  expect(await verifier.verify(`Bearer ${other}`)).toEqual({ ok: false, status: 403, reason: 'tenant not allowed' });

  const keyLookups = vi.spyOn(RemoteKeys.prototype, 'get');
  const wrongAudience = await keys.sign({ kid: 'k1', claims: { aud: 'someone-else' } });
  for (let i = 0; i < 2; i++)
    expect(await verifier.verify(`Bearer ${wrongAudience}`)).toMatchObject({ ok: false, status: 401 });
  expect(keyLookups).toHaveBeenCalledTimes(2);
});
