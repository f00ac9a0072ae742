import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { CALL_ID_ATTRIBUTE } from '../contracts/tracing.js';
import { currentCall } from './call-context.js';
import { switchboardTracer, tracingActive } from './tracing.js';

/**
 * A path segment that is an id (a GUID, a long or percent-encoded token, digits): shown as {id} in span names, so
 * spans group by operation and no id or number from a URL lands in a span.
 */
const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|.*\d.*|.*%.*|.{25,})$/i;

/** `/v1.0/communications/calls/3a1b…/participants/invite` → `/communications/calls/{id}/participants/invite`. */
export function graphRouteOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? '';
  }
  const segments = path.split('/').filter(Boolean);
  if (segments[0] && /^(v1\.0|beta)$/i.test(segments[0])) segments.shift();
  return `/${segments.map((s) => (ID_SEGMENT.test(s) ? '{id}' : s)).join('/')}`;
}

/**
 * Graph client middleware: one client span per Graph request, a child of the activity's span, with the method, the
 * route (ids left out), the status and the call the activity works for. Before the HTTP handler; a pass-through
 * when tracing is off.
 */
export class GraphTracingHandler implements Middleware {
  private nextMiddleware?: Middleware;

  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  async execute(ctx: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (!next) throw new Error('GraphTracingHandler: no next middleware');
    if (!tracingActive()) return next.execute(ctx);
    const url = typeof ctx.request === 'string' ? ctx.request : ctx.request.url;
    const method = (
      ctx.options?.method ?? (typeof ctx.request === 'string' ? 'GET' : ctx.request.method)
    ).toUpperCase();
    const route = graphRouteOf(url);
    const call = currentCall();
    return switchboardTracer().startActiveSpan(
      `Graph ${method} ${route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.template': route,
          'server.address': safeHost(url),
          ...(call ? { [CALL_ID_ATTRIBUTE]: call.callId } : {}),
        },
      },
      async (span) => {
        try {
          await next.execute(ctx);
          const status = ctx.response?.status;
          if (status !== undefined) {
            span.setAttribute('http.response.status_code', status);
            if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
          }
        } catch (err) {
          // The error's class only: Graph's messages can quote what was sent.
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
