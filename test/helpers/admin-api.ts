/**
 * The admin API as an attacker and each role would use it, for the test/admin/admin-*.test.ts files: real Postgres,
 * real Temporal, the app's Express app, Entra-shaped tokens signed by keys served over HTTP, and the `switchboard
 * admin` CLI pointed at it. Seeded with four calls and two agents' live state.
 */
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createRecordActivities } from '../../activities/records.js';
import { admin } from '../../cli/admin.js';
import type { MikroORM } from '../../src/db/orm.js';
import { AdminAuth } from '../../src/admin/identity.js';
import { createApp, type AppDeps } from '../../src/server/app.js';
import { configuredAdminCatalog } from '../../app/stack/admin-catalog.js';
import { NotificationVerifier } from '../../src/server/notification-auth.js';
import { startServices, type Services } from './services.js';
import { SigningKeys } from './signing-keys.js';

export const ISSUER = 'https://login.microsoftonline.com/tenant-a/v2.0';

export interface Who {
  oid: string;
  name: string;
  roles: string[];
}

export const ADMIN: Who = {
  oid: 'a0000000-0000-4000-8000-00000000000a',
  name: 'Ada Admin',
  roles: ['Switchboard.Admin'],
};
export const SUPERVISOR: Who = {
  oid: 'b0000000-0000-4000-8000-00000000000b',
  name: 'Sam Supervisor',
  roles: ['Switchboard.Supervisor'],
};
export const AGENT: Who = {
  oid: 'c0000000-0000-4000-8000-00000000000c',
  name: 'Alex Agent',
  roles: ['Switchboard.Agent'],
};

// Agents of flows/index.ts, for the queue and voicemail-box tests.
export const ADELE_ID = '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d'; // support, sales (flows/index.ts)
export const ALEX_ID = '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f'; // support
export const MEGAN_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'; // sales
export const ALEX_AGENT: Who = { oid: ALEX_ID, name: 'Alex Wilber', roles: ['Switchboard.Agent'] };

export interface ApiResponse {
  status: number;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export interface AdminApiFixture {
  /** Set before the file's tests run, like the fields below. */
  services: Services;
  orm: MikroORM;
  client: Client;
  dataDir: string;
  /** The admin API's base URL. */
  base: string;
  /** A token signed by the trusted keys for `who`, with `claims` over the defaults. */
  token(who: Who, claims?: Record<string, unknown>, opts?: { exp?: number; nbf?: number }): Promise<string>;
  /** Another instance of the app on the same services, with other deps or auth settings; its base URL. */
  serve(extra?: Partial<AppDeps>, auth?: Partial<ConstructorParameters<typeof AdminAuth>[0]>): Promise<string>;
  call(
    method: string,
    pathname: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string },
  ): Promise<ApiResponse>;
  /** `switchboard admin` against the API, with its exit code and output. */
  cli(args: string[], tokenValue?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  wrapUpCount(): Promise<number>;
  auditCount(): Promise<number>;
  lastAudit(): Promise<Record<string, unknown>>;
}

/**
 * The app as every admin test builds it: notifications and admin tokens trusted from `keys` (tenant-a, audience
 * api://switchboard), `extra` deps and `auth` settings over these defaults. One place, so the tests cannot drift apart.
 */
export function createTestApp(
  on: { client: Client; orm: MikroORM; keys: SigningKeys },
  extra: Partial<AppDeps> = {},
  auth: Partial<ConstructorParameters<typeof AdminAuth>[0]> = {},
) {
  const logger = pino({ level: 'silent' });
  return createApp({
    client: on.client,
    orm: on.orm,
    logger,
    taskQueue: 'tq',
    publicUrl: 'https://switchboard.test',
    notificationVerifier: new NotificationVerifier({
      openIdConfigUrl: on.keys.openIdConfigUrl,
      audience: 'x',
      allowedTenants: ['tenant-a'],
      logger,
    }),
    adminCatalog: configuredAdminCatalog(),
    adminAuth: new AdminAuth({
      openIdConfigUrl: on.keys.openIdConfigUrl,
      audiences: ['api://switchboard'],
      allowedTenants: ['tenant-a'],
      logger,
      jwksCooldownMs: 0,
      ...auth,
    }),
    ...extra,
  });
}

async function seed(orm: MikroORM): Promise<void> {
  const { recordCall } = createRecordActivities(orm);
  for (const [i, from] of ['+14255550100', '+14255550111', '+44207946000', '100%_match'].entries()) {
    await recordCall({
      record: {
        callId: `call-${i}`,
        workflowId: `call-call-${i}`,
        fromKind: 'phone',
        fromId: from,
        queue: 'support',
        outcome: 'connected',
        arrivedAt: `2026-11-28T09:0${i}:00.000Z`,
      },
      events: [{ seq: 1, type: 'incoming', at: `2026-11-28T09:0${i}:00.000Z` }],
    });
  }
  await orm.em
    .getConnection()
    .execute(
      `insert into agent_live (agent_id, state, since, updated_at) values (?, 'available', now(), now()), (?, 'onCall', now(), now())`,
      [AGENT.oid, 'other-agent'],
    );
}

/** The admin API for one test file: started and seeded before its tests, stopped after them. */
export function adminApiForFile(): AdminApiFixture {
  const keys = new SigningKeys(ISSUER);
  const count = async (table: string) =>
    Number((await api.orm.em.getConnection().execute(`select count(*)::int as n from ${table}`))[0]!.n);
  const api: AdminApiFixture = {
    services: undefined as unknown as Services,
    orm: undefined as unknown as MikroORM,
    client: undefined as unknown as Client,
    dataDir: '',
    base: '',
    token: (who, claims = {}, opts = {}) =>
      keys.sign({
        kid: 'k1',
        claims: {
          aud: 'api://switchboard',
          tid: 'tenant-a',
          oid: who.oid,
          name: who.name,
          roles: who.roles,
          ...claims,
        },
        ...opts,
      }),
    async serve(extra = {}, auth = {}) {
      return api.services.serve(createTestApp({ client: api.client, orm: api.orm, keys }, extra, auth));
    },
    async call(method, pathname, opts = {}) {
      const res = await fetch(`${opts.base ?? api.base}${pathname}`, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined
          ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }
          : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json: json as ApiResponse['json'], headers: res.headers };
    },
    async cli(args, tokenValue) {
      let stdout = '';
      let stderr = '';
      const code = await admin(
        args,
        { SWITCHBOARD_API_URL: api.base, ...(tokenValue ? { SWITCHBOARD_ADMIN_TOKEN: tokenValue } : {}) },
        {
          stdout: (s) => void (stdout += s),
          stderr: (s) => void (stderr += s),
        },
      );
      return { code, stdout, stderr };
    },
    wrapUpCount: () => count('wrap_up_code'),
    auditCount: () => count('audit_entry'),
    lastAudit: async () =>
      (await api.orm.em.getConnection().execute('select * from audit_entry order by id desc limit 1'))[0] as Record<
        string,
        unknown
      >,
  };
  beforeAll(async () => {
    api.services = await startServices('admin', { keys, migrate: true });
    ({ orm: api.orm, client: api.client, dataDir: api.dataDir } = api.services);
    await seed(api.orm);
    api.base = await api.serve();
  });
  afterAll(async () => {
    await api.services?.stop();
  });
  return api;
}
