/**
 * Entra's token endpoint for the client-credentials grant (what MSAL calls): client_secret_post or
 * client_secret_basic, one `<resource>/.default` scope, and Entra's errors (AADSTS codes) for everything else.
 */
import express, { type Router } from 'express';
import { sendEntraError } from './entra-error.js';
import { GRAPH_APP_ID, GRAPH_RESOURCE, TOKEN_LIFETIME_S, type KeyRing } from './tokens.js';
import type { RecordedRequest } from './types.js';

export function clientCredentialsEndpoint(keys: KeyRing, record: (r: RecordedRequest) => void): Router {
  const { tenantId, clientId, clientSecret } = keys.config;
  const knownTenant = (t: string | undefined) => t === tenantId;
  const router = express.Router();

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
    // AADSTS900144, as Entra answers a request without a parameter it needs.
    const missingParameter = (name: string) =>
      sendEntraError(
        req,
        res,
        400,
        'invalid_request',
        900144,
        `The request body must contain the following parameter: '${name}'.`,
      );
    if (!body.grant_type) {
      missingParameter('grant_type');
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
      missingParameter('client_id');
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
