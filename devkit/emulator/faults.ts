import type { RequestHandler } from 'express';
import { CALL_NOT_FOUND_CODE, GraphHttpError } from './graph-error.js';

/**
 * Graph failures on demand, for tests, demos and load tests: throttling (429 with Retry-After), service errors
 * (503/504), call-not-found (404, 8522), and a lost response (`noResponse`: Graph carries the request out, and its
 * answer never reaches the app, as when a connection drops or the app's process dies while it waits; call control
 * only). A fault matches a call-control action (`answer`, `playPrompt`, `transfer`, `get`, `delete`, `createCall`…),
 * `downloadRecording` for GET {recordingLocation}, or `sendActivityNotification` with the user id as `callId`, and
 * optionally one call, and fires a number of times.
 */
export interface Fault {
  action: string;
  callId?: string;
  status: ErrorStatus | 'noResponse';
  /** How many matching requests fail; default 1. */
  times?: number;
  retryAfterSeconds?: number;
  /** `noResponse`: the connection is closed this long after the request was carried out; default 0. */
  holdMs?: number;
}

type ErrorStatus = 404 | 429 | 500 | 502 | 503 | 504;

/** Set on a response whose request was carried out and whose answer is dropped (a `noResponse` fault). */
export const RESPONSE_LOST = 'responseLost';

const CODES: Record<ErrorStatus, [string, string]> = {
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
    if (fault.status !== 'noResponse' && !(fault.status in CODES))
      throw new Error(`unsupported fault status ${fault.status}`);
    this.active.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The fault a request for `action` on `callId` meets, if one matches (and is used up by it). */
  private match(action: string, callId: string, errorsOnly = false): Fault | undefined {
    const fault = this.active.find(
      (f) =>
        f.remaining > 0 &&
        f.action === action &&
        (!f.callId || f.callId === callId) &&
        !(errorsOnly && f.status === 'noResponse'),
    );
    if (fault) fault.remaining--;
    return fault;
  }

  /** The error a request for `action` on `callId` fails with, when an error fault matches (and is used up by one). */
  take(action: string, callId: string): GraphHttpError | undefined {
    const fault = this.match(action, callId, true);
    return fault ? toError(fault) : undefined;
  }

  /** Express middleware for the Graph router, after authentication (Graph checks the token first). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const m = CALL_ACTION.exec(req.path);
      // POST /communications/calls places a call (`createCall`); it has no call id yet, so a fault for it names none.
      const creating = !m && req.method === 'POST' && /^\/communications\/calls\/?$/.test(req.path);
      if (!m && !creating) return next();
      const callId = m ? decodeURIComponent(m[1]!) : '';
      const action = creating ? 'createCall' : (m![2] ?? (req.method === 'DELETE' ? 'delete' : 'get'));
      const fault = this.match(action, callId);
      if (fault?.status !== 'noResponse') return next(fault && toError(fault));
      // Carried out as usual; what would have been sent back is dropped, and the connection closed after the hold.
      res.end = ((): typeof res => {
        res.locals[RESPONSE_LOST] = true;
        res.emit(RESPONSE_LOST);
        setTimeout(() => req.socket.destroy(), fault.holdMs ?? 0).unref();
        return res;
      }) as typeof res.end;
      next();
    };
  }
}

function toError(fault: Fault): GraphHttpError | undefined {
  if (fault.status === 'noResponse') return undefined;
  const [code, message] = CODES[fault.status];
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  return new GraphHttpError(fault.status, code, message, headers);
}
