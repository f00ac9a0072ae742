import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import type { MikroORM } from '../../src/db/orm.js';
import type { FolderRecordingStore } from '../../src/recordings/store.js';
import { createApp } from '../../src/server/app.js';
import { configuredAdminCatalog } from './admin-catalog.js';
import { codecFor } from '../../src/temporal/data-converter.js';
import { AdminAuth } from '../../src/admin/identity.js';
import { MICROSOFT_CALLING_OPENID_URL, NotificationVerifier } from '../../src/server/notification-auth.js';
import type { Stops } from './stops.js';
import { agents, queues } from '../../flows/index.js';
import { LiveFeed } from '../../src/tabs/live-feed.js';
import { tabsRouter } from '../../src/tabs/router.js';
import { demoSignIn } from '../../src/tabs/demo-sign-in.js';
import { webhookSearchAttributes } from './call-search-attributes.js';
import { AnswerAdmission, type AdmissionLimits } from '../../src/server/answer-admission.js';
import { lazyGraph } from './graph.js';
import type { GraphStandIn } from './types.js';

/** Where notifications and admin tokens are signed, and Graph is, when the emulator stands in for Microsoft. */
export type SigningStandIn = Pick<GraphStandIn, 'url' | 'callingOpenIdUrl' | 'graphBaseUrl' | 'authorityMetadataUrl'>;

export interface WebRoleDeps {
  config: Config;
  logger: Logger;
  stops: Stops;
  client: Client;
  orm: MikroORM;
  recordingStore: FolderRecordingStore;
  /** A worker runs in this process: call starts may ask Temporal for eager start. */
  eagerStart: boolean;
  /** The emulator starts after the web process, so its key documents are looked up when first needed. */
  standIn: () => SigningStandIn | undefined;
  temporalMetricsUrl?: string;
  /** The embedded demo: the tabs' sign-in page offers the demo's agents and supervisor (tokens from the emulator). */
  demoSignIn?: boolean;
  /** Admission control's limits; the configuration's (ADMISSION_*) unless given. */
  admission?: AdmissionLimits;
}

/** The web role: Express with the Graph webhook, the admin API, recordings and /metrics. Returns its URL. */
export async function startWebRole(d: WebRoleDeps): Promise<string> {
  const { config, logger } = d;
  // Refusing a call is the web process's only Graph request: one `reject`, made when the worker is behind.
  const graph = lazyGraph(config, d.standIn);
  const admissionLimits = d.admission ?? config.admission;
  const notificationVerifier = new NotificationVerifier({
    openIdConfigUrl: () =>
      config.graph.notificationOpenIdUrl ?? d.standIn()?.callingOpenIdUrl ?? MICROSOFT_CALLING_OPENID_URL,
    audience: config.graph.clientId,
    allowedTenants: config.graph.notificationTenants,
    logger,
  });
  const adminAuth = new AdminAuth({
    // With the emulator standing in for Microsoft, its tenant signs admin tokens too (`switchboard admin token`).
    openIdConfigUrl: () => {
      const standIn = d.standIn();
      return (
        config.security.adminOpenIdUrl ??
        (standIn
          ? `${standIn.url}/${config.graph.tenantId}/v2.0/.well-known/openid-configuration`
          : `${config.graph.authorityHost.replace(/\/$/, '')}/${config.graph.tenantId}/v2.0/.well-known/openid-configuration`)
      );
    },
    audiences: config.security.adminAudiences,
    allowedTenants: [config.graph.tenantId],
    logger,
  });
  // The Teams tabs: live through one LISTEN for the whole process; the demo sign-in only where the emulator stands in.
  const feed = new LiveFeed(d.orm, logger);
  await feed.start();
  d.stops.push(() => feed.stop());
  const tabs = await tabsRouter({
    auth: adminAuth,
    feed,
    logger,
    directory: {
      agentNames: Object.fromEntries(Object.entries(agents).map(([id, a]) => [id, a.name])),
      queueAgents: Object.fromEntries(Object.values(queues).map((q) => [q.name, q.agents])),
      queueWrapUpCodes: Object.fromEntries(
        Object.values(queues).flatMap((q) => (q.wrapUpCodes ? [[q.name, q.wrapUpCodes]] : [])),
      ),
    },
    links: {
      ...(config.temporal.uiOrigin
        ? { temporalWorkflows: `${config.temporal.uiOrigin}/namespaces/${config.temporal.namespace}/workflows` }
        : {}),
      ...(config.grafanaUrl ? { grafana: config.grafanaUrl } : {}),
    },
    ...(d.demoSignIn
      ? { demo: demoSignIn(agents, () => d.standIn()?.url, config.security.adminAudiences[0] ?? config.graph.clientId) }
      : {}),
  });
  const app = createApp({
    client: d.client,
    orm: d.orm,
    logger,
    taskQueue: config.temporal.taskQueue,
    eagerStart: d.eagerStart,
    publicUrl: config.publicUrl,
    keepAliveSeconds: config.graph.keepAliveSeconds,
    ...(config.privacy.phoneRegion ? { phoneRegion: config.privacy.phoneRegion } : {}),
    notificationVerifier,
    adminAuth,
    adminCatalog: configuredAdminCatalog(),
    tabs,
    recordings: {
      store: d.recordingStore,
      signingKey: config.recordings.signingKey ? Buffer.from(config.recordings.signingKey) : randomBytes(32),
      linkTtlSeconds: config.recordings.linkTtlSeconds,
      publicUrl: config.publicUrl,
    },
    adminAllowedCidrs: config.security.adminAllowedCidrs,
    webhookAllowedCidrs: config.security.webhookAllowedCidrs,
    trustedProxies: config.security.trustedProxies,
    ...(d.temporalMetricsUrl ? { temporalMetricsUrl: d.temporalMetricsUrl } : {}),
    temporalCodec: {
      codec: await codecFor(config),
      ...(config.temporal.uiOrigin ? { uiOrigin: config.temporal.uiOrigin } : {}),
    },
    ...(config.graph.subscriptionClientState ? { subscriptionClientState: config.graph.subscriptionClientState } : {}),
    callSearchAttributes: webhookSearchAttributes(config, logger),
    ...(admissionLimits
      ? {
          admission: {
            limits: new AnswerAdmission(admissionLimits),
            refuseCall: async (callId: string) => (await graph.callControl()).reject(callId, { reason: 'busy' }),
          },
        }
      : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  d.stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return `http://${config.host}:${typeof address === 'object' && address ? address.port : config.port}`;
}
