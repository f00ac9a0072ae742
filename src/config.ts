import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isPhoneCountry } from './phone/number.js';
import { parseCidrs } from './server/ip-allowlist.js';
import { admissionLimits, type AdmissionLimits } from './server/answer-admission.js';
import {
  TEMPORAL_CONNECTION_VARIABLES,
  temporalConnection,
  TemporalProfileError,
  type TemporalConnection,
} from './temporal/client-profile.js';
import { CodecKeyError, parseCodecKeys } from './temporal/payload-codec.js';
import type { TemporalSettings } from './temporal/settings.js';

/**
 * All configuration comes from the environment, validated once at start-up.
 * An unset infrastructure variable means "embedded": TEMPORAL_ADDRESS unset starts the Temporal dev server,
 * DATABASE_URL unset starts embedded Postgres, GRAPH_BASE_URL unset starts the Graph emulator.
 * Production sets all three and nothing embedded starts.
 */

const port = z.coerce
  .number({ invalid_type_error: 'expected a port number (0-65535)' })
  .int('expected a port number (0-65535)')
  .min(0, 'expected a port number (0-65535)')
  .max(65535, 'expected a port number (0-65535)');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    errorMap: () => ({ message: 'expected true or false' }),
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const optionalUrl = z.string().url().optional();
const optionalString = z.string().min(1).optional();
// `*` alone: every address, an explicit choice the web process logs (empty: the web process refuses to start, app/stack/fail-closed.ts).
const cidrList = z
  .string()
  .superRefine((v, ctx) => {
    if (v.trim() === '*') return;
    try {
      parseCidrs(v.split(','));
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
    }
  })
  .transform((v) => v.split(',').map((x) => x.trim()))
  .optional();

export const configSchema = z.object({
  PORT: port.default(3978),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: optionalUrl,
  /** Where supervisors' links to a call's Call explorer dashboard lead (the Teams tabs). */
  GRAFANA_URL: optionalUrl,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),

  // Temporal's standard connection variables (src/temporal/client-profile.ts): TEMPORAL_ADDRESS, _NAMESPACE, _PROFILE…
  ...TEMPORAL_CONNECTION_VARIABLES,
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('switchboard'),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_SDK_METRICS_PORT: port.optional(),
  WORKER_METRICS_PORT: port.default(9464),
  WORKFLOW_STACK_TRACES: bool.default('false'),
  WORKFLOW_ISOLATE_TIMEOUT: bool.default('true'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_DEV_UI_PORT: port.default(8233),
  TEMPORAL_CODEC_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseCodecKeys(v);
      } catch (err) {
        if (!(err instanceof CodecKeyError)) throw err;
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.message });
      }
    })
    .optional(),
  TEMPORAL_UI_ORIGIN: optionalUrl,

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  EMBEDDED_POSTGRES_PORT: port.default(5433),

  GRAPH_BASE_URL: optionalUrl,
  AZURE_TENANT_ID: z.string().min(1).default('00000000-0000-4000-8000-00000000c0de'),
  AZURE_CLIENT_ID: z.string().min(1).default('11111111-1111-4111-8111-11111111b07a'),
  AZURE_CLIENT_SECRET: z.string().min(1).default('emulator-secret'),
  AZURE_AUTHORITY_HOST: z.string().url().default('https://login.microsoftonline.com'),
  AZURE_AUTHORITY_METADATA_URL: optionalUrl,
  GRAPH_NOTIFICATION_OPENID_URL: optionalUrl,
  GRAPH_NOTIFICATION_TENANTS: z
    .string()
    .regex(/^[\w-]+(,[\w-]+)*$/, 'expected a comma-separated list of tenant ids')
    .optional(),
  GRAPH_SUBSCRIPTION_CLIENT_STATE: z.string().min(16, 'expected at least 16 characters').max(128).optional(),
  // call-keepalive.md: Graph ends a call with no keepAlive for 45 minutes, and recommends one every 15.
  GRAPH_KEEPALIVE_SECONDS: z.coerce.number().int().min(1).max(2400).default(900),
  ADMIN_OPENID_URL: optionalUrl,
  ADMIN_AUDIENCE: optionalString,
  ADMIN_ALLOWED_CIDRS: cidrList,
  WEBHOOK_ALLOWED_CIDRS: cidrList,
  TRUSTED_PROXIES: cidrList,
  RECORDINGS_DIR: optionalString,
  RECORDINGS_SIGNING_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
  WEB_REPLICAS: z.coerce
    .number({ invalid_type_error: 'expected a whole number of web processes' })
    .int('expected a whole number of web processes')
    .min(1, 'expected at least 1')
    .default(1),
  // Admission control (src/server/answer-admission.ts): 0 turns a rule off; unset, its default (off with WEB_REPLICAS > 1).
  ADMISSION_ANSWER_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(14_000, 'expected at most 14000 (Graph: 15 s)')
    .optional(),
  ADMISSION_MAX_UNANSWERED: z.coerce.number().int('expected a whole number of calls').min(0).max(100_000).optional(),
  RECORDING_LINK_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  // At most 89: the run is daily, so the oldest data it leaves is under RETENTION_DAYS + 1 day, never 90 days old.
  RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(89, 'expected at most 89 (days): personal data is kept for less than 90 days')
    .default(89),
  VOICEMAIL_WEBHOOK_URL: optionalUrl,
  // The contact center's time zone: where the dashboards' "today" and intervals start (issue 27, point 5).
  SITE_TIME_ZONE: z
    .string()
    .min(1)
    .default('UTC')
    .refine(isTimeZone, 'expected an IANA time zone name such as Europe/Paris or Asia/Kolkata'),
  PRIVACY_HMAC_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
  // Where a number written without its country code is read (privacy requests, stored rows): libphonenumber's codes.
  PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'expected a two-letter country code (ISO 3166-1 alpha-2), e.g. US')
    .refine(isPhoneCountry, 'not a country with phone numbering rules (ISO 3166-1 alpha-2, e.g. GB for the UK)')
    .optional(),
  EMULATOR_PORT: port.default(4000),
  EMULATOR_MEDIA_SPEED: z.coerce.number().positive().default(1),
  EMULATOR_QUIRKS: z
    .string()
    .regex(
      /^(all|none|(establishedBeforeEstablishing|duplicates|stringCodes|subCodeSpelling|resourceDataArray|pascalCaseEnums|recordCompletionReason)(,(establishedBeforeEstablishing|duplicates|stringCodes|subCodeSpelling|resourceDataArray|pascalCaseEnums|recordCompletionReason))*)$/,
      'expected all, none, or a comma-separated list of quirk names',
    )
    .default('none'),
});

export type Env = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  /** The address Graph reaches us at: callbackUri and prompt URLs are built from it. */
  publicUrl: string;
  /** Grafana's address, for links to dashboards; undefined: no links. */
  grafanaUrl?: string;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  /** Address (undefined: start the embedded dev server), namespace, TLS, API key: Temporal's standard profile. */
  temporal: TemporalSettings;
  database: { url?: string; embeddedPort: number };
  graph: {
    /** undefined: start the Graph emulator and use it. */
    baseUrl?: string;
    tenantId: string;
    clientId: string;
    clientSecret: string;
    authorityHost: string;
    authorityMetadataUrl?: string;
    /** Where the keys that sign calling notifications are published; undefined: Microsoft's, or the emulator's. */
    notificationOpenIdUrl?: string;
    /** Tenants whose notifications we accept. */
    notificationTenants: string[];
    subscriptionClientState?: string;
    /** How often each call held gets POST …/keepAlive (call-keepalive.md: within 45 minutes). */
    keepAliveSeconds: number;
  };
  emulator: { port: number; mediaSpeed: number; quirks: string[] };
  recordings: {
    /** The folder recordings are stored in (content-addressed). */
    dir: string;
    /** HMAC key for recording links; undefined: a random key per process (links work only on the process that made them). */
    signingKey?: string;
    /** How many web processes serve recording links (WEB_REPLICAS): more than one need a shared signing key. */
    webReplicas: number;
    linkTtlSeconds: number;
    /** Calls, events, voicemails, callbacks, recordings, agent states, recording access (and audit rows, 30 at least) older than this are deleted daily. */
    retentionDays: number;
    /** Where new voicemails are announced (POST JSON). */
    voicemailWebhookUrl?: string;
  };
  /** Incoming calls refused busy while answers lag (answer-admission.ts); undefined: no admission control. */
  admission?: AdmissionLimits;
  analytics: {
    /** IANA zone of "today" and the interval reports, unless a queue has its own (written to site_setting at start-up). */
    siteTimeZone: string;
  };
  privacy: {
    /** Keys the hash that names a person in audit rows (src/privacy/subject-ref.ts); undefined: see privacyHmacKey. */
    hmacKey?: string;
    /** The country whose national numbers (no country code) privacy requests and stored numbers may be written in. */
    phoneRegion?: string;
  };
  security: {
    /**
     * The Entra ID OpenID document whose keys sign admin API tokens. Unset: the Graph emulator's tenant document when
     * the emulator runs, else $AZURE_AUTHORITY_HOST/$AZURE_TENANT_ID/v2.0/.well-known/openid-configuration.
     */
    adminOpenIdUrl?: string;
    adminAudiences: string[];
    /** Empty: no one (a web process outside the embedded demo refuses to start so); `['*']`: every address. */
    adminAllowedCidrs: string[];
    webhookAllowedCidrs: string[];
    /** Proxies whose X-Forwarded-For is believed. */
    trustedProxies: string[];
  };
}

export class ConfigError extends Error {}

/** Whether the runtime's time-zone database knows `zone` (an IANA name). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Secrets may come from a mounted file instead of the environment (Docker/Kubernetes secrets):
 * `AZURE_CLIENT_SECRET_FILE=/run/secrets/graph` reads the secret from that file.
 */
export const SECRET_VARIABLES = [
  'AZURE_CLIENT_SECRET',
  'TEMPORAL_API_KEY',
  'DATABASE_URL',
  'GRAPH_SUBSCRIPTION_CLIENT_STATE',
  'RECORDINGS_SIGNING_KEY',
  'TEMPORAL_CODEC_KEYS',
  'PRIVACY_HMAC_KEY',
] as const;

function readSecretFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`Invalid configuration: set ${name} or ${name}_FILE, not both`);
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: ${name}_FILE=${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
  }
  return out;
}

/** The variables that point a Switchboard process at a Graph emulator running elsewhere (tests, the bench). */
export function emulatorGraphEnv(emulator: {
  graphBaseUrl: string;
  authorityMetadataUrl: string;
  callingOpenIdUrl: string;
}): Record<string, string> {
  return {
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    AZURE_AUTHORITY_METADATA_URL: emulator.authorityMetadataUrl,
    GRAPH_NOTIFICATION_OPENID_URL: emulator.callingOpenIdUrl,
    // Such a process is a web process outside the embedded demo, so it needs allow-lists: the emulator is local.
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
    ADMIN_ALLOWED_CIDRS: '127.0.0.0/8,::1/128',
  };
}

/** Parse and validate; the first problem becomes one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Treat empty strings as unset, the way .env files and compose files write "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const withSecrets = readSecretFiles(cleaned);
  const parsed = configSchema.safeParse(withSecrets);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    // Never echo a secret's value back, even a wrong one.
    const shown = (SECRET_VARIABLES as readonly string[]).includes(name) ? '(secret)' : JSON.stringify(env[name] ?? '');
    throw new ConfigError(`Invalid configuration: ${name}=${shown}: ${issue.message}`);
  }
  const e = parsed.data;
  let temporal: TemporalConnection;
  try {
    temporal = temporalConnection(withSecrets, e.TEMPORAL_TLS);
  } catch (err) {
    if (err instanceof TemporalProfileError) throw new ConfigError(`Invalid configuration: ${err.message}`);
    throw err;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
    ...(e.GRAFANA_URL ? { grafanaUrl: e.GRAFANA_URL.replace(/\/$/, '') } : {}),
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    temporal: {
      ...temporal,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      devPort: e.TEMPORAL_DEV_PORT,
      devUiPort: e.TEMPORAL_DEV_UI_PORT,
      sdkMetricsPort: e.TEMPORAL_SDK_METRICS_PORT,
      workerMetricsPort: e.WORKER_METRICS_PORT,
      workflowStackTraces: e.WORKFLOW_STACK_TRACES,
      workflowIsolateTimeout: e.WORKFLOW_ISOLATE_TIMEOUT,
      ...(e.TEMPORAL_CODEC_KEYS ? { codecKeys: parseCodecKeys(e.TEMPORAL_CODEC_KEYS) } : {}),
      ...(e.TEMPORAL_UI_ORIGIN
        ? { uiOrigin: new URL(e.TEMPORAL_UI_ORIGIN).origin }
        : !temporal.address && e.TEMPORAL_DEV_UI_PORT
          ? { uiOrigin: `http://127.0.0.1:${e.TEMPORAL_DEV_UI_PORT}` }
          : {}),
    },
    database: { url: e.DATABASE_URL, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    graph: {
      baseUrl: e.GRAPH_BASE_URL?.replace(/\/$/, ''),
      tenantId: e.AZURE_TENANT_ID,
      clientId: e.AZURE_CLIENT_ID,
      clientSecret: e.AZURE_CLIENT_SECRET,
      authorityHost: e.AZURE_AUTHORITY_HOST,
      authorityMetadataUrl: e.AZURE_AUTHORITY_METADATA_URL,
      notificationOpenIdUrl: e.GRAPH_NOTIFICATION_OPENID_URL,
      notificationTenants: e.GRAPH_NOTIFICATION_TENANTS?.split(',') ?? [e.AZURE_TENANT_ID],
      subscriptionClientState: e.GRAPH_SUBSCRIPTION_CLIENT_STATE,
      keepAliveSeconds: e.GRAPH_KEEPALIVE_SECONDS,
    },
    emulator: {
      port: e.EMULATOR_PORT,
      mediaSpeed: e.EMULATOR_MEDIA_SPEED,
      quirks: e.EMULATOR_QUIRKS === 'none' ? [] : e.EMULATOR_QUIRKS.split(','),
    },
    recordings: {
      dir: e.RECORDINGS_DIR ?? path.join(e.DATA_DIR, 'recordings'),
      signingKey: e.RECORDINGS_SIGNING_KEY,
      webReplicas: e.WEB_REPLICAS,
      linkTtlSeconds: e.RECORDING_LINK_TTL_SECONDS,
      retentionDays: e.RETENTION_DAYS,
      voicemailWebhookUrl: e.VOICEMAIL_WEBHOOK_URL,
    },
    admission: admissionLimits(e.WEB_REPLICAS, e.ADMISSION_ANSWER_WAIT_MS, e.ADMISSION_MAX_UNANSWERED),
    analytics: { siteTimeZone: e.SITE_TIME_ZONE },
    privacy: { hmacKey: e.PRIVACY_HMAC_KEY, phoneRegion: e.PHONE_REGION },
    security: {
      adminOpenIdUrl: e.ADMIN_OPENID_URL,
      // The Teams tabs' single sign-on token names the app by its host and bot id (docs/teams-app.md).
      adminAudiences: e.ADMIN_AUDIENCE
        ? [e.ADMIN_AUDIENCE]
        : [
            `api://${e.AZURE_CLIENT_ID}`,
            e.AZURE_CLIENT_ID,
            ...(e.PUBLIC_URL ? [`api://${new URL(e.PUBLIC_URL).host}/botid-${e.AZURE_CLIENT_ID}`] : []),
          ],
      adminAllowedCidrs: e.ADMIN_ALLOWED_CIDRS ?? [],
      webhookAllowedCidrs: e.WEBHOOK_ALLOWED_CIDRS ?? [],
      trustedProxies: e.TRUSTED_PROXIES ?? [],
    },
  };
}
