/**
 * One request to Graph: the raw response or a GraphRequestError, counted in graph_errors_total once per attempt.
 * CallControl builds the bodies; this file owns the wire.
 */
import { GraphClientError, ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import type { CommsOperation } from '@microsoft/microsoft-graph-types';
import { GraphAuthError, GraphRequestError } from './errors.js';
import { graphErrorsTotal } from '../metrics.js';

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

/** Downloads a recording: GET recordingLocation with the recordingAccessToken as bearer (not a Graph token). */
export async function downloadRecording(recordingLocation: string, recordingAccessToken: string): Promise<Buffer> {
  try {
    return await downloadOnce(recordingLocation, recordingAccessToken);
  } catch (e) {
    if (e instanceof GraphRequestError)
      graphErrorsTotal.inc({ operation: 'downloadRecording', status: String(e.status), code: e.code });
    throw e;
  }
}

async function downloadOnce(recordingLocation: string, recordingAccessToken: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(recordingLocation, { headers: { Authorization: `Bearer ${recordingAccessToken}` } });
  } catch (e) {
    throw GraphRequestError.fromNetworkError(e, 'downloadRecording');
  }
  if (!res.ok) throw GraphRequestError.fromResponse(res.status, res.headers, await res.text(), 'downloadRecording');
  return Buffer.from(await res.arrayBuffer());
}
