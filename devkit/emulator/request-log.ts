/**
 * Records every Graph request once its answer is settled: in the emulator's request list, in the call's history
 * and step events, and (for the conformance test) as one JSON line in a request log file.
 */
import { appendFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import type pino from 'pino';
import type { CallRegistry } from './calls/registry.js';
import { RESPONSE_LOST } from './faults.js';
import { requestIds } from './graph-error.js';
import type { RecordedRequest, StepEvent } from './types.js';

const CALL_PATH = /^\/v1\.0\/communications\/calls\/([^/?]+)/i;

export interface RequestLogOptions {
  requests: RecordedRequest[];
  requestLogFile: string | undefined;
  calls: CallRegistry;
  emitStep: (step: StepEvent) => void;
  logger: pino.Logger;
}

export function requestLog({ requests, requestLogFile, calls, emitStep, logger }: RequestLogOptions): RequestHandler {
  return (req, res, next) => {
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
        // One JSON line per Graph request, for the conformance test (test/graph/conformance.test.ts).
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
        emitStep({
          callId,
          at: rec.at,
          kind: 'request',
          detail: `${req.method} ${action || '/'} -> ${res.statusCode}${rec.responseLost ? ' (response lost)' : ''}`,
        });
      }
    };
    res.once('finish', logged);
    res.once(RESPONSE_LOST, logged);
    next();
  };
}
