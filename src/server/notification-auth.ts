import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { ASYMMETRIC_ALGORITHMS, bearerToken, describe, RemoteKeys } from '../auth/remote-keys.js';

/** Microsoft's signing keys for calling notifications (msteams-docs, call notifications). */
export const MICROSOFT_CALLING_OPENID_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
/** The issuers Microsoft's own calling samples accept. */
export const NOTIFICATION_ISSUERS = ['https://api.botframework.com', 'https://graph.microsoft.com'];
/** Clock skew tolerated on nbf/exp. */
const CLOCK_TOLERANCE_S = 120;
/** Tokens remembered as verified: Graph reuses one for about an hour, so a handful covers every sender. */
const VERIFIED_TOKENS_KEPT = 64;

export interface NotificationAuthOptions {
  /** The OpenID configuration document whose JWKS signs the tokens; a function when it is known only later. */
  openIdConfigUrl: string | (() => string);
  /** The bot's app id: the tokens' audience. */
  audience: string;
  /** Tenants whose calls we serve (`tid` claim). */
  allowedTenants: string[];
  logger: Logger;
  /** Minimum time between two fetches of the key set (an unknown `kid` triggers one). Default 30 s. */
  jwksCooldownMs?: number;
  /** How long fetched keys are used before they are fetched again. Default 24 h. */
  jwksCacheMaxAgeMs?: number;
}

export type Verdict = { ok: true; tenantId: string } | { ok: false; status: 401 | 403 | 503; reason: string };

/**
 * The key set could not be fetched (network, timeout, an error status, a bad document): not the token's fault. jose
 * reports a non-200 answer as its generic JOSEError, and a token's faults as its subclasses.
 */
function keysUnreachable(err: unknown): boolean {
  return (
    !(err instanceof joseErrors.JOSEError) ||
    err.constructor === joseErrors.JOSEError ||
    err instanceof joseErrors.JWKSTimeout ||
    err instanceof joseErrors.JWKSInvalid
  );
}

/**
 * Checks the `Authorization: Bearer` JWT that Graph puts on every calling notification: signature through the
 * OpenID document's JWKS (jose caches the keys and refetches on an unknown `kid`), issuer, audience, lifetime and
 * the tenant allow-list. Nothing unauthenticated reaches Temporal.
 */
export class NotificationVerifier {
  private readonly keys: RemoteKeys;
  /**
   * Tokens already verified, until their `exp` (with the same tolerance): a token is good until its exp (an hour)
   * and is reused on the notifications sent meanwhile, and checking its RS256 signature again for each (a call
   * brings a dozen) was 2% of the web process's main thread under load (issue 25). Only successes are kept; a
   * token's tenant is checked anew.
   */
  private readonly verified = new Map<string, { tenantId: string | undefined; expiresMs: number }>();

  constructor(private readonly opts: NotificationAuthOptions) {
    this.keys = new RemoteKeys(opts.openIdConfigUrl, opts.jwksCooldownMs, opts.jwksCacheMaxAgeMs);
  }

  async verify(authorization: string | undefined): Promise<Verdict> {
    const token = bearerToken(authorization);
    if (!token)
      return { ok: false, status: 401, reason: authorization ? 'malformed bearer token' : 'missing bearer token' };
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresMs) return this.tenantVerdict(known.tenantId);
    if (known) this.verified.delete(token);
    const check = (getKey: JWTVerifyGetKey) =>
      jwtVerify(token, getKey, {
        issuer: NOTIFICATION_ISSUERS,
        audience: this.opts.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'nbf'],
      });
    let payload;
    try {
      ({ payload } = await check(await this.keys.get()));
    } catch (err) {
      if (!keysUnreachable(err)) return { ok: false, status: 401, reason: describe(err as joseErrors.JOSEError) };
      // The key endpoint is down: the keys fetched last still verify what they signed. Anything they cannot verify
      // may be signed by a key we could not fetch, so Graph is told to retry (503), never that it is refused (401).
      this.opts.logger.error({ err: (err as Error).message }, 'cannot load notification signing keys');
      const last = this.keys.lastFetched();
      try {
        if (!last) throw err;
        ({ payload } = await check(last));
      } catch (again) {
        if (last && !keysUnreachable(again) && !(again instanceof joseErrors.JWKSNoMatchingKey))
          return { ok: false, status: 401, reason: describe(again as joseErrors.JOSEError) };
        return { ok: false, status: 503, reason: 'signing keys unavailable; retry later' };
      }
    }
    const tid = typeof payload.tid === 'string' ? payload.tid : undefined;
    if (typeof payload.exp === 'number') this.remember(token, tid, (payload.exp + CLOCK_TOLERANCE_S) * 1000);
    return this.tenantVerdict(tid);
  }

  private remember(token: string, tenantId: string | undefined, expiresMs: number): void {
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { tenantId, expiresMs });
  }

  private tenantVerdict(tid: string | undefined): Verdict {
    if (!tid) return { ok: false, status: 403, reason: 'token has no tenant' };
    if (!this.opts.allowedTenants.includes(tid)) return { ok: false, status: 403, reason: 'tenant not allowed' };
    return { ok: true, tenantId: tid };
  }

  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.verify(req.header('authorization')).then(
        (verdict) => {
          if (verdict.ok) return next();
          // Never log the token itself; the reason and the peer are enough to investigate.
          this.opts.logger.warn(
            { status: verdict.status, reason: verdict.reason, ip: req.ip },
            'rejected calling notification',
          );
          if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
          if (verdict.status === 503) res.setHeader('Retry-After', '10');
          const code = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'ServiceUnavailable' }[verdict.status];
          res.status(verdict.status).json({ error: { code, message: verdict.reason } });
        },
        (err: unknown) => next(err),
      );
    };
  }
}
