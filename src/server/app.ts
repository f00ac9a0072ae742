import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { callingWebhook, type CallingWebhookDeps } from './calling-webhook.js';
import { normaliseNotificationCharset } from './notification-charset.js';
import type { NotificationVerifier } from './notification-auth.js';
import { subscriptionsWebhook } from './subscriptions-webhook.js';
import { traceCallingWebhook } from './webhook-span.js';
import { securityHeaders } from './security-headers.js';
import { ipAllowList } from './ip-allowlist.js';
import { adminRouter } from '../admin/router.js';
import { openApiDocument } from '../admin/openapi.js';
import type { AdminAuth } from '../admin/identity.js';
import type { AdminCatalog } from '../admin/catalog.js';
import type { PayloadCodec } from '@temporalio/common';
import { codecEndpoint } from './codec-endpoint.js';
import { RecordingTokens } from '../recordings/recording-tokens.js';
import { metricsText, registerLiveGauges, registry } from '../metrics.js';
import type { RecordingsAccess } from '../admin/handler.js';
import type { RecordingStore } from '../recordings/store.js';
import { detectAudioFormat } from '../media/audio-format.js';
import { verifyRecordingLink } from '../recordings/signed-url.js';
import { isDatabaseUp } from '../db/orm.js';

export const promptsDir = fileURLToPath(new URL('../../flows/prompts/', import.meta.url));

export interface AppDeps {
  client: Client;
  orm: MikroORM;
  logger: Logger;
  taskQueue: string;
  /** The client shares a worker's connection in this process: call workflows are started eagerly on it. */
  eagerStart?: boolean;
  publicUrl: string;
  /** Authenticates Graph's calling notifications before anything is parsed. */
  notificationVerifier: NotificationVerifier;
  subscriptionClientState?: string;
  /** The admin API; absent in processes that don't serve it. */
  adminAuth?: AdminAuth;
  /** What the admin API knows of flows/ (app/stack/admin-catalog.ts); needed with adminAuth. */
  adminCatalog?: AdminCatalog;
  /** The Teams app's tabs (src/tabs/router.ts), served at /tabs; absent: not served. */
  tabs?: Router;
  adminAllowedCidrs?: string[];
  /** Every call's keepAlive interval (GRAPH_KEEPALIVE_SECONDS); absent: the call workflow's default (15 minutes). */
  keepAliveSeconds?: number;
  /** PHONE_REGION: where numbers callers key without a country code are read when their line names no country. */
  phoneRegion?: string;
  webhookAllowedCidrs?: string[];
  trustedProxies?: string[];
  /** Recording downloads through signed links; absent: not served. */
  recordings?: RecordingsAccess & { store: RecordingStore };
  /** The Temporal SDK's own Prometheus exporter, appended to /metrics. */
  temporalMetricsUrl?: string;
  /** The codec endpoint for the Temporal UI (codec-endpoint.ts), behind the admin API's sign-in and allow-list. */
  temporalCodec?: { codec: PayloadCodec; uiOrigin?: string };
  /** Admission control of incoming calls (answer-admission.ts); absent: every call is started. */
  admission?: CallingWebhookDeps['admission'];
  /** The search attributes each call's workflow starts with; absent: the workflow sets them itself. */
  callSearchAttributes?: CallingWebhookDeps['searchAttributes'];
}

/** The web process: Graph's callbacks in, health out, and the prompt files Graph fetches. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For counts only when it comes from a proxy we run; otherwise req.ip is the socket's peer.
  app.set('trust proxy', deps.trustedProxies?.length ? deps.trustedProxies : false);
  app.use(securityHeaders());

  app.post(
    '/api/calling',
    ipAllowList(deps.webhookAllowedCidrs ?? [], 'Graph webhook', deps.logger),
    deps.notificationVerifier.middleware(),
    normaliseNotificationCharset(),
    express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }),
    // The request's span when tracing is on (OTEL_*): the incoming call's trace starts here.
    traceCallingWebhook(),
    callingWebhook({
      client: deps.client,
      taskQueue: deps.taskQueue,
      eagerStart: deps.eagerStart ?? false,
      logger: deps.logger,
      callbackUri: `${deps.publicUrl}/api/calling`,
      promptBaseUrl: `${deps.publicUrl}/prompts`,
      recordingTokens: new RecordingTokens(deps.orm),
      ...(deps.keepAliveSeconds !== undefined ? { keepAliveSeconds: deps.keepAliveSeconds } : {}),
      ...(deps.phoneRegion ? { phoneRegion: deps.phoneRegion } : {}),
      ...(deps.admission ? { admission: deps.admission } : {}),
      ...(deps.callSearchAttributes ? { searchAttributes: deps.callSearchAttributes } : {}),
    }),
  );

  app.post(
    '/api/subscriptions',
    express.json({ limit: '1mb' }),
    subscriptionsWebhook({
      ...(deps.subscriptionClientState ? { clientState: deps.subscriptionClientState } : {}),
      logger: deps.logger,
    }),
  );

  if (deps.adminAuth) {
    if (!deps.adminCatalog) throw new Error('createApp: adminAuth needs adminCatalog, the configuration it serves');
    app.use(
      '/api/admin',
      ipAllowList(deps.adminAllowedCidrs ?? [], 'admin API', deps.logger),
      adminRouter({
        orm: deps.orm,
        auth: deps.adminAuth,
        catalog: deps.adminCatalog,
        logger: deps.logger,
        client: deps.client,
        ...(deps.recordings ? { recordings: deps.recordings } : {}),
      }),
    );
  }
  if (deps.adminAuth && deps.temporalCodec) {
    app.use(
      '/codec',
      ipAllowList(deps.adminAllowedCidrs ?? [], 'Temporal codec endpoint', deps.logger),
      codecEndpoint({
        codec: deps.temporalCodec.codec,
        ...(deps.temporalCodec.uiOrigin ? { uiOrigin: deps.temporalCodec.uiOrigin } : {}),
        auth: deps.adminAuth,
        orm: deps.orm,
        logger: deps.logger,
      }),
    );
  }
  if (deps.tabs) app.use('/tabs', deps.tabs);
  if (deps.recordings) {
    const recordings = deps.recordings;
    // Only with a link signed by the admin API: the link is the authorisation, and every download is audited.
    app.get('/api/recordings/:id', async (req, res) => {
      const id = String(req.params.id);
      if (!/^\d{1,18}$/.test(id))
        return void res.status(400).json({ error: { code: 'BadRequest', message: 'not a recording id' } });
      const check = verifyRecordingLink(recordings.signingKey, id, req.query);
      if (!check.ok)
        return void res.status(403).json({ error: { code: 'Forbidden', message: `link ${check.reason}` } });
      const knex = deps.orm.em.getKnex();
      const row = await knex('recording').where('id', id).first('storage_key');
      const bytes = row ? await recordings.store.get(String(row.storage_key)) : undefined;
      if (!bytes) return void res.status(404).json({ error: { code: 'NotFound', message: 'no such recording' } });
      await knex('recording_access').insert({
        recording_id: id,
        action: 'download',
        actor_id: check.actorId,
        actor_name: check.actorId,
        ip: req.ip ?? '',
      });
      res.setHeader('Cache-Control', 'private, no-store');
      // Served as what the bytes are (Graph's recordings are not documented as WAV): src/media/audio-format.ts.
      res.setHeader('Content-Type', detectAudioFormat(bytes).mimeType);
      res.send(bytes);
    });
  }

  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.publicUrl));
  });

  registerLiveGauges({
    queues: async () =>
      (
        await deps.orm.em
          .getConnection()
          .execute(
            `select queue, calls_waiting, coalesce(extract(epoch from now() - oldest_waiting_since), 0) as longest from queue_live`,
          )
      ).map((r) => ({
        queue: String(r.queue),
        callsWaiting: Number(r.calls_waiting),
        longestWaitSeconds: Number(r.longest),
      })),
    agents: async () =>
      (
        await deps.orm.em.getConnection().execute(`select state, count(*)::int as n from agent_live group by state`)
      ).map((r) => ({ state: String(r.state), count: Number(r.n) })),
  });
  // Prometheus scrapes this; it sits behind the admin allow-list because it describes the whole contact center.
  app.get('/metrics', ipAllowList(deps.adminAllowedCidrs ?? [], 'metrics', deps.logger), async (_req, res) => {
    res.type(registry.contentType).send(await metricsText(deps.temporalMetricsUrl));
  });

  app.get('/healthz', async (_req, res) => {
    const [temporal, postgres] = await Promise.all([
      withTimeout(temporalUp(deps.client), 2000),
      withTimeout(isDatabaseUp(deps.orm), 2000),
    ]);
    const ok = temporal && postgres;
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      dependencies: { temporal: temporal ? 'up' : 'down', postgres: postgres ? 'up' : 'down' },
    });
  });

  app.use('/prompts', express.static(promptsDir, { fallthrough: false, index: false }));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NotFound', message: 'no such route' } });
  });

  // Body-parser and static errors carry a status: malformed JSON → 400, too large → 413.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    if (status >= 500) deps.logger.error({ err }, 'request failed');
    else deps.logger.warn({ status, type: e.type }, 'bad request');
    const message =
      e.type === 'entity.parse.failed'
        ? 'body is not valid JSON'
        : e.type === 'entity.too.large'
          ? 'body too large'
          : status >= 500
            ? 'internal error'
            : (e.message ?? 'bad request');
    res.status(status).json({
      error: { code: status === 413 ? 'PayloadTooLarge' : status >= 500 ? 'InternalError' : 'BadRequest', message },
    });
  });
  return app;
}

/** The frontend answers a cheap namespace describe only when it is really serving. */
async function temporalUp(client: Client): Promise<boolean> {
  await client.workflowService.getSystemInfo({});
  return true;
}

async function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
