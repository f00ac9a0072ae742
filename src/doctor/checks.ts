/**
 * The checks `switchboard doctor` runs against a real tenant before the first call. Each returns lines: ok, or what
 * to fix and where. Nothing here changes anything: one token, reads, and one unauthenticated POST to our own webhook.
 */
import { Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import { createGraphClient } from '../graph/client.js';
import { MICROSOFT_CALLING_OPENID_URL } from '../server/notification-auth.js';
import { securityOptions } from '../temporal/connection.js';
import { enabledFeatures, FEATURE_PERMISSIONS, grantAdvice, type FlowsInUse } from './permissions.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface DoctorLine {
  verdict: Verdict;
  check: string;
  detail: string;
}

export interface DoctorFlows extends FlowsInUse {
  /** The resource accounts (applicationInstance object ids) the flows answer, with the flow that names each. */
  resourceAccounts: { id: string; flow: string }[];
}

const TIMEOUT_MS = 10_000;
const line = (verdict: Verdict, check: string, detail: string): DoctorLine => ({ verdict, check, detail });
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The `roles` claim of an access token (read, not verified: Graph verifies it; we only report what it carries). */
export function tokenRoles(accessToken: string): string[] {
  const payload = accessToken.split('.')[1];
  if (!payload) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  } catch {
    return [];
  }
}

/** The app token, its roles against what the enabled features need, and the flows' resource accounts. */
export async function graphChecks(config: Config, flows: DoctorFlows): Promise<DoctorLine[]> {
  const { graph } = config;
  if (!graph.baseUrl)
    return [
      line(
        'fail',
        'graph',
        'GRAPH_BASE_URL is not set, so Switchboard would run its own Graph emulator: set GRAPH_BASE_URL=https://graph.microsoft.com/v1.0 and AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (docs/azure-setup.md, step 1)',
      ),
    ];
  let token: string;
  let client: Awaited<ReturnType<typeof createGraphClient>>;
  try {
    client = await createGraphClient({
      graphBaseUrl: graph.baseUrl,
      tenantId: graph.tenantId,
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
      authorityHost: graph.authorityHost,
      authorityMetadataUrl: graph.authorityMetadataUrl,
    });
    token = await client.getAccessToken();
  } catch (err) {
    return [
      line(
        'fail',
        'app token',
        `MSAL got no token for app ${graph.clientId} in tenant ${graph.tenantId}: ${message(err)}. Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET against Azure portal → Microsoft Entra ID → App registrations → the app → Overview and Certificates & secrets`,
      ),
    ];
  }
  const roles = new Set(tokenRoles(token));
  const lines = [
    line(
      'ok',
      'app token',
      `app ${graph.clientId}, tenant ${graph.tenantId}; roles: ${[...roles].sort().join(', ') || 'none'}`,
    ),
  ];
  for (const name of enabledFeatures(flows)) {
    const need = FEATURE_PERMISSIONS[name];
    const held = need.anyOf.find((p) => roles.has(p));
    const check = `permission for ${need.feature}`;
    if (held) lines.push(line('ok', check, `${held} (${need.api}; ${need.source})`));
    else {
      const rsc =
        name === 'activityFeed'
          ? "; or let each user's Teams app installation grant TeamsActivity.Send.User (resource-specific consent in teams/manifest.json)"
          : '';
      lines.push(
        line(
          'fail',
          check,
          `the token has none of ${need.anyOf.join(', ')} (${need.api} answers 403; ${need.source}). Fix: ${grantAdvice(need.anyOf[0]!, graph.clientId)}${rsc}`,
        ),
      );
    }
  }
  lines.push(...(await resourceAccountChecks(config, client.graphBaseUrl, token, roles, flows)));
  return lines;
}

async function resourceAccountChecks(
  config: Config,
  graphBaseUrl: string,
  token: string,
  roles: Set<string>,
  flows: DoctorFlows,
): Promise<DoctorLine[]> {
  const directory = FEATURE_PERMISSIONS.directory;
  if (flows.resourceAccounts.length === 0)
    return [
      line('warn', 'resource accounts', 'no flow in flows/ names a resource account: every call runs the default flow'),
    ];
  if (!directory.anyOf.some((p) => roles.has(p)))
    return [
      line(
        'warn',
        'resource accounts',
        `not checked: looking them up needs ${directory.anyOf.join(' or ')} (${directory.source}), which calls themselves do not. To let doctor check: ${grantAdvice(directory.anyOf[0]!, config.graph.clientId)}`,
      ),
    ];
  const lines: DoctorLine[] = [];
  for (const { id, flow } of flows.resourceAccounts) {
    const check = `resource account ${id} (flow ${flow})`;
    try {
      const res = await fetch(`${graphBaseUrl}/users/${encodeURIComponent(id)}?$select=id,displayName,accountEnabled`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (res.ok) {
        const user = (await res.json()) as { displayName?: string; accountEnabled?: boolean };
        if (user.accountEnabled === false)
          lines.push(
            line('fail', check, `"${user.displayName ?? id}" is disabled: enable it in Microsoft Entra ID → Users`),
          );
        else lines.push(line('ok', check, `"${user.displayName ?? id}"`));
      } else if (res.status === 404)
        lines.push(
          line(
            'fail',
            check,
            `no such account in tenant ${config.graph.tenantId}: create it (Teams PowerShell New-CsOnlineApplicationInstance -ApplicationId ${config.graph.clientId}, docs/azure-setup.md step 5) or put its object id in flows/`,
          ),
        );
      else
        lines.push(
          line('fail', check, `Graph answered ${res.status} to GET /users/{id}: ${(await res.text()).slice(0, 200)}`),
        );
    } catch (err) {
      lines.push(line('fail', check, `Graph did not answer GET /users/{id}: ${message(err)}`));
    }
  }
  return lines;
}

/** PUBLIC_URL is https (Graph's callbackUri must be: call-answer.md) and reaches this deployment's webhook. */
export async function publicUrlChecks(config: Config): Promise<DoctorLine[]> {
  const url = config.publicUrl;
  const lines: DoctorLine[] = [];
  const https = url.startsWith('https://');
  lines.push(
    https
      ? line('ok', 'PUBLIC_URL', `${url} is https`)
      : line(
          'fail',
          'PUBLIC_URL',
          `${url} is not https: Graph calls back only to https (call-answer.md, callbackUri). Set PUBLIC_URL to the https address of your reverse proxy, and the same address + /api/calling in Azure portal → Azure Bot → Channels → Microsoft Teams → Calling → Webhook`,
        ),
  );
  // Unauthenticated, our webhook answers 401 with its own error: that proves the address reaches Switchboard.
  try {
    const res = await fetch(`${url}/api/calling`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    if (res.status === 401 && /bearer token/i.test(body?.error?.message ?? ''))
      lines.push(line('ok', 'webhook', `${url}/api/calling answers as Switchboard's calling webhook`));
    else
      lines.push(
        line(
          'fail',
          'webhook',
          `${url}/api/calling answered ${res.status}, not Switchboard's 401 to an unsigned request: check DNS and the reverse proxy route to the web process (switchboard web)`,
        ),
      );
  } catch (err) {
    lines.push(
      line(
        'fail',
        'webhook',
        `${url}/api/calling is unreachable (${message(err)}): check DNS, TLS and the reverse proxy`,
      ),
    );
  }
  return lines;
}

/** The keys that sign Graph's calling notifications can be fetched (msteams-docs, calls-and-meetings/call-notifications). */
export async function signingKeysCheck(config: Config): Promise<DoctorLine> {
  const url = config.graph.notificationOpenIdUrl ?? MICROSOFT_CALLING_OPENID_URL;
  const check = 'notification signing keys';
  try {
    const doc = (await (await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })).json()) as {
      jwks_uri?: unknown;
    };
    if (typeof doc.jwks_uri !== 'string') return line('fail', check, `${url} has no jwks_uri`);
    const jwks = (await (await fetch(doc.jwks_uri, { signal: AbortSignal.timeout(TIMEOUT_MS) })).json()) as {
      keys?: unknown[];
    };
    const count = Array.isArray(jwks.keys) ? jwks.keys.length : 0;
    if (count === 0) return line('fail', check, `${doc.jwks_uri} lists no keys`);
    return line('ok', check, `${count} key(s) from ${doc.jwks_uri}`);
  } catch (err) {
    return line(
      'fail',
      check,
      `cannot fetch ${url} (${message(err)}): allow outbound https from the web process to it (proxy, firewall)`,
    );
  }
}

export async function temporalCheck(config: Config): Promise<DoctorLine> {
  const t = config.temporal;
  if (!t.address)
    return line(
      'warn',
      'Temporal',
      'TEMPORAL_ADDRESS is not set: Switchboard would start its embedded dev server (demo only)',
    );
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({
      address: t.address,
      ...securityOptions(t),
      connectTimeout: TIMEOUT_MS,
    });
    await connection.workflowService.describeNamespace({ namespace: t.namespace });
    return line('ok', 'Temporal', `${t.address}, namespace ${t.namespace}`);
  } catch (err) {
    return line('fail', 'Temporal', `${t.address} namespace ${t.namespace}: ${message(err)}`);
  } finally {
    await connection?.close();
  }
}

export async function postgresCheck(config: Config): Promise<DoctorLine> {
  if (!config.database.url)
    return line('warn', 'Postgres', 'DATABASE_URL is not set: Switchboard would start embedded Postgres (demo only)');
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: config.database.url, connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('select 1');
    return line('ok', 'Postgres', 'answers');
  } catch (err) {
    return line('fail', 'Postgres', `${message(err)} (DATABASE_URL)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
