/**
 * The emulator's keys and the tokens it signs with them:
 *  - app-only access tokens for Graph (what the token endpoint, token-endpoint.ts, hands MSAL);
 *  - user tokens for the Switchboard admin API with app roles (user-token-endpoint.ts; `switchboard admin token`),
 *    signed with the keys the tenant's OpenID configuration publishes;
 *  - verification of the Graph access tokens it issued (signature, audience, issuer, lifetime);
 *  - signing of calling notifications the way Graph signs them (iss https://api.botframework.com,
 *    aud = the bot's app id), with the keys published under /botframework/v1.
 * The routes that publish the keys and documents are in identity-router.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response, NextFunction } from 'express';
import {
  SignJWT,
  calculateJwkThumbprint,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { GraphHttpError, sendGraphError } from './graph-error.js';

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const BOTFRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Entra's access-token lifetime as `expires_in` reports it. */
export const TOKEN_LIFETIME_S = 3599;
/**
 * Application permissions a calling bot holds (what the token's `roles` lists) unless the emulator is given others
 * (`appRoles`): everything Switchboard calls, so that by default nothing is refused (src/doctor/permissions.ts).
 */
export const DEFAULT_APP_ROLES: readonly string[] = [
  'Calls.AccessMedia.All',
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Presence.Read.All',
  'TeamsActivity.Send',
  'User.Read.All',
];

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, kty: 'RSA', use: 'sig', alg: 'RS256', x5t: kid } as JWK };
}

export interface IdentityConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The application permissions admin consent granted the app: its tokens' `roles`. Default DEFAULT_APP_ROLES. */
  roles?: readonly string[];
}

export class KeyRing {
  private cachedNotificationToken?: { token: string; refreshAfter: number };

  private constructor(
    readonly config: IdentityConfig,
    /** Signs access tokens (Entra's role). */
    readonly sts: SigningKey,
    /** Signs notification tokens (the calling platform's role). */
    readonly callbacks: SigningKey,
  ) {}

  static async create(config: IdentityConfig): Promise<KeyRing> {
    return new KeyRing(config, await makeKey(), await makeKey());
  }

  get stsIssuer(): string {
    return `https://sts.windows.net/${this.config.tenantId}/`;
  }

  /** An app-only access token shaped like Entra's v1 tokens for Graph. */
  async issueAccessToken(resource: string): Promise<string> {
    const { tenantId, clientId } = this.config;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      aio: randomUUID(),
      app_displayname: 'Switchboard (emulated)',
      appid: clientId,
      appidacr: '1',
      idp: this.stsIssuer,
      idtyp: 'app',
      oid: randomUUID(),
      rh: '0.emulated.',
      roles: [...(this.config.roles ?? DEFAULT_APP_ROLES)],
      sub: clientId,
      tenant_region_scope: 'EU',
      tid: tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.sts.kid, x5t: this.sts.kid })
      .setAudience(resource)
      .setIssuer(this.stsIssuer)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + TOKEN_LIFETIME_S + 300)
      .sign(this.sts.privateKey);
  }

  /**
   * A user's access token for the Switchboard API, shaped like Entra ID's v2.0 tokens: the signed-in user's object id
   * and name, the app roles assigned to them (`roles`), audience = the API (`api://<client id>` unless given), issuer
   * = this tenant's v2.0 issuer, signed with the keys published through the tenant's OpenID configuration. What the
   * admin API accepts, for the demo and the tests.
   */
  async issueUserToken(opts: {
    issuer: string;
    oid: string;
    name: string;
    roles: string[];
    audience?: string;
    lifetimeSeconds?: number;
  }): Promise<string> {
    const { tenantId, clientId } = this.config;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      aio: randomUUID(),
      azp: clientId,
      azpacr: '0',
      name: opts.name,
      oid: opts.oid,
      preferred_username: `${opts.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@emulated.onmicrosoft.com`,
      rh: '0.emulated.',
      roles: opts.roles,
      scp: 'access_as_user',
      sub: opts.oid,
      tid: tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '2.0',
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.sts.kid })
      .setAudience(opts.audience ?? `api://${clientId}`)
      .setIssuer(opts.issuer)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + (opts.lifetimeSeconds ?? TOKEN_LIFETIME_S))
      .sign(this.sts.privateKey);
  }

  /**
   * Throws GraphHttpError 401 InvalidAuthenticationToken unless `authorization` carries a valid Graph token; returns
   * the token's `roles` (its application permissions).
   */
  async verifyGraphAuthorization(authorization: string | undefined): Promise<string[]> {
    const fail = (message: string): never => {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
      });
    };
    if (!authorization) return fail('Access token is empty.');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) return fail('Access token is empty.');
    try {
      const { payload } = await jwtVerify(match[1], this.sts.publicJwk, {
        algorithms: ['RS256'],
        issuer: this.stsIssuer,
      });
      const aud = payload.aud;
      const audiences = Array.isArray(aud) ? aud : [aud];
      if (!audiences.some((a) => a === GRAPH_RESOURCE || a === `${GRAPH_RESOURCE}/` || a === GRAPH_APP_ID)) {
        return fail('Access token validation failure. Invalid audience.');
      }
      if (payload['tid'] !== this.config.tenantId) return fail('Access token validation failure. Invalid tenant.');
      const roles = payload['roles'];
      return Array.isArray(roles) ? roles.map(String) : [];
    } catch (e) {
      if (e instanceof GraphHttpError) throw e;
      if (e instanceof joseErrors.JWTExpired) return fail('Lifetime validation failed, the token is expired.');
      if (e instanceof joseErrors.JWTClaimValidationFailed)
        return fail(`Access token validation failure. Invalid ${e.claim}.`);
      if (e instanceof joseErrors.JWSSignatureVerificationFailed)
        return fail('Access token validation failure. Invalid signature.');
      return fail('Access token validation failure. The token is malformed or not issued by this tenant.');
    }
  }

  /** The bearer token on calling notifications; reused until shortly before it expires, like Graph's. */
  async notificationToken(): Promise<string> {
    const nowMs = Date.now();
    if (this.cachedNotificationToken && nowMs < this.cachedNotificationToken.refreshAfter)
      return this.cachedNotificationToken.token;
    const now = Math.floor(nowMs / 1000);
    const token = await new SignJWT({ tid: this.config.tenantId, serviceurl: 'https://api.aps.skype.com/' })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.callbacks.kid, x5t: this.callbacks.kid })
      .setIssuer(BOTFRAMEWORK_ISSUER)
      .setAudience(this.config.clientId)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + 3600)
      .sign(this.callbacks.privateKey);
    this.cachedNotificationToken = { token, refreshAfter: nowMs + 50 * 60 * 1000 };
    return token;
  }
}

/** Where requireGraphToken leaves the token's roles for the permission check (permissions.ts). */
export const GRAPH_ROLES = 'graphRoles';

/** Express middleware: Graph requests must carry a token this emulator issued. */
export function requireGraphToken(keys: KeyRing) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      res.locals[GRAPH_ROLES] = await keys.verifyGraphAuthorization(req.header('authorization'));
      next();
    } catch (e) {
      if (e instanceof GraphHttpError) sendGraphError(req, res, e);
      else next(e);
    }
  };
}
