import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { ASYMMETRIC_ALGORITHMS, bearerToken, describe, RemoteKeys } from '../auth/remote-keys.js';

/** App roles defined on the Switchboard app registration (docs/azure-setup.md). */
export const ROLES = ['Switchboard.Admin', 'Switchboard.Supervisor', 'Switchboard.Agent'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling the admin API, from their Entra ID token. */
export interface Caller {
  objectId: string;
  name: string;
  tenantId: string;
  roles: Role[];
  ip: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export interface AdminAuthOptions {
  /** The tenant's OpenID configuration (Entra ID v2.0 endpoint); its issuer and keys are trusted. */
  openIdConfigUrl: string | (() => string);
  /** Accepted audiences: the API's App ID URI and/or client id. */
  audiences: string[];
  allowedTenants: string[];
  logger: Logger;
  jwksCooldownMs?: number;
  /** Failed authentications per address allowed per minute before 429. */
  maxFailuresPerMinute?: number;
}

/**
 * Entra ID bearer tokens for the admin API: signature through the tenant's JWKS, issuer from its OpenID document,
 * audience, lifetime, tenant, and app roles. Repeated failures from one address are slowed down with 429.
 */
export class AdminAuth {
  private readonly keys: RemoteKeys;
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(private readonly opts: AdminAuthOptions) {
    this.keys = new RemoteKeys(opts.openIdConfigUrl, opts.jwksCooldownMs);
  }

  private limited(ip: string, now: number): boolean {
    const f = this.failures.get(ip);
    return Boolean(f && now - f.windowStart < 60_000 && f.count >= (this.opts.maxFailuresPerMinute ?? 20));
  }

  private fail(ip: string, now: number): void {
    const f = this.failures.get(ip);
    if (!f || now - f.windowStart >= 60_000) this.failures.set(ip, { count: 1, windowStart: now });
    else f.count++;
    if (this.failures.size > 10_000) this.failures.clear(); // bounded memory under a spray of addresses
  }

  authenticate(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const ip = req.ip ?? 'unknown';
      const now = Date.now();
      if (this.limited(ip, now)) {
        res.setHeader('Retry-After', '60');
        res
          .status(429)
          .json({ error: { code: 'TooManyRequests', message: 'too many failed sign-ins from this address' } });
        return;
      }
      this.verify(req.header('authorization')).then(
        (result) => {
          if ('caller' in result) {
            req.caller = { ...result.caller, ip };
            return next();
          }
          this.fail(ip, now);
          this.opts.logger.warn(
            { ip, status: result.status, reason: result.reason },
            'admin API authentication failed',
          );
          if (result.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
          res
            .status(result.status)
            .json({ error: { code: result.status === 401 ? 'Unauthorized' : 'Forbidden', message: result.reason } });
        },
        (err: unknown) => next(err),
      );
    };
  }

  private async verify(
    authorization: string | undefined,
  ): Promise<{ caller: Omit<Caller, 'ip'> } | { status: 401 | 403; reason: string }> {
    const token = bearerToken(authorization);
    if (!token) return { status: 401, reason: authorization ? 'malformed bearer token' : 'missing bearer token' };
    let payload;
    try {
      const issuer = await this.keys.issuer();
      ({ payload } = await jwtVerify(token, await this.keys.get(), {
        ...(issuer ? { issuer } : {}),
        audience: this.opts.audiences,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: 120,
        requiredClaims: ['exp', 'oid', 'tid'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return { status: 401, reason: describe(err) };
      this.opts.logger.error({ err: (err as Error).message }, 'cannot load Entra ID signing keys');
      return { status: 401, reason: 'signing keys unavailable' };
    }
    const tid = String(payload.tid);
    if (!this.opts.allowedTenants.includes(tid)) return { status: 403, reason: 'tenant not allowed' };
    const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter((r): r is Role =>
      ROLES.includes(r as Role),
    );
    if (roles.length === 0) return { status: 403, reason: 'no Switchboard role assigned' };
    return {
      caller: {
        objectId: String(payload.oid),
        name: typeof payload.name === 'string' ? payload.name : String(payload.oid),
        tenantId: tid,
        roles,
      },
    };
  }
}

/** Only callers holding one of these roles get through. */
export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, res, next) => {
    if (req.caller?.roles.some((r) => allowed.includes(r))) return next();
    res.status(403).json({ error: { code: 'Forbidden', message: `requires one of: ${allowed.join(', ')}` } });
  };
}
