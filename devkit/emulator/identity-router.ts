/**
 * The emulator's identity side, mounted at the root: the tenant's OpenID configuration and keys, instance discovery,
 * the calling platform's notification-signing keys under /botframework/v1, and the token endpoints
 * (token-endpoint.ts for MSAL, user-token-endpoint.ts for the admin API's user tokens).
 */
import express, { type Router } from 'express';
import { sendEntraError } from './entra-error.js';
import { clientCredentialsEndpoint } from './token-endpoint.js';
import { BOTFRAMEWORK_ISSUER, type KeyRing } from './tokens.js';
import type { RecordedRequest } from './types.js';
import { userTokenEndpoint } from './user-token-endpoint.js';

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
  const { tenantId } = keys.config;
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

  router.use(userTokenEndpoint(keys, baseUrl));
  router.use(clientCredentialsEndpoint(keys, record));

  return router;
}
