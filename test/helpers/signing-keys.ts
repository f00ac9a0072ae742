import type { Server } from 'node:http';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';

/**
 * A key publisher shaped like Microsoft's calling OpenID document (issuer, jwks_uri), serving real keys over HTTP,
 * so tests can sign every kind of token: valid, expired, wrong audience, wrong tenant, unknown key.
 */
export class SigningKeys {
  private readonly keys = new Map<string, { privateKey: CryptoKey; jwk: JWK }>();
  private published: string[] = [];
  private server?: Server;
  url = '';
  /** How many times the key set was fetched. */
  fetches = 0;

  constructor(readonly issuer = 'https://api.botframework.com') {}

  async start(): Promise<this> {
    const app = express();
    app.get('/.well-known/OpenIdConfiguration', (_req, res) => {
      res.json({ issuer: this.issuer, jwks_uri: `${this.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    });
    app.get('/keys', (_req, res) => {
      this.fetches++;
      res.json({ keys: this.published.map((kid) => this.keys.get(kid)!.jwk) });
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  get openIdConfigUrl(): string {
    return `${this.url}/.well-known/OpenIdConfiguration`;
  }

  async addKey(kid: string, publish = true): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
    this.keys.set(kid, { privateKey, jwk });
    if (publish) this.published.push(kid);
  }

  publish(kid: string): void {
    this.published.push(kid);
  }

  /** A notification token the way Graph signs them; every claim can be overridden (undefined removes it). */
  async sign(opts: { kid: string; claims?: Record<string, unknown>; nbf?: number; exp?: number }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: 'bot-app-id',
      tid: 'tenant-a',
      iat: now,
      nbf: opts.nbf ?? now - 5,
      exp: opts.exp ?? now + 3600,
      ...opts.claims,
    };
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid, typ: 'JWT' })
      .sign(this.keys.get(opts.kid)!.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
