/**
 * The Graph emulator's HTTP server: Graph v1.0 calling endpoints under /v1.0, the Entra-like token
 * endpoint and OpenID documents, the calling-notification signing keys under /botframework/v1, and
 * a control API under /emulator for other processes (the demo CLI) to place calls and script agents.
 */
import { appendFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Faults, RESPONSE_LOST, type Fault } from './faults.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import pino from 'pino';
import { z } from 'zod';
import { CallManager } from './calls.js';
import { GraphHttpError, badRequest, requestIds, sendGraphError } from './graph-error.js';
import { MediaLoader } from './media.js';
import { Notifier } from './notifier.js';
import { AgentDirectory } from './people.js';
import { assertKnownUser, validateActivityNotification, type ActivityNotificationRecord } from './activity-feed.js';
import { ACTIVITY, AVAILABILITY, presences, validateGetPresences } from './presence.js';
import { KeyRing, identityRouter, requireGraphToken } from './tokens.js';
import type { AgentScript, CalleeScript, CallerScript, Emulator, EmulatorOptions, RecordedRequest, StepEvent } from './types.js';
import {
  validateAnswer,
  validateCancelMediaProcessing,
  validateCreateCall,
  validateInvite,
  validatePlayPrompt,
  validateRecordResponse,
  validateRedirect,
  validateReject,
  validateSubscribeToTone,
  validateTransfer,
} from './validation.js';

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

const faultSchema = z
  .object({
    action: z.string().min(1),
    callId: z.string().min(1).optional(),
    status: z.union([z.literal(404), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal('noResponse')]),
    times: z.number().int().min(1).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    holdMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

const quirksSchema = z
  .object({
    establishedBeforeEstablishing: z.boolean().optional(),
    duplicates: z.number().int().min(1).max(5).optional(),
    stringCodes: z.boolean().optional(),
    subCodeSpelling: z.boolean().optional(),
    resourceDataArray: z.boolean().optional(),
    pascalCaseEnums: z.boolean().optional(),
  })
  .strict();

const digitsSchema = z.array(z.object({ atMs: z.number().nonnegative(), keys: z.string().regex(/^[0-9*#A-Da-d]+$/, 'keys are 0-9, *, #, A-D') }).strict());

export const calleeScriptSchema = z
  .object({
    onCall: z.enum(['answer', 'never', 'busy']).optional(),
    answerAfterMs: z.number().nonnegative().optional(),
    hangUpAfterMs: z.number().nonnegative().optional(),
    digits: digitsSchema.optional(),
    speechMs: z.number().nonnegative().optional(),
  })
  .strict();

export const callerScriptSchema = z
  .object({
    from: z.union([
      z.object({ user: z.object({ id: z.string().min(1), displayName: z.string().optional() }).strict() }).strict(),
      z.object({ phone: z.string().regex(/^\+[1-9]\d{1,14}$/, 'phone must be E.164, e.g. +12345678901') }).strict(),
    ]),
    applicationInstanceId: z.string().min(1).optional(),
    hangUpAfterMs: z.number().nonnegative().optional(),
    incomingCopies: z.number().int().min(1).max(10).optional(),
    digits: digitsSchema.optional(),
    speechMs: z.number().nonnegative().optional(),
    quirks: quirksSchema.optional(),
  })
  .strict();

export const agentScriptSchema = z
  .object({
    onTransfer: z.enum(['accept', 'decline', 'ignore']),
    answerAfterMs: z.number().nonnegative().optional(),
    talkMs: z.number().nonnegative().optional(),
    presence: z
      .array(z.object({ atMs: z.number().nonnegative(), availability: z.enum(AVAILABILITY), activity: z.enum(ACTIVITY) }).strict())
      .optional(),
  })
  .strict();

const CALL_PATH = /^\/v1\.0\/communications\/calls\/([^/?]+)/i;

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
  const directory = opts.users ? new Set(opts.users.map((u) => u.toLowerCase())) : undefined;
  let baseUrl = '';

  const keys = await KeyRing.create({ tenantId: opts.tenantId, clientId: opts.clientId, clientSecret: opts.clientSecret });
  const agents = new AgentDirectory();
  const media = new MediaLoader();
  const notifier = new Notifier({
    keys,
    logger,
    onDelivered: (callId, rec) => calls.recordNotification(callId, rec),
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

  app.use(identityRouter(keys, () => baseUrl, (r) => tokenRequests.push(r)));

  // ------------------------------------------------------------------ Graph v1.0
  const requestLogFile = opts.requestLogFile ?? process.env['SWITCHBOARD_GRAPH_REQUEST_LOG'];
  const graph = express.Router();
  graph.use((req, res, next) => {
    requestIds(req, res);
    // A response the app never gets (a `noResponse` fault) is logged when Graph has done the work, with its status.
    const logged = () => {
      const callId = CALL_PATH.exec(req.originalUrl)?.[1] ?? (res.locals['callId'] as string | undefined);
      const rec: RecordedRequest = {
        at: new Date().toISOString(),
        method: req.method,
        path: req.originalUrl,
        body: req.body ?? null,
        status: res.statusCode,
        ...(res.locals[RESPONSE_LOST] ? { responseLost: true } : {}),
        ...(callId ? { callId } : {}),
        ...(req.header('client-request-id') ? { clientRequestId: req.header('client-request-id') } : {}),
      };
      requests.push(rec);
      if (requestLogFile) {
        // One JSON line per Graph request, for the conformance test (test/conformance.test.ts).
        const line = { ...rec, contentType: req.header('content-type') ?? null };
        try {
          appendFileSync(requestLogFile, `${JSON.stringify(line)}\n`);
        } catch (err) {
          logger.warn({ err, requestLogFile }, 'emulator: cannot append to the request log');
        }
      }
      if (callId) {
        calls.recordRequest(callId, rec);
        const action = req.originalUrl.replace(CALL_PATH, '').split('?')[0] || '';
        emitStep({ callId, at: rec.at, kind: 'request', detail: `${req.method} ${action || '/'} -> ${res.statusCode}${rec.responseLost ? ' (response lost)' : ''}` });
      }
    };
    res.once('finish', logged);
    res.once(RESPONSE_LOST, logged);
    next();
  });
  graph.use(requireGraphToken(keys));
  // The body is parsed before an injected fault fires, so faulted requests are recorded with their body too.
  graph.use(express.json({ limit: '1mb' }));
  graph.use(faults.middleware());

  graph.post('/communications/getPresencesByUserId', (req, res) => {
    res.status(200).json(presences(agents, validateGetPresences(req.body)));
  });

  graph.post('/users/:userId/teamwork/sendActivityNotification', (req, res) => {
    const userId = req.params.userId as string;
    assertKnownUser(directory, userId); // 404 for a user the tenant doesn't have comes before 400 for a bad body
    // An injected fault (action `sendActivityNotification`, its `callId` naming the user) fails a notification.
    const fault = faults.take('sendActivityNotification', userId);
    if (fault) throw fault;
    activityNotifications.push(validateActivityNotification(req.body, userId));
    res.status(204).end();
  });

  graph.post('/communications/calls', (req, res) => {
    const body = calls.createCall(validateCreateCall(req.body, opts.clientId));
    res.locals['callId'] = body['id'];
    res.status(201).location(`${baseUrl}/v1.0/communications/calls/${String(body['id'])}`).json(body);
  });

  const c = '/communications/calls/:id';
  graph.get(c, (req, res) => {
    res.json(calls.getResource(req.params.id as string));
  });
  graph.delete(c, (req, res) => {
    calls.hangUp(req.params.id as string);
    res.status(204).end();
  });
  graph.post(`${c}/answer`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id); // 404 for an unknown call comes before 400 for a bad body
    calls.answer(id, validateAnswer(req.body));
    res.status(202).end();
  });
  graph.post(`${c}/playPrompt`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    const { body, location } = calls.playPrompt(id, validatePlayPrompt(req.body));
    res.status(200).location(`${baseUrl}/v1.0${location}`).json(body);
  });
  graph.post(`${c}/cancelMediaProcessing`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    const { body, location } = calls.cancelMediaProcessing(id, validateCancelMediaProcessing(req.body));
    res.status(200).location(`${baseUrl}/v1.0${location}`).json(body);
  });
  graph.post(`${c}/transfer`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    calls.transfer(id, validateTransfer(req.body));
    res.status(202).end();
  });
  graph.post(`${c}/reject`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    calls.reject(id, validateReject(req.body));
    res.status(202).end();
  });
  graph.post(`${c}/redirect`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    calls.redirect(id, validateRedirect(req.body));
    res.status(202).end();
  });
  graph.post(`${c}/recordResponse`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    const { body, location } = calls.recordResponse(id, validateRecordResponse(req.body));
    res.status(200).location(`${baseUrl}/v1.0${location}`).json(body);
  });
  graph.post(`${c}/subscribeToTone`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    const { body, location } = calls.subscribeToTone(id, validateSubscribeToTone(req.body));
    res.status(200).location(`${baseUrl}/v1.0${location}`).json(body);
  });
  graph.post(`${c}/participants/invite`, (req, res) => {
    const id = req.params.id as string;
    calls.assertLive(id);
    const { body, location } = calls.invite(id, validateInvite(req.body));
    res.status(200).location(`${baseUrl}/v1.0${location}`).json(body);
  });
  graph.get(`${c}/operations/:opId`, (req, res) => {
    const op = calls.getOperation(req.params.id as string, req.params.opId as string);
    if (!op) throw new GraphHttpError(404, 'itemNotFound', `Operation ${String(req.params.opId)} not found.`);
    res.json(op);
  });
  const knownActions =
    /^\/communications\/(getPresencesByUserId|calls(\/[^/]+(\/(answer|reject|redirect|playPrompt|recordResponse|subscribeToTone|cancelMediaProcessing|transfer|participants\/invite|operations\/[^/]+))?)?)$/i;
  graph.use((req, _res, next) => {
    const path = req.path;
    if (knownActions.test(path) || /^\/users\/[^/]+\/teamwork\/sendActivityNotification$/i.test(path)) {
      next(new GraphHttpError(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed on ${path} by the emulator.`));
      return;
    }
    const segment = path.split('/').filter(Boolean).pop() ?? '';
    next(badRequest(`Resource not found for the segment '${segment}'.`));
  });
  graph.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof GraphHttpError) return sendGraphError(req, res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendGraphError(req, res, badRequest(`Invalid JSON in request body: ${e.message ?? ''}`));
    if (e.type === 'entity.too.large') return sendGraphError(req, res, new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
    logger.error({ err }, 'emulator: unexpected error in a Graph handler');
    return sendGraphError(req, res, new GraphHttpError(500, 'UnknownError', 'An unexpected error occurred in the emulator.'));
  });
  app.use('/v1.0', graph);

  // ------------------------------------------------------------------ recordings (recordingLocation)
  const recordingDownloads: RecordedRequest[] = [];
  app.get('/recordings/:id', (req, res) => {
    const callId = calls.recording(req.params.id)?.callId;
    res.on('finish', () => {
      recordingDownloads.push({ at: new Date().toISOString(), method: req.method, path: req.originalUrl, body: null, status: res.statusCode, ...(callId ? { callId } : {}) });
    });
    try {
      const wav = calls.getRecording(req.params.id, req.header('authorization'));
      // An injected fault (action `downloadRecording`) fails an authorised download of a recording that exists.
      const fault = callId ? faults.take('downloadRecording', callId) : undefined;
      if (fault) throw fault;
      res.status(200).type('application/octet-stream').send(wav);
    } catch (err) {
      if (err instanceof GraphHttpError) return sendGraphError(req, res, err);
      throw err;
    }
  });

  // ------------------------------------------------------------------ control API
  const control = express.Router();
  control.use(express.json());
  control.post('/calls', (req, res) => {
    const parsed = callerScriptSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid CallerScript', issues: parsed.error.issues });
    res.status(201).json({ callId: calls.placeCall(parsed.data as CallerScript) });
  });
  control.get('/calls', (_req, res) => {
    res.json({ value: calls.ids().map((id) => ({ id, state: calls.get(id)?.state })) });
  });
  control.get('/calls/:id', (req, res) => {
    const view = calls.view(req.params.id as string);
    if (!view) return void res.status(404).json({ error: 'no such call' });
    res.json(view);
  });
  control.put('/agents/:userId', (req, res) => {
    const parsed = agentScriptSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid AgentScript', issues: parsed.error.issues });
    agents.setScript(req.params.userId as string, parsed.data as AgentScript);
    res.json(agents.view(req.params.userId as string));
  });
  control.put('/callees/:id', (req, res) => {
    const parsed = calleeScriptSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid CalleeScript', issues: parsed.error.issues });
    calls.setCallee(req.params.id as string, parsed.data as CalleeScript);
    res.json({ id: req.params.id, script: parsed.data });
  });
  control.get('/agents', (_req, res) => {
    res.json({ value: agents.list() });
  });
  control.get('/agents/:userId', (req, res) => {
    res.json(agents.view(req.params.userId as string));
  });
  control.post('/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: 'invalid fault', issues: parsed.error.issues });
    faults.add(parsed.data as Fault);
    res.status(201).json({ ok: true });
  });
  control.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  control.get('/requests', (_req, res) => {
    res.json({ value: requests });
  });
  control.get('/health', (_req, res) => {
    res.json({ ok: true, url: baseUrl });
  });
  control.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: number; message?: string };
    res.status(e.status && e.status < 500 ? e.status : 400).json({ error: e.message ?? String(err) });
  });
  app.use('/emulator', control);

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
      return id ? calls.recording(decodeURIComponent(id))?.wav : undefined;
    },
    async placeCall(script: CallerScript) {
      return { callId: calls.placeCall(script) };
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
      calls.setCallee(id, script);
    },
    getAgent(userId: string) {
      return agents.view(userId);
    },
    getCall(callId: string) {
      return calls.view(callId);
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
