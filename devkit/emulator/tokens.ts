/**
 * The emulator's identity side:
 *  - an Entra-like token endpoint for the client-credentials grant (what MSAL calls), with the
 *    tenant's OpenID configuration and keys, and instance discovery;
 *  - user tokens for the Switchboard admin API with app roles (POST /emulator/user-token; `switchboard admin token`),
 *    signed with the keys the tenant's OpenID configuration publishes;
 *  - verification of the Graph access tokens it issued (signature, audience, issuer, lifetime);
 *  - signing of calling notifications the way Graph signs them (iss https://api.botframework.com,
 *    aud = the bot's app id), with the keys published under /botframework/v1.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
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
import type { RecordedRequest } from './types.js';

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const BOTFRAMEWORK_ISSUER = 'https://api.botframework.com';
const TOKEN_LIFETIME_S = 3599;
/** Application permissions a calling bot holds (what the token's `roles` lists). */
const APP_ROLES = [
  'Calls.AccessMedia.All',
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Presence.Read.All',
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
      roles: APP_ROLES,
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

  /** Throws GraphHttpError 401 InvalidAuthenticationToken unless `authorization` carries a valid Graph token. */
  async verifyGraphAuthorization(authorization: string | undefined): Promise<void> {
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

/** Express middleware: Graph requests must carry a token this emulator issued. */
export function requireGraphToken(keys: KeyRing) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await keys.verifyGraphAuthorization(req.header('authorization'));
      next();
    } catch (e) {
      if (e instanceof GraphHttpError) sendGraphError(req, res, e);
      else next(e);
    }
  };
}

function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Entra's OAuth error body. */
function sendEntraError(
  req: Request,
  res: Response,
  status: number,
  error: string,
  aadsts: number,
  description: string,
): void {
  const traceId = randomUUID();
  const correlationId = req.header('client-request-id') ?? randomUUID();
  const timestamp = entraTimestamp();
  res
    .status(status)
    .set({ 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' })
    .json({
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    });
}

/** The tenant's OpenID configuration (what MSAL takes as authority metadata). */
export function openIdConfiguration(baseUrl: string, tenantId: string): Record<string, unknown> {
  const t = `${baseUrl}/${tenantId}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${t}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'roles'],
    kerberos_endpoint: `${t}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** Routes of the identity side, mounted at the root of the emulator. */
export function identityRouter(keys: KeyRing, baseUrl: () => string, record: (r: RecordedRequest) => void): Router {
  const { tenantId, clientId, clientSecret } = keys.config;
  const router = express.Router();

  router.get('/botframework/v1/.well-known/OpenIdConfiguration', (_req, res) => {
    res.json({
      issuer: BOTFRAMEWORK_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${baseUrl()}/botframework/v1/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
  });
  router.get('/botframework/v1/keys', (_req, res) => {
    res.json({ keys: [keys.callbacks.publicJwk] });
  });

  const knownTenant = (t: string | undefined) => t === tenantId;

  router.get('/:tenant/v2.0/.well-known/openid-configuration', (req, res) => {
    if (!knownTenant(req.params.tenant)) {
      sendEntraError(req, res, 400, 'invalid_tenant', 90002, `Tenant '${req.params.tenant}' not found.`);
      return;
    }
    res.json(openIdConfiguration(baseUrl(), tenantId));
  });
  router.get('/:tenant/discovery/v2.0/keys', (req, res) => {
    res.json({ keys: [{ ...keys.sts.publicJwk, issuer: `${baseUrl()}/${tenantId}/v2.0` }] });
  });
  router.get('/common/discovery/instance', (req, res) => {
    const host = new URL(baseUrl()).host;
    res.json({
      tenant_discovery_endpoint: `${baseUrl()}/${tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  /**
   * Emulator only (Entra has no such endpoint): a signed-in user's token for the Switchboard API with the given app
   * roles, as an interactive sign-in would give it. `switchboard admin token --role Admin` calls this.
   */
  const userRoles = ['Switchboard.Admin', 'Switchboard.Supervisor', 'Switchboard.Agent'];
  router.post('/emulator/user-token', express.json({ limit: '10kb' }), async (req, res) => {
    const body = (req.body ?? {}) as { roles?: unknown; oid?: unknown; name?: unknown; audience?: unknown };
    const roles = Array.isArray(body.roles) ? body.roles.map(String) : [];
    const bad = roles.filter((r) => !userRoles.includes(r));
    if (roles.length === 0 || bad.length > 0) {
      res.status(400).json({
        error: {
          code: 'BadRequest',
          message: `roles: one or more of ${userRoles.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}`,
        },
      });
      return;
    }
    const oid = typeof body.oid === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(body.oid) ? body.oid : randomUUID();
    const name =
      typeof body.name === 'string' && body.name.trim()
        ? body.name.trim().slice(0, 200)
        : `Emulated ${roles.map((r) => r.replace('Switchboard.', '')).join('/')}`;
    const lifetime = TOKEN_LIFETIME_S;
    const accessToken = await keys.issueUserToken({
      issuer: `${baseUrl()}/${tenantId}/v2.0`,
      oid,
      name,
      roles,
      ...(typeof body.audience === 'string' && body.audience ? { audience: body.audience } : {}),
      lifetimeSeconds: lifetime,
    });
    res
      .set({ 'Cache-Control': 'no-store' })
      .json({ token_type: 'Bearer', expires_in: lifetime, access_token: accessToken, oid, name, roles });
  });

  router.post('/:tenant/oauth2/v2.0/token', express.urlencoded({ extended: false }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const redacted = { ...body, ...(body.client_secret ? { client_secret: '***' } : {}) };
    res.on('finish', () =>
      record({
        at: new Date().toISOString(),
        method: req.method,
        path: req.originalUrl,
        body: redacted,
        status: res.statusCode,
      }),
    );

    if (!knownTenant(req.params.tenant)) {
      sendEntraError(
        req,
        res,
        400,
        'invalid_request',
        90002,
        `Tenant '${req.params.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
      return;
    }
    // client_secret_basic is accepted as well as client_secret_post.
    let reqClientId = body.client_id;
    let reqSecret = body.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        reqClientId ??= decodeURIComponent(decoded.slice(0, i));
        reqSecret ??= decodeURIComponent(decoded.slice(i + 1));
      }
    }
    if (!body.grant_type) {
      sendEntraError(
        req,
        res,
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
      return;
    }
    if (body.grant_type !== 'client_credentials') {
      sendEntraError(
        req,
        res,
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${body.grant_type}'. This emulator supports only client_credentials.`,
      );
      return;
    }
    if (!reqClientId) {
      sendEntraError(
        req,
        res,
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
      return;
    }
    if (reqClientId !== clientId) {
      sendEntraError(
        req,
        res,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${reqClientId}' was not found in the directory '${tenantId}'.`,
      );
      return;
    }
    if (!reqSecret) {
      sendEntraError(
        req,
        res,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
      return;
    }
    if (reqSecret !== clientSecret) {
      sendEntraError(
        req,
        res,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
      return;
    }
    const scopes = (body.scope ?? '')
      .split(/\s+/)
      .filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
    const defaults = scopes.filter((s) => s.endsWith('/.default'));
    if (scopes.length === 0 || defaults.length !== 1 || scopes.length !== 1) {
      sendEntraError(
        req,
        res,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${body.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
      return;
    }
    let resource = defaults[0]!.slice(0, -'/.default'.length);
    if (resource === GRAPH_APP_ID) resource = GRAPH_RESOURCE;
    const accessToken = await keys.issueAccessToken(resource);
    res.set({ 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }).json({
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
      access_token: accessToken,
    });
  });

  return router;
}
