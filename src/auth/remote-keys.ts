import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose';

/**
 * Signing keys published through an OpenID configuration document (its `jwks_uri`). jose caches the keys and
 * refetches them when a token names an unknown `kid` (key rotation), at most once per cooldown.
 */
export class RemoteKeys {
  private keys?: { url: string; getKey: ReturnType<typeof createRemoteJWKSet>; issuer?: string };
  private loading?: Promise<JWTVerifyGetKey>;

  constructor(
    /** A function when the document's address is only known later (the emulator starts after the web process). */
    private readonly openIdConfigUrl: string | (() => string),
    private readonly cooldownMs = 30_000,
    /** How long fetched keys are used before jose fetches them again. */
    private readonly cacheMaxAgeMs = 24 * 3600_000,
  ) {}

  async get(): Promise<JWTVerifyGetKey> {
    const url = typeof this.openIdConfigUrl === 'function' ? this.openIdConfigUrl() : this.openIdConfigUrl;
    if (this.keys?.url === url) return this.keys.getKey;
    this.loading ??= (async () => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`OpenID configuration ${url} answered ${res.status}`);
        const doc = (await res.json()) as { jwks_uri?: unknown; issuer?: unknown };
        if (typeof doc.jwks_uri !== 'string') throw new Error(`OpenID configuration ${url} has no jwks_uri`);
        const getKey = createRemoteJWKSet(new URL(doc.jwks_uri), {
          cooldownDuration: this.cooldownMs,
          cacheMaxAge: this.cacheMaxAgeMs,
        });
        this.keys = { url, getKey, ...(typeof doc.issuer === 'string' ? { issuer: doc.issuer } : {}) };
        return getKey;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /**
   * The keys last fetched, to verify with while the key endpoint is down: jose drops to fetching again once its cache
   * is old or a token names a new key, and a failed fetch must not turn Graph's valid notifications away for good.
   */
  lastFetched(): JWTVerifyGetKey | undefined {
    const jwks = this.keys?.getKey.jwks();
    return jwks ? createLocalJWKSet(jwks) : undefined;
  }

  /** The `issuer` the OpenID document declares (Entra ID: https://login.microsoftonline.com/{tenant}/v2.0). */
  async issuer(): Promise<string | undefined> {
    await this.get();
    return this.keys?.issuer;
  }
}

/** Token algorithms we accept: asymmetric only, so `none` and HMAC tricks never verify. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384'];

/** `Authorization: Bearer <jwt>` → the compact JWT, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/.exec(header ?? '');
  return m?.[1];
}

/** Why a token was refused, in words safe to log and to answer with (never the token). */
export function describe(err: joseErrors.JOSEError): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim ${err.claim} invalid`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad token signature';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token signed by an unknown key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  return 'invalid token';
}
