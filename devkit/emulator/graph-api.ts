/**
 * What the app reaches as Microsoft Graph: the v1.0 calling, presence and activity-feed endpoints, and the
 * recordingLocation downloads. Each route checks that the call exists before it checks the body, as Graph does.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type pino from 'pino';
import { assertKnownUser, validateActivityNotification, type ActivityNotificationRecord } from './activity-feed.js';
import type { CallManager } from './calls/call-manager.js';
import type { OperationStarted } from './calls/emulated-call.js';
import type { Faults } from './faults.js';
import { GraphHttpError, badRequest, sendGraphError } from './graph-error.js';
import type { AgentDirectory } from './people.js';
import { presences, validateGetPresences } from './presence.js';
import { requirePermissions } from './permissions.js';
import { requireGraphToken, type KeyRing } from './tokens.js';
import type { RecordedRequest } from './types.js';
import { validateAnswer, validateRedirect, validateReject } from './validation/calls.js';
import {
  validateCancelMediaProcessing,
  validatePlayPrompt,
  validateRecordResponse,
  validateSubscribeToTone,
} from './validation/media-operations.js';
import { validateCreateCall } from './validation/outbound.js';
import { validateInvite, validateMuteParticipant } from './validation/participants.js';
import { validateTransfer } from './validation/transfers.js';

export interface GraphApiOptions {
  calls: CallManager;
  agents: AgentDirectory;
  faults: Faults;
  keys: KeyRing;
  /** Runs first on every request, so that a refused one is recorded too. */
  requestLog: RequestHandler;
  /** The tenant's users; undefined: every id exists. */
  directory: Set<string> | undefined;
  activityNotifications: ActivityNotificationRecord[];
  clientId: string;
  baseUrl: () => string;
  logger: pino.Logger;
}

export function graphApi(o: GraphApiOptions): express.Router {
  const { calls, agents, faults, logger } = o;
  const graph = express.Router();
  graph.use(o.requestLog);
  graph.use(requireGraphToken(o.keys));
  // A token without the application permission a request's API page requires is refused before anything else.
  graph.use(requirePermissions());
  // The body is parsed before an injected fault fires, so faulted requests are recorded with their body too.
  graph.use(express.json({ limit: '1mb' }));
  graph.use(faults.middleware());

  graph.post('/communications/getPresencesByUserId', (req, res) => {
    // An injected fault (action `getPresencesByUserId`): Graph throttles presence reads with 429 and Retry-After.
    const fault = faults.take('getPresencesByUserId', '');
    if (fault) throw fault;
    res.status(200).json(presences(agents, validateGetPresences(req.body)));
  });

  graph.post('/users/:userId/teamwork/sendActivityNotification', (req, res) => {
    const userId = req.params.userId as string;
    assertKnownUser(o.directory, userId); // 404 for a user the tenant doesn't have comes before 400 for a bad body
    // An injected fault (action `sendActivityNotification`, its `callId` naming the user) fails a notification.
    const fault = faults.take('sendActivityNotification', userId);
    if (fault) throw fault;
    o.activityNotifications.push(validateActivityNotification(req.body, userId));
    res.status(204).end();
  });

  // user-get.md: a tenant's user (a resource account is one), or 404 Request_ResourceNotFound.
  graph.get('/users/:userId', (req, res) => {
    const userId = req.params.userId as string;
    if (o.directory && !o.directory.has(userId.toLowerCase()))
      throw new GraphHttpError(
        404,
        'Request_ResourceNotFound',
        `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
      );
    res.json({
      '@odata.context': `${o.baseUrl()}/v1.0/$metadata#users(id,displayName,accountEnabled)/$entity`,
      id: userId,
      displayName: `Emulated ${userId}`,
      accountEnabled: true,
    });
  });

  graph.post('/communications/calls', (req, res) => {
    const body = calls.outbound.createCall(validateCreateCall(req.body, o.clientId));
    res.locals['callId'] = body['id'];
    res
      .status(201)
      .location(`${o.baseUrl()}/v1.0/communications/calls/${String(body['id'])}`)
      .json(body);
  });

  const c = '/communications/calls/:id';
  graph.get(c, (req, res) => {
    res.json(calls.lifecycle.getResource(req.params.id as string));
  });
  graph.delete(c, (req, res) => {
    calls.lifecycle.hangUp(req.params.id as string);
    res.status(204).end();
  });
  // An action on a call answers 202; one that starts an operation answers 200 with it and its Location. Both answer
  // 404 for an unknown call before 400 for a bad body.
  const action = (name: string, act: (id: string, body: unknown) => void) =>
    graph.post(`${c}/${name}`, (req, res) => {
      const id = req.params.id as string;
      calls.registry.assertLive(id);
      act(id, req.body);
      res.status(202).end();
    });
  const operation = (name: string, start: (id: string, body: unknown) => OperationStarted) =>
    graph.post(`${c}/${name}`, (req, res) => {
      const id = req.params.id as string;
      calls.registry.assertLive(id);
      const { body, location } = start(id, req.body);
      res.status(200).location(`${o.baseUrl()}/v1.0${location}`).json(body);
    });
  action('answer', (id, body) => calls.incoming.answer(id, validateAnswer(body)));
  operation('playPrompt', (id, body) => calls.media.playPrompt(id, validatePlayPrompt(body)));
  operation('cancelMediaProcessing', (id, body) =>
    calls.media.cancelMediaProcessing(id, validateCancelMediaProcessing(body)),
  );
  action('transfer', (id, body) => calls.transfers.transfer(id, validateTransfer(body)));
  action('reject', (id, body) => calls.incoming.reject(id, validateReject(body)));
  action('redirect', (id, body) => calls.incoming.redirect(id, validateRedirect(body)));
  operation('recordResponse', (id, body) => calls.recordings.recordResponse(id, validateRecordResponse(body)));
  operation('subscribeToTone', (id, body) => calls.tones.subscribeToTone(id, validateSubscribeToTone(body)));
  operation('participants/invite', (id, body) => calls.participants.invite(id, validateInvite(body)));
  // A group call's roster (issue 24): call-list-participants.md, participant-mute.md, participant-delete.md.
  graph.get(`${c}/participants`, (req, res) => {
    res.json(calls.conference.list(req.params.id as string));
  });
  graph.post(`${c}/participants/:participantId/mute`, (req, res) => {
    const id = req.params.id as string;
    calls.registry.assertLive(id);
    const { clientContext } = validateMuteParticipant(req.body);
    const { body, location } = calls.conference.mute(id, req.params.participantId as string, clientContext);
    res.status(200).location(`${o.baseUrl()}/v1.0${location}`).json(body);
  });
  graph.delete(`${c}/participants/:participantId`, (req, res) => {
    calls.conference.remove(req.params.id as string, req.params.participantId as string);
    res.status(204).end();
  });
  // call-keepalive.md: no body, 200 OK; 404 for a call that has ended.
  graph.post(`${c}/keepAlive`, (req, res) => {
    calls.lifecycle.keepAlive(req.params.id as string);
    res.status(200).end();
  });
  graph.get(`${c}/operations/:opId`, (req, res) => {
    const op = calls.operations.getOperation(req.params.id as string, req.params.opId as string);
    if (!op) throw new GraphHttpError(404, 'itemNotFound', `Operation ${String(req.params.opId)} not found.`);
    res.json(op);
  });
  const knownActions =
    /^\/communications\/(getPresencesByUserId|calls(\/[^/]+(\/(answer|reject|redirect|keepAlive|playPrompt|recordResponse|subscribeToTone|cancelMediaProcessing|transfer|participants(\/invite|\/[^/]+(\/mute)?)?|operations\/[^/]+))?)?)$/i;
  graph.use((req, _res, next) => {
    const path = req.path;
    if (knownActions.test(path) || /^\/users\/[^/]+\/teamwork\/sendActivityNotification$/i.test(path)) {
      next(
        new GraphHttpError(
          405,
          'Request_BadRequest',
          `The HTTP method '${req.method}' is not allowed on ${path} by the emulator.`,
        ),
      );
      return;
    }
    const segment = path.split('/').filter(Boolean).pop() ?? '';
    next(badRequest(`Resource not found for the segment '${segment}'.`));
  });
  graph.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof GraphHttpError) return sendGraphError(req, res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed')
      return sendGraphError(req, res, badRequest(`Invalid JSON in request body: ${e.message ?? ''}`));
    if (e.type === 'entity.too.large')
      return sendGraphError(
        req,
        res,
        new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.'),
      );
    logger.error({ err }, 'emulator: unexpected error in a Graph handler');
    return sendGraphError(
      req,
      res,
      new GraphHttpError(500, 'UnknownError', 'An unexpected error occurred in the emulator.'),
    );
  });
  return graph;
}

/** GET {recordingLocation}: the recording's bytes for a bearer of its recordingAccessToken. */
export function recordingDownload(
  calls: CallManager,
  faults: Faults,
  downloads: RecordedRequest[],
): RequestHandler<{ id: string }> {
  return (req, res) => {
    const callId = calls.recordings.recording(req.params.id)?.callId;
    res.on('finish', () => {
      downloads.push({
        at: new Date().toISOString(),
        method: req.method,
        path: req.originalUrl,
        body: null,
        status: res.statusCode,
        ...(callId ? { callId } : {}),
      });
    });
    try {
      const audio = calls.recordings.getRecording(req.params.id, req.header('authorization'));
      // An injected fault (action `downloadRecording`) fails an authorised download of a recording that exists.
      const fault = callId ? faults.take('downloadRecording', callId) : undefined;
      if (fault) throw fault;
      // call-record.md: the download is application/octet-stream, whatever the audio is.
      res.status(200).type('application/octet-stream').send(audio);
    } catch (err) {
      if (err instanceof GraphHttpError) return sendGraphError(req, res, err);
      throw err;
    }
  };
}
