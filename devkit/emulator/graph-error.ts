import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** An error the emulator answers in Graph's error shape. */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphHttpError';
  }
}

export const CALL_NOT_FOUND_CODE = '8522';

export function callNotFound(callId: string): GraphHttpError {
  // Graph answers 8522 "Call not found." for a call id it doesn't know or that has ended.
  return new GraphHttpError(404, CALL_NOT_FOUND_CODE, `Call not found. (callId: ${callId})`);
}

export function badRequest(message: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', message);
}

/** Graph's `innerError.date` has no fractional seconds: 2021-05-06T05:26:40. */
function graphDate(d = new Date()): string {
  return d.toISOString().slice(0, 19);
}

export function requestIds(req: Request, res: Response): { requestId: string; clientRequestId: string } {
  let requestId = res.getHeader('request-id') as string | undefined;
  if (!requestId) {
    requestId = randomUUID();
    res.setHeader('request-id', requestId);
  }
  const fromClient = req.header('client-request-id');
  const clientRequestId = fromClient && fromClient.length <= 100 ? fromClient : requestId;
  res.setHeader('client-request-id', clientRequestId);
  return { requestId, clientRequestId };
}

export function sendGraphError(req: Request, res: Response, err: GraphHttpError): void {
  const { requestId, clientRequestId } = requestIds(req, res);
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({
    error: {
      code: err.code,
      message: err.message,
      innerError: { date: graphDate(), 'request-id': requestId, 'client-request-id': clientRequestId },
    },
  });
}
