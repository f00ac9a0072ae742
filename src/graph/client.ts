/**
 * The app's Microsoft Graph client: MSAL (client credentials) for app tokens and the official
 * Graph JS client for requests. Works against real Graph and Entra, and against the Graph
 * emulator (devkit/emulator) over loopback HTTP.
 */
import { randomUUID } from 'node:crypto';
import { AuthError, ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import {
  AuthenticationHandler,
  Client,
  GraphClientError,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import { GraphAuthError } from './errors.js';
import { GraphTracingHandler } from '../telemetry/graph-span.js';

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0, or the emulator's `${url}/v1.0`. */
  graphBaseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com. */
  authorityHost?: string | undefined;
  /** OpenID configuration document of the authority (the emulator's `authorityMetadataUrl`). When set,
   * it is fetched once here and handed to MSAL, which then needs no discovery of its own. */
  authorityMetadataUrl?: string | undefined;
  logger?: Logger | undefined;
}

export interface GraphClient {
  /** The Graph JS client, with baseUrl and version set from graphBaseUrl. */
  client: Client;
  msal: ConfidentialClientApplication;
  graphBaseUrl: string;
  /** An app-only token for Graph, from MSAL's cache when still valid. Throws GraphAuthError. */
  getAccessToken(): Promise<string>;
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * MSAL's token request for the emulator, and why it looks the way it does:
 *
 * MSAL validates the *authority string* as an https URI (UrlString.validateAsUri throws
 * `authority_uri_insecure` for http), but it takes the endpoints it really calls from the
 * authority's OpenID metadata. So for an emulator on http://127.0.0.1:PORT we:
 *  1. fetch the emulator's OpenID configuration (authorityMetadataUrl) once, here;
 *  2. give MSAL the authority `https://127.0.0.1:PORT/{tenant}` — the same host, spelled https only to
 *     pass validation; nothing is ever sent to it;
 *  3. list that host in `knownAuthorities`, so MSAL trusts it without instance discovery (no call to
 *     login.microsoftonline.com), and pass the fetched document as `authorityMetadata`, so MSAL does no
 *     endpoint discovery either.
 * MSAL then POSTs its ordinary client-credentials request (client_id, client_secret, scope,
 * grant_type, its telemetry headers) to the document's `token_endpoint`, which is the emulator's
 * http://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token, through its default network client, and caches the
 * token as usual. Metadata given in configuration is not issuer-validated by MSAL (only network-fetched
 * metadata is). Plain http is accepted for loopback authorities only.
 */
async function msalConfiguration(opts: GraphClientOptions): Promise<Configuration> {
  const authorityHost = (opts.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  let metadataUrl = opts.authorityMetadataUrl;
  // An http authority host on loopback (the emulator) is only usable through its metadata document.
  if (!metadataUrl && authorityHost.startsWith('http://')) {
    metadataUrl = `${authorityHost}/${opts.tenantId}/v2.0/.well-known/openid-configuration`;
  }
  const logger = opts.logger;
  const system: Configuration['system'] = {
    loggerOptions: {
      logLevel: LogLevel.Warning,
      piiLoggingEnabled: false,
      loggerCallback: (level, message) => {
        if (!logger) return;
        if (level === LogLevel.Error) logger.error({ component: 'msal' }, message);
        else logger.warn({ component: 'msal' }, message);
      },
    },
  };
  if (!metadataUrl) {
    return {
      auth: {
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        authority: `${authorityHost}/${opts.tenantId}`,
      },
      system,
    };
  }

  let metadata: Record<string, unknown>;
  try {
    const res = await fetch(metadataUrl, { signal: AbortSignal.timeout(10000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    metadata = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    throw new GraphAuthError(`Cannot read the authority metadata at ${metadataUrl}: ${(e as Error).message}`, {
      code: 'authority_metadata_unavailable',
      retryable: true,
      cause: e,
    });
  }
  const tokenEndpoint = metadata['token_endpoint'];
  if (typeof tokenEndpoint !== 'string') {
    throw new GraphAuthError(`The authority metadata at ${metadataUrl} has no token_endpoint`, {
      code: 'invalid_authority_metadata',
      retryable: false,
    });
  }
  const endpoint = new URL(tokenEndpoint);
  if (endpoint.protocol !== 'https:' && !isLoopbackHost(endpoint.hostname)) {
    throw new GraphAuthError(`Refusing a non-https token endpoint off loopback: ${tokenEndpoint}`, {
      code: 'insecure_authority',
      retryable: false,
    });
  }
  const authorityHostPort = endpoint.host;
  return {
    auth: {
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      authority: `https://${authorityHostPort}/${opts.tenantId}`,
      knownAuthorities: [authorityHostPort],
      authorityMetadata: JSON.stringify(metadata),
    },
    system,
  };
}

function toAuthError(e: unknown, clientId: string): GraphAuthError {
  if (e instanceof GraphAuthError) return e;
  if (e instanceof AuthError) {
    const description = e.errorMessage || e.message;
    const aadstsCodes = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
    const status = (e as { status?: number }).status;
    const unreachable =
      e.errorCode === 'network_error' ||
      e.errorCode === 'endpoints_resolution_error' ||
      e.errorCode === 'openid_config_error' ||
      (status !== undefined && (status >= 500 || status === 429));
    // MSAL formats server errors as "Error(s): N - Timestamp: ... - Description: AADSTS...: text - Trace ID: ...".
    const described = /Description:\s*([\s\S]*?)(?:\s+-\s+(?:Trace ID|Correlation ID)\b|[\r\n]|$)/.exec(
      description,
    )?.[1];
    const summary = (described ?? description.split(/\r?\n/)[0] ?? '').trim();
    return new GraphAuthError(`Token acquisition for app ${clientId} failed: ${e.errorCode}: ${summary}`, {
      code: e.errorCode || 'auth_error',
      aadstsCodes,
      retryable: unreachable,
      cause: e,
    });
  }
  return new GraphAuthError(`Token acquisition for app ${clientId} failed: ${(e as Error)?.message ?? String(e)}`, {
    code: 'auth_error',
    retryable: true,
    cause: e,
  });
}

function setRequestHeader(context: Context, name: string, value: string): void {
  if (typeof context.request !== 'string') {
    context.request.headers.set(name, value);
    return;
  }
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else options.headers = { ...(headers ?? {}), [name]: value };
}

function hasRequestHeader(context: Context, name: string): boolean {
  if (typeof context.request !== 'string') return context.request.headers.has(name);
  const headers = context.options?.headers;
  if (!headers) return false;
  if (headers instanceof Headers) return headers.has(name);
  const lower = name.toLowerCase();
  const keys: string[] = Array.isArray(headers) ? headers.map((h) => String(h[0])) : Object.keys(headers);
  return keys.some((k) => k.toLowerCase() === lower);
}

/**
 * The Graph client's AuthenticationHandler (and TelemetryHandler) only attach the token to
 * `https://` URLs of graph.microsoft.com or of `customHosts`; for any other URL the handler *removes*
 * the Authorization header. The emulator is plain http on loopback, so for exactly that origin this
 * handler attaches the token itself; every other URL goes through the
 * library's own AuthenticationHandler unchanged.
 */
class LoopbackAwareAuthenticationHandler implements Middleware {
  private nextMiddleware?: Middleware;
  private readonly standard: AuthenticationHandler;

  constructor(
    private readonly provider: AuthenticationProvider,
    private readonly loopbackOrigin: string | undefined,
  ) {
    this.standard = new AuthenticationHandler(provider);
  }

  setNext(next: Middleware): void {
    this.nextMiddleware = next;
    this.standard.setNext(next);
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (this.loopbackOrigin && url.startsWith(`${this.loopbackOrigin}/`)) {
      const token = await this.provider.getAccessToken();
      setRequestHeader(context, 'Authorization', `Bearer ${token}`);
      if (!this.nextMiddleware) throw new Error('LoopbackAwareAuthenticationHandler: no next middleware');
      return this.nextMiddleware.execute(context);
    }
    return this.standard.execute(context);
  }
}

/**
 * The library's HTTPMessageHandler (fetch), except that a transport failure (refused, reset, timeout)
 * surfaces as a GraphClientError carrying the original error as customError: the Graph client would
 * otherwise flatten it into a GraphError that says only "fetch failed".
 */
class TransportAwareHTTPMessageHandler extends HTTPMessageHandler {
  constructor(private readonly loopbackOrigin: string | undefined) {
    super();
  }

  override async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    // The TelemetryHandler adds (or, off https Graph hosts, strips) client-request-id; give loopback Graph one too.
    if (
      this.loopbackOrigin &&
      url.startsWith(`${this.loopbackOrigin}/`) &&
      !hasRequestHeader(context, 'client-request-id')
    ) {
      setRequestHeader(context, 'client-request-id', randomUUID());
    }
    try {
      await super.execute(context);
    } catch (e) {
      if (e instanceof GraphClientError) throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const wrapped = new GraphClientError(
        `${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
      );
      wrapped.customError = e;
      throw wrapped;
    }
  }
}

/** A token is reused until this long before it expires, then MSAL is asked again. */
export const TOKEN_REUSE_MARGIN_MS = 5 * 60_000;

/**
 * Creates the Graph client. Async because, for the emulator, the authority metadata is fetched once here.
 *
 * The middleware chain is the library's default minus its RetryHandler: auth, redirect, telemetry, HTTP.
 * Retries belong to the caller (Temporal activities, using GraphRequestError.retryable and
 * retryAfterSeconds); the RetryHandler would silently re-send non-idempotent POSTs (transfer,
 * playPrompt) and sleep inside an activity for up to 180 s.
 */
export async function createGraphClient(opts: GraphClientOptions): Promise<GraphClient> {
  const base = new URL(opts.graphBaseUrl);
  const segments = base.pathname.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  const version = last && /^(v1\.0|beta)$/i.test(last) ? (segments.pop() as string) : 'v1.0';
  const baseUrl = `${base.origin}${segments.length ? `/${segments.join('/')}` : ''}`;
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname))) {
    throw new Error(`graphBaseUrl must be https (http only on loopback): ${opts.graphBaseUrl}`);
  }

  const msal = new ConfidentialClientApplication(await msalConfiguration(opts));
  // The token MSAL last gave, reused without asking it again until MSAL would refresh it (its refreshOn) or 5 minutes
  // before it expires: MSAL's cache lookup was 0.5 s of the worker's main thread in a bench run's calls phase, for
  // every Graph request (docs/benchmarks.md, issue 25). A failure is never remembered.
  let reusable: { token: string; until: number } | undefined;
  const getAccessToken = async (): Promise<string> => {
    if (reusable && Date.now() < reusable.until) return reusable.token;
    try {
      const result = await msal.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT_SCOPE] });
      if (!result?.accessToken)
        throw new GraphAuthError(`MSAL returned no access token for app ${opts.clientId}`, {
          code: 'no_token',
          retryable: true,
        });
      const until = Math.min(
        (result.expiresOn?.getTime() ?? 0) - TOKEN_REUSE_MARGIN_MS,
        result.refreshOn?.getTime() ?? Infinity,
      );
      reusable = { token: result.accessToken, until };
      return result.accessToken;
    } catch (e) {
      throw toAuthError(e, opts.clientId);
    }
  };
  const authProvider: AuthenticationProvider = {
    async getAccessToken() {
      try {
        return await getAccessToken();
      } catch (e) {
        // A GraphClientError passes through the Graph client untouched, keeping our GraphAuthError as customError.
        const wrapped = new GraphClientError((e as Error).message);
        wrapped.customError = e;
        throw wrapped;
      }
    },
  };

  const loopbackOrigin = base.protocol === 'http:' ? base.origin : undefined;
  const client = Client.initWithMiddleware({
    middleware: [
      new LoopbackAwareAuthenticationHandler(authProvider, loopbackOrigin),
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      // A span per request when tracing is on (OTEL_*), a child of the activity's.
      new GraphTracingHandler(),
      new TransportAwareHTTPMessageHandler(loopbackOrigin),
    ],
    baseUrl,
    defaultVersion: version,
    // Without this the library sends no token to a host other than graph.microsoft.com (https only).
    customHosts: new Set([base.hostname]),
  });
  return { client, msal, graphBaseUrl: `${baseUrl}/${version}`, getAccessToken };
}
