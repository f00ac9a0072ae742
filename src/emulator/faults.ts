import type { RequestHandler } from 'express';
import { CALL_NOT_FOUND_CODE, GraphHttpError } from './graph-error.js';

/**
 * Graph failures on demand, for tests, demos and load tests: throttling (429 with Retry-After), service errors
 * (503/504) and call-not-found (404, 8522). A fault matches a call-control action (`answer`, `playPrompt`,
 * `transfer`, `get`, `delete`…, `downloadRecording` for GET {recordingLocation}, or `sendActivityNotification` with the
 * user id as `callId`) and optionally one call, and
 * fires a number of times.
 */
export interface Fault {
  action: string;
  callId?: string;
  status: 404 | 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail; default 1. */
  times?: number;
  retryAfterSeconds?: number;
}

const CODES: Record<Fault['status'], [string, string]> = {
  404: [CALL_NOT_FOUND_CODE, 'Call not found.'],
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['UnknownError', 'An unknown error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['serviceNotAvailable', 'Service is unavailable, try again later.'],
  504: ['GatewayTimeout', 'The gateway timed out.'],
};

const CALL_ACTION = /^\/communications\/calls\/([^/?]+)(?:\/([^/?]+))?/;

export class Faults {
  private readonly active: (Fault & { remaining: number })[] = [];

  add(fault: Fault): void {
    if (!(fault.status in CODES)) throw new Error(`unsupported fault status ${fault.status}`);
    this.active.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The error a request for `action` on `callId` fails with, when a fault matches (and is used up by one). */
  take(action: string, callId: string): GraphHttpError | undefined {
    const fault = this.active.find((f) => f.remaining > 0 && f.action === action && (!f.callId || f.callId === callId));
    if (!fault) return undefined;
    fault.remaining--;
    const [code, message] = CODES[fault.status];
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    return new GraphHttpError(fault.status, code, message, headers);
  }

  /** Express middleware for the Graph router, after authentication (Graph checks the token first). */
  middleware(): RequestHandler {
    return (req, _res, next) => {
      const m = CALL_ACTION.exec(req.path);
      if (!m) return next();
      const callId = decodeURIComponent(m[1]!);
      const action = m[2] ?? (req.method === 'DELETE' ? 'delete' : 'get');
      next(this.take(action, callId));
    };
  }
}
