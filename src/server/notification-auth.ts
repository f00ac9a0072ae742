import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { ASYMMETRIC_ALGORITHMS, bearerToken, RemoteKeys } from './remote-keys.js';

/** Microsoft's signing keys for calling notifications (msteams-docs, call notifications). */
export const MICROSOFT_CALLING_OPENID_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
/** The issuers Microsoft's own calling samples accept. */
export const NOTIFICATION_ISSUERS = ['https://api.botframework.com', 'https://graph.microsoft.com'];
/** Clock skew tolerated on nbf/exp. */
const CLOCK_TOLERANCE_S = 120;

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
}

export type Verdict = { ok: true; tenantId: string } | { ok: false; status: 401 | 403; reason: string };

/**
 * Checks the `Authorization: Bearer` JWT that Graph puts on every calling notification: signature through the
 * OpenID document's JWKS (jose caches the keys and refetches on an unknown `kid`), issuer, audience, lifetime and
 * the tenant allow-list. Nothing unauthenticated reaches Temporal.
 */
export class NotificationVerifier {
  private readonly keys: RemoteKeys;

  constructor(private readonly opts: NotificationAuthOptions) {
    this.keys = new RemoteKeys(opts.openIdConfigUrl, opts.jwksCooldownMs);
  }

  async verify(authorization: string | undefined): Promise<Verdict> {
    const token = bearerToken(authorization);
    if (!token)
      return { ok: false, status: 401, reason: authorization ? 'malformed bearer token' : 'missing bearer token' };
    let payload;
    try {
      const getKey = await this.keys.get();
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: NOTIFICATION_ISSUERS,
        audience: this.opts.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'nbf'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return { ok: false, status: 401, reason: describe(err) };
      // The key document could not be fetched: not the caller's fault, but nothing unverified gets in.
      this.opts.logger.error({ err: (err as Error).message }, 'cannot load notification signing keys');
      return { ok: false, status: 401, reason: 'signing keys unavailable' };
    }
    const tid = typeof payload.tid === 'string' ? payload.tid : undefined;
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
          res
            .status(verdict.status)
            .json({ error: { code: verdict.status === 401 ? 'Unauthorized' : 'Forbidden', message: verdict.reason } });
        },
        (err: unknown) => next(err),
      );
    };
  }
}

export function describe(err: joseErrors.JOSEError): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim ${err.claim} invalid`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad token signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token signed by an unknown key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  return 'invalid token';
}
