import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { CALL_ID_ATTRIBUTE } from '../contracts/tracing.js';
import { currentCall } from './call-context.js';
import { switchboardTracer, tracingActive } from './tracing.js';

/**
 * OpenTelemetry for Temporal (@temporalio/interceptors-opentelemetry and its header), when tracing is on: the client puts
 * the caller's span (the webhook's) in the headers of the workflows it starts and signals; the workflow's spans
 * (workflows/tracing-interceptors.ts) carry it on to the activities it schedules, whose spans are the parents of
 * their Graph requests. So a call is one trace from its incoming notification down to each Graph request.
 * Nothing here when tracing is off: the worker and client are configured as before.
 */

/** The workflow interceptor module bundled only with tracing on (workflow code: deterministic, no I/O). */
export const tracingWorkflowInterceptorsPath = fileURLToPath(
  new URL('../../workflows/tracing-interceptors.ts', import.meta.url),
);

/** Client interceptors for `new Client({ interceptors })`. */
export function tracingClientInterceptors(): { workflow?: WorkflowClientInterceptor[] } {
  return tracingActive() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}

/**
 * The activity's span around the activity (outermost), a child of the workflow's StartActivity span (the
 * `_tracer-data` header), named as Temporal's interceptor names it. Ours rather than its: on failure Temporal's
 * records the error's message and stack in the span, and a Graph error can quote what was sent; here only the
 * error's class goes in. Its outbound interceptor adds the trace and span ids to the activity's log lines.
 */
const activitySpans: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute(input, next) {
      const { activityType, activityId, workflowExecution } = ctx.info;
      const parent = extractContextFromHeaders(input.headers) ?? context.active();
      const attributes = {
        temporalActivityId: activityId,
        ...(workflowExecution ? { temporalWorkflowId: workflowExecution.workflowId } : {}),
      };
      return switchboardTracer().startActiveSpan(
        `RunActivity:${activityType}`,
        { kind: SpanKind.SERVER, attributes },
        parent,
        async (span) => {
          try {
            return await next(input);
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
  },
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** Names the call on the activity's span: runs inside the call context (src/telemetry/call-context.ts). */
const callIdOnActivitySpan: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      const call = currentCall();
      if (call) trace.getActiveSpan()?.setAttribute(CALL_ID_ATTRIBUTE, call.callId);
      return next(input);
    },
  },
});

export interface WorkerTracing {
  /** Before the worker's own activity interceptors. */
  activityOuter: ActivityInterceptorsFactory[];
  /** After them (inside the call context). */
  activityInner: ActivityInterceptorsFactory[];
  workflowModules: string[];
  /** The `exporter` sink the workflow spans leave through; none without tracing. */
  sinks?: InjectedSinks<OpenTelemetrySinks>;
}

/** The worker's share: interceptors, the workflow module and the sink the workflow spans leave through. */
export function workerTracing(): WorkerTracing {
  const tracing = tracingActive();
  if (!tracing) return { activityOuter: [], activityInner: [], workflowModules: [] };
  return {
    activityOuter: [activitySpans],
    activityInner: [callIdOnActivitySpan],
    workflowModules: [tracingWorkflowInterceptorsPath],
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.provider.resource) },
  };
}
