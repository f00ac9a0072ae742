import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { CALL_ID_ATTRIBUTE } from '../contracts/tracing.js';
import { parseCommsNotifications } from '../graph/notifications.js';
import { switchboardTracer, tracingActive } from '../telemetry/tracing.js';

/** The call ids a calling notification body is about (read again here only when tracing is on). */
function callIdsOf(body: unknown): string[] {
  try {
    const parsed = parseCommsNotifications(body);
    if (!parsed.ok) return [];
    const ids = parsed.items.map((item) =>
      item.kind === 'incoming'
        ? item.call.callId
        : item.kind === 'notification'
          ? item.notification.callId
          : item.callId,
    );
    return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
  } catch {
    return [];
  }
}

/**
 * Middleware before the calling webhook: the request's span, with the call it is about. The webhook's handler runs
 * inside it, so a workflow it starts or signals continues this trace (Temporal's client interceptor): for an incoming
 * call that is the call's trace. Only ids go in: the body's numbers and names never do. Without tracing, a no-op.
 */
export function traceCallingWebhook(): RequestHandler {
  return (req, res, next) => {
    if (!tracingActive()) {
      next();
      return;
    }
    const ids = callIdsOf(req.body);
    const span = switchboardTracer().startSpan('POST /api/calling', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/api/calling',
        ...(ids.length === 1 ? { [CALL_ID_ATTRIBUTE]: ids[0]! } : {}),
        ...(ids.length > 1 ? { 'switchboard.call_ids': ids } : {}),
      },
    });
    res.on('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(context.active(), span), next);
  };
}
