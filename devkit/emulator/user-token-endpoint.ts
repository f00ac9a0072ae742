/**
 * Emulator only (Entra has no such endpoint): POST /emulator/user-token mints a signed-in user's token for the
 * Switchboard API with the given app roles, as an interactive sign-in would give it. `switchboard admin token --role
 * Admin` calls this.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { TOKEN_LIFETIME_S, type KeyRing } from './tokens.js';

/** The app roles the Switchboard API defines (what `roles` may hold). */
const USER_ROLES = ['Switchboard.Admin', 'Switchboard.Supervisor', 'Switchboard.Agent'];

export function userTokenEndpoint(keys: KeyRing, baseUrl: () => string): Router {
  const { tenantId } = keys.config;
  const router = express.Router();
  router.post('/emulator/user-token', express.json({ limit: '10kb' }), async (req, res) => {
    const body = (req.body ?? {}) as { roles?: unknown; oid?: unknown; name?: unknown; audience?: unknown };
    const roles = Array.isArray(body.roles) ? body.roles.map(String) : [];
    const bad = roles.filter((r) => !USER_ROLES.includes(r));
    if (roles.length === 0 || bad.length > 0) {
      res.status(400).json({
        error: {
          code: 'BadRequest',
          message: `roles: one or more of ${USER_ROLES.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}`,
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
  return router;
}
