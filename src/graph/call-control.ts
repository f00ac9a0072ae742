/**
 * Call control over Microsoft Graph v1.0 communications: one method per Graph action, each one
 * request, each failure a GraphRequestError (see errors.ts for what is retryable).
 */
import { GraphClientError, ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type {
  CallState,
  CommsOperation,
  InvitationParticipantInfo,
  MediaPrompt,
  Modality,
  ServiceHostedMediaConfig,
} from '@microsoft/microsoft-graph-types';
import { GraphAuthError, GraphRequestError } from './errors.js';
import { graphErrorsTotal } from '../metrics.js';
import type { GraphClient } from './client.js';
import type { RecordOptions, TransferTarget } from '../contracts/activities/graph.js';
import { identitySet, invitationParticipant, mediaInfo, toResultInfo, type CallResultInfo } from './call-bodies.js';
import { downloadRecording } from './recording-download.js';

export { promptResourceId, type CallResultInfo } from './call-bodies.js';

/** The wire values (the typings spell OperationStatus in PascalCase, Graph sends camelCase). */
export type OperationStatus = 'notStarted' | 'running' | 'completed' | 'failed';

export interface OperationResult {
  operationId: string;
  status: OperationStatus;
}

export interface RawResult {
  status: number;
  headers: Headers;
  body: unknown;
}

export function callPath(callId: string, action = ''): string {
  if (!callId) throw new TypeError('callId is required');
  return `/communications/calls/${encodeURIComponent(callId)}${action}`;
}

/** Sends one request; returns status, headers and parsed body, or throws GraphRequestError. */
export async function sendGraphRequest(
  client: Client,
  operation: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<RawResult> {
  try {
    return await sendOnce(client, operation, method, path, body);
  } catch (e) {
    // Every failed Graph request, once per attempt: status 0 when no response came (network, token).
    if (e instanceof GraphRequestError) graphErrorsTotal.inc({ operation, status: String(e.status), code: e.code });
    throw e;
  }
}

async function sendOnce(
  client: Client,
  operation: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<RawResult> {
  let res: Response;
  try {
    const request = client.api(path).responseType(ResponseType.RAW);
    if (method === 'GET') res = (await request.get()) as Response;
    else if (method === 'DELETE') res = (await request.delete()) as Response;
    else res = (await request.post(body ?? {})) as Response;
  } catch (e) {
    if (e instanceof GraphClientError && e.customError instanceof GraphAuthError) {
      throw GraphRequestError.fromAuthError(e.customError, operation);
    }
    throw GraphRequestError.fromNetworkError(
      e instanceof GraphClientError && e.customError ? e.customError : e,
      operation,
    );
  }
  const text = await res.text();
  if (!res.ok) throw GraphRequestError.fromResponse(res.status, res.headers, text, operation);
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function operationResult(r: RawResult): OperationResult {
  const body = (r.body ?? {}) as Omit<CommsOperation, 'status'> & { status?: OperationStatus };
  const fromLocation = r.headers.get('location')?.split('?')[0]?.split('/').filter(Boolean).pop();
  const operationId = body.id ?? fromLocation;
  if (!operationId)
    throw new GraphRequestError({
      message: 'Graph returned no operation id (no body id, no Location)',
      status: r.status,
      code: 'NoOperationId',
    });
  return { operationId, status: body.status ?? 'running' };
}

export interface CallSnapshot {
  id: string;
  state: CallState;
  resultInfo?: CallResultInfo;
}

export interface Presence {
  id: string;
  availability: string;
  activity: string;
}

export class CallControl {
  /** Also what ParticipantControl (participant-control.ts) sends through. */
  readonly client: Client;

  constructor(graph: GraphClient | Client) {
    this.client = 'api' in graph ? graph : graph.client;
  }

  private send(operation: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<RawResult> {
    return sendGraphRequest(this.client, operation, method, path, body);
  }

  /** POST /communications/calls/{id}/answer with service-hosted media. Graph answers 202. */
  async answer(
    callId: string,
    opts: {
      callbackUri: string;
      preFetchMedia?: { uri: string; resourceId?: string }[];
      acceptedModalities?: Modality[];
    },
  ): Promise<void> {
    const mediaConfig: ServiceHostedMediaConfig & { '@odata.type': string } = {
      '@odata.type': '#microsoft.graph.serviceHostedMediaConfig',
      preFetchMedia: (opts.preFetchMedia ?? []).map((m) => mediaInfo(m.uri, m.resourceId)),
    };
    await this.send('answer', 'POST', callPath(callId, '/answer'), {
      callbackUri: opts.callbackUri,
      acceptedModalities: opts.acceptedModalities ?? ['audio'],
      mediaConfig,
    });
  }

  /** POST .../playPrompt. Completion arrives later as a playPromptOperation notification. */
  async playPrompt(callId: string, opts: { promptUris: string[]; clientContext: string }): Promise<OperationResult> {
    // Graph's documented limits (call-playprompt.md), checked here so the app never sends a request Graph must refuse.
    if (opts.promptUris.length === 0 || opts.promptUris.length > 20) {
      throw new GraphRequestError({
        message: `playPrompt: ${opts.promptUris.length} prompts; Graph takes 1 to 20`,
        status: 400,
        code: 'BadRequest',
        operation: 'playPrompt',
      });
    }
    const prompts: (MediaPrompt & { '@odata.type': string })[] = opts.promptUris.map((uri) => ({
      '@odata.type': '#microsoft.graph.mediaPrompt',
      mediaInfo: mediaInfo(uri),
    }));
    const r = await this.send('playPrompt', 'POST', callPath(callId, '/playPrompt'), {
      clientContext: opts.clientContext,
      prompts,
    });
    return operationResult(r);
  }

  /** POST .../cancelMediaProcessing: cancels the running and queued prompt operations. */
  async cancelMediaProcessing(callId: string, clientContext: string): Promise<OperationResult> {
    const r = await this.send('cancelMediaProcessing', 'POST', callPath(callId, '/cancelMediaProcessing'), {
      clientContext,
    });
    return operationResult(r);
  }

  /** POST .../transfer (blind transfer) to a Teams user or, from a resource account with a number, a phone. Graph answers 202. */
  async transfer(
    callId: string,
    opts: { target: TransferTarget; clientContext?: string; replacesCallId?: string },
  ): Promise<void> {
    const identity = identitySet(opts.target);
    const transferTarget: InvitationParticipantInfo & { '@odata.type': string; endpointType: string } = {
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      endpointType: 'default',
      identity,
      ...(opts.replacesCallId ? { replacesCallId: opts.replacesCallId } : {}),
    };
    await this.send('transfer', 'POST', callPath(callId, '/transfer'), {
      transferTarget,
      ...(opts.clientContext !== undefined ? { clientContext: opts.clientContext } : {}),
    });
  }

  /** POST .../reject: decline an incoming call that has not been answered. Graph answers 202. */
  async reject(
    callId: string,
    opts: { reason?: 'none' | 'busy' | 'forbidden'; callbackUri?: string } = {},
  ): Promise<void> {
    await this.send('reject', 'POST', callPath(callId, '/reject'), {
      reason: opts.reason ?? 'none',
      ...(opts.callbackUri ? { callbackUri: opts.callbackUri } : {}),
    });
  }

  /** POST .../redirect: forward an unanswered incoming call; several targets ring simultaneously (≤25; timeout 15–90 s). */
  async redirect(
    callId: string,
    opts: { targets: TransferTarget[]; timeoutSeconds?: number; callbackUri?: string },
  ): Promise<void> {
    if (opts.targets.length === 0 || opts.targets.length > 25) throw new RangeError('redirect: 1 to 25 targets');
    await this.send('redirect', 'POST', callPath(callId, '/redirect'), {
      targets: opts.targets.map((t) => invitationParticipant(t)),
      ...(opts.timeoutSeconds !== undefined ? { timeout: opts.timeoutSeconds } : {}),
      ...(opts.callbackUri ? { callbackUri: opts.callbackUri } : {}),
    });
  }

  /** POST .../recordResponse. Completion arrives as a recordOperation notification with recordingLocation and recordingAccessToken. */
  async recordResponse(callId: string, opts: RecordOptions): Promise<OperationResult> {
    const body = {
      clientContext: opts.clientContext,
      ...(opts.promptUri
        ? { prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt', mediaInfo: mediaInfo(opts.promptUri) }] }
        : {}),
      ...(opts.bargeInAllowed !== undefined ? { bargeInAllowed: opts.bargeInAllowed } : {}),
      ...(opts.initialSilenceTimeoutInSeconds !== undefined
        ? { initialSilenceTimeoutInSeconds: opts.initialSilenceTimeoutInSeconds }
        : {}),
      ...(opts.maxSilenceTimeoutInSeconds !== undefined
        ? { maxSilenceTimeoutInSeconds: opts.maxSilenceTimeoutInSeconds }
        : {}),
      ...(opts.maxRecordDurationInSeconds !== undefined
        ? { maxRecordDurationInSeconds: opts.maxRecordDurationInSeconds }
        : {}),
      ...(opts.playBeep !== undefined ? { playBeep: opts.playBeep } : {}),
      ...(opts.stopTones ? { stopTones: opts.stopTones } : {}),
    };
    return operationResult(await this.send('recordResponse', 'POST', callPath(callId, '/recordResponse'), body));
  }

  /** Downloads a recording: GET recordingLocation with the recordingAccessToken as bearer (not a Graph token). */
  downloadRecording(recordingLocation: string, recordingAccessToken: string): Promise<Buffer> {
    return downloadRecording(recordingLocation, recordingAccessToken);
  }

  /** POST .../subscribeToTone: later key presses arrive as toneInfo notifications. */
  async subscribeToTone(callId: string, clientContext: string): Promise<OperationResult> {
    return operationResult(
      await this.send('subscribeToTone', 'POST', callPath(callId, '/subscribeToTone'), { clientContext }),
    );
  }

  /** POST .../participants/invite (≤5 participants; one with replacesCallId). */
  async invite(
    callId: string,
    opts: { participants: TransferTarget[]; clientContext: string; replacesCallId?: string },
  ): Promise<OperationResult> {
    const r = await this.send('invite', 'POST', callPath(callId, '/participants/invite'), {
      participants: opts.participants.map((p) => invitationParticipant(p, opts.replacesCallId)),
      clientContext: opts.clientContext,
    });
    return operationResult(r);
  }

  /**
   * POST /communications/calls: an outgoing call with service-hosted media. A phone target needs a resource
   * account (`applicationInstanceId`) as the source, and the tenant id.
   */
  async createCall(opts: {
    target: TransferTarget;
    callbackUri: string;
    /** Required for a phone target; a call to a Teams user of the app's own tenant may leave it out. */
    tenantId?: string;
    applicationInstanceId?: string;
    preFetchMedia?: { uri: string; resourceId?: string }[];
  }): Promise<CallSnapshot & { callChainId?: string }> {
    if ('phone' in opts.target && !opts.applicationInstanceId)
      throw new TypeError('createCall: a phone target needs applicationInstanceId');
    if ('phone' in opts.target && !opts.tenantId) throw new TypeError('createCall: a phone target needs tenantId');
    const body = {
      '@odata.type': '#microsoft.graph.call',
      callbackUri: opts.callbackUri,
      ...(opts.applicationInstanceId
        ? {
            source: {
              '@odata.type': '#microsoft.graph.participantInfo',
              identity: {
                '@odata.type': '#microsoft.graph.identitySet',
                applicationInstance: { '@odata.type': '#microsoft.graph.identity', id: opts.applicationInstanceId },
              },
            },
          }
        : {}),
      targets: [invitationParticipant(opts.target)],
      requestedModalities: ['audio'],
      mediaConfig: {
        '@odata.type': '#microsoft.graph.serviceHostedMediaConfig',
        ...(opts.preFetchMedia?.length
          ? { preFetchMedia: opts.preFetchMedia.map((m) => mediaInfo(m.uri, m.resourceId)) }
          : {}),
      },
      ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
    };
    const r = await this.send('createCall', 'POST', '/communications/calls', body);
    const created = (r.body ?? {}) as { id?: string; state?: CallState; callChainId?: string };
    if (!created.id)
      throw new GraphRequestError({ message: 'Graph returned no call id', status: r.status, code: 'NoCallId' });
    return {
      id: created.id,
      state: created.state ?? 'establishing',
      ...(created.callChainId ? { callChainId: created.callChainId } : {}),
    };
  }

  /** POST /communications/getPresencesByUserId (≤650 ids per request; larger lists are split). */
  async getPresencesByUserId(ids: string[]): Promise<Presence[]> {
    const out: Presence[] = [];
    for (let i = 0; i < ids.length; i += 650) {
      const r = await this.send('getPresencesByUserId', 'POST', '/communications/getPresencesByUserId', {
        ids: ids.slice(i, i + 650),
      });
      const value = ((r.body ?? {}) as { value?: unknown }).value;
      if (Array.isArray(value)) {
        for (const p of value as Record<string, unknown>[]) {
          if (typeof p['id'] === 'string')
            out.push({
              id: p['id'],
              availability: String(p['availability'] ?? 'PresenceUnknown'),
              activity: String(p['activity'] ?? 'PresenceUnknown'),
            });
        }
      }
    }
    return out;
  }

  /** GET /communications/calls/{id}. A call that has ended throws GraphRequestError with callGone. */
  async getCall(callId: string): Promise<CallSnapshot> {
    const r = await this.send('getCall', 'GET', callPath(callId));
    const body = (r.body ?? {}) as { id?: string; state?: CallState; resultInfo?: unknown };
    const resultInfo = toResultInfo(body.resultInfo);
    return { id: body.id ?? callId, state: body.state ?? 'unknownFutureValue', ...(resultInfo ? { resultInfo } : {}) };
  }

  /**
   * POST /communications/calls/{id}/keepAlive, no body (call-keepalive.md): Graph ends a call that has had none
   * within 45 minutes of its start or of the previous one. 'gone' for a call that has already ended (404).
   */
  async keepAlive(callId: string): Promise<'alive' | 'gone'> {
    try {
      await this.send('keepAlive', 'POST', callPath(callId, '/keepAlive'));
      return 'alive';
    } catch (e) {
      if (e instanceof GraphRequestError && e.callGone) return 'gone';
      throw e;
    }
  }

  /** DELETE /communications/calls/{id}. A call that is already gone counts as hung up. */
  async hangUp(callId: string): Promise<void> {
    try {
      await this.send('hangUp', 'DELETE', callPath(callId));
    } catch (e) {
      if (e instanceof GraphRequestError && e.callGone) return;
      throw e;
    }
  }
}
