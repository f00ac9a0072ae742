/**
 * The Graph emulator's HTTP server: Graph v1.0 calling endpoints under /v1.0, the Entra-like token
 * endpoint and OpenID documents, the calling-notification signing keys under /botframework/v1, and
 * a control API under /emulator for other processes (the demo CLI) to place calls and script agents.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Faults, type Fault } from './faults.js';
import express from 'express';
import pino from 'pino';
import type { ActivityNotificationRecord } from './activity-feed.js';
import { CallManager } from './calls/call-manager.js';
import { controlApi } from './control-api.js';
import { graphApi, recordingDownload } from './graph-api.js';
import { MediaLoader } from './media.js';
import { Notifier } from './notifier.js';
import { AgentDirectory } from './people.js';
import { requestLog } from './request-log.js';
import { identityRouter } from './identity-router.js';
import { KeyRing } from './tokens.js';
import type {
  AgentScript,
  CalleeScript,
  CallerScript,
  Emulator,
  EmulatorOptions,
  RecordedRequest,
  StepEvent,
} from './types.js';

export type {
  CalleeScript,
  Quirks,
  AgentScript,
  AgentView,
  CallerScript,
  EmulatedCallView,
  Emulator,
  EmulatorOptions,
  RecordedRequest,
  StepEvent,
} from './types.js';
export { agentScriptSchema, calleeScriptSchema, callerScriptSchema } from './control-api.js';

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  for (const k of ['tenantId', 'clientId', 'clientSecret', 'botCallingUrl'] as const) {
    if (!opts[k]) throw new Error(`startEmulator: ${k} is required`);
  }
  const mediaSpeed = opts.mediaSpeed ?? 1;
  if (!(mediaSpeed > 0)) throw new Error(`startEmulator: mediaSpeed must be > 0, got ${mediaSpeed}`);
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'graph-emulator' });

  const events = new EventEmitter();
  const emitStep = (step: StepEvent) => events.emit('step', step);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const tokenRequests: RecordedRequest[] = [];
  const activityNotifications: ActivityNotificationRecord[] = [];
  const recordingDownloads: RecordedRequest[] = [];
  const directory = opts.users ? new Set(opts.users.map((u) => u.toLowerCase())) : undefined;
  let baseUrl = '';

  const keys = await KeyRing.create({
    tenantId: opts.tenantId,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    ...(opts.appRoles ? { roles: opts.appRoles } : {}),
  });
  const agents = new AgentDirectory();
  const media = new MediaLoader();
  const notifier = new Notifier({
    keys,
    logger,
    onDelivered: (callId, rec) => calls.registry.recordNotification(callId, rec),
    ...(opts.redelivery ? { redelivery: opts.redelivery } : {}),
  });
  const calls = new CallManager({
    options: {
      tenantId: opts.tenantId,
      clientId: opts.clientId,
      botCallingUrl: opts.botCallingUrl,
      botDisplayName: opts.botDisplayName ?? 'Switchboard',
      mediaSpeed,
      answerTimeoutMs: opts.answerTimeoutMs ?? 15000,
      docQuirks: opts.docQuirks ?? false,
      quirks: opts.quirks ?? {},
      recordingRetentionMs: opts.recordingRetentionMs ?? 60000,
      keepAliveWindowMs: opts.keepAliveWindowMs ?? 45 * 60_000,
      baseUrl: () => baseUrl,
    },
    notifier,
    agents,
    media,
    logger,
    emitStep,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    identityRouter(
      keys,
      () => baseUrl,
      (r) => tokenRequests.push(r),
    ),
  );
  const requestLogFile = opts.requestLogFile ?? process.env['SWITCHBOARD_GRAPH_REQUEST_LOG'];
  app.use(
    '/v1.0',
    graphApi({
      calls,
      agents,
      faults,
      keys,
      requestLog: requestLog({ requests, requestLogFile, calls: calls.registry, emitStep, logger }),
      directory,
      activityNotifications,
      clientId: opts.clientId,
      baseUrl: () => baseUrl,
      logger,
    }),
  );
  app.get('/recordings/:id', recordingDownload(calls, faults, recordingDownloads));
  app.use('/emulator', controlApi({ calls, agents, faults, requests, baseUrl: () => baseUrl }));

  // ------------------------------------------------------------------ listen
  const host = opts.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: baseUrl }, 'Graph emulator listening');

  let stopped: Promise<void> | undefined;
  return {
    url: baseUrl,
    graphBaseUrl: `${baseUrl}/v1.0`,
    authorityMetadataUrl: `${baseUrl}/${opts.tenantId}/v2.0/.well-known/openid-configuration`,
    callingOpenIdUrl: `${baseUrl}/botframework/v1/.well-known/OpenIdConfiguration`,
    events,
    requests,
    tokenRequests,
    recordingDownloads,
    activityNotifications,
    recordingBytes(recordingLocation: string) {
      const id = /\/recordings\/([^/?#]+)$/.exec(recordingLocation)?.[1];
      return id ? calls.recordings.recording(decodeURIComponent(id))?.audio : undefined;
    },
    async placeCall(script: CallerScript) {
      return { callId: calls.incoming.placeCall(script) };
    },
    injectFault(fault: Fault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    setAgent(userId: string, script: AgentScript) {
      agents.setScript(userId, script);
    },
    setCallee(id: string, script: CalleeScript) {
      calls.ringing.setCallee(id, script);
    },
    getAgent(userId: string) {
      return agents.view(userId);
    },
    getCall(callId: string) {
      return calls.view(callId);
    },
    callerHangsUp(callId: string) {
      const call = calls.registry.get(callId);
      if (!call) throw new Error(`emulator: no call ${callId}`);
      if (call.hangUpTimer) clearTimeout(call.hangUpTimer);
      calls.lifecycle.callerHangsUp(call);
    },
    agentHangsUp(callId: string, userId: string) {
      const call = calls.registry.get(callId);
      if (!call) throw new Error(`emulator: no call ${callId}`);
      const entry = call.roster?.find((p) => p.userId === userId && p.leftAt === undefined);
      if (!entry) throw new Error(`emulator: ${userId} is not in the group call ${callId}`);
      // Their talk timer (AgentScript.talkMs) may still fire: leaving twice is a no-op.
      calls.conference.leave(call, entry.id, `${userId} hangs up`);
    },
    callerPresses(callId: string, keys: string) {
      const call = calls.registry.get(callId);
      if (!call) throw new Error(`emulator: no call ${callId}`);
      for (const key of keys) calls.tones.pressKey(call, key);
    },
    stop() {
      stopped ??= (async () => {
        calls.stop();
        agents.stop();
        notifier.stop();
        media.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await notifier.drain();
      })();
      return stopped;
    },
  };
}
