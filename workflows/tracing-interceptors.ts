// Sets the globals OpenTelemetry needs inside the workflow sandbox (performance, window); first, before the SDK loads.
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime.js';
import { SpanStatusCode, context, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  extractContextFromHeaders,
  headersWithContext,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager.js';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter.js';
import { ContinueAsNew, workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import { CALL_ID_ATTRIBUTE } from '../src/contracts/tracing.js';

/**
 * OpenTelemetry for workflows, bundled only when tracing is on (src/telemetry/temporal.ts), built from the pieces of
 * @temporalio/interceptors-opentelemetry (its sandbox context manager, its span exporter to the worker's `exporter`
 * sink, its `_tracer-data` header) with spans and header names as its own interceptors make them: a workflow span
 * continuing the trace its start or signal headers carry, and a span per activity, local activity and signal it
 * sends, whose headers carry the trace on.
 *
 * Why not its interceptors as they are: each wraps the workflow's calls in `async`/`await`, so the promise the
 * workflow awaits settles a few microtasks later, and where two branches of a workflow race (a timer against an
 * activity, an offer against the caller hanging up) the commands come out in another order. Histories recorded
 * without them then fail to replay (test/reliability/replay-with-tracing.test.ts found 11 of the 88 recorded ones),
 * so switching tracing on would break the calls in flight. Here every interceptor hands back the very promise it got
 * from `next` and ends its span on a side branch: the workflow sees exactly what it sees without tracing, and adds
 * no command. Spans are not exported while replaying (the sink is not called during replay).
 */

let tracer: Tracer | undefined;
let contextManager: ContextManager | undefined;

function getTracer(): Tracer {
  contextManager ??= new ContextManager();
  if (tracer === undefined) {
    const provider = new BasicTracerProvider();
    provider.addSpanProcessor(new SimpleSpanProcessor(new SpanExporter()));
    provider.register({ contextManager });
    tracer = provider.getTracer('@temporalio/interceptor-workflow');
  }
  return tracer;
}

/** Runs `run` inside a new span and returns its promise untouched; the span ends when it settles. */
function traced<T>(name: string, parent: Context, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  const span = getTracer().startSpan(name, { attributes }, parent);
  const result = context.with(trace.setSpan(parent, span), run);
  result.then(
    () => span.end(),
    (err: unknown) => {
      // Continuing as new is how a long workflow goes on, not a failure. The error's class only: no message.
      if (!(err instanceof ContinueAsNew))
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      span.end();
    },
  );
  return result;
}

export function interceptors(): WorkflowInterceptors {
  const { workflowType, workflowId } = workflowInfo();
  const callId = workflowType === 'callWorkflow' && workflowId.startsWith('call-') ? workflowId.slice(5) : undefined;
  const own: Attributes = {
    temporalWorkflowId: workflowId,
    ...(callId !== undefined ? { [CALL_ID_ATTRIBUTE]: callId } : {}),
  };
  getTracer();
  const parentOf = (headers: Parameters<typeof extractContextFromHeaders>[0]) =>
    extractContextFromHeaders(headers) ?? context.active();
  return {
    inbound: [
      {
        execute: (input, next) =>
          traced(`RunWorkflow:${workflowType}`, parentOf(input.headers), own, () => next(input)),
        handleSignal: (input, next) =>
          traced(`HandleSignal:${input.signalName}`, parentOf(input.headers), own, () => next(input)),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) =>
          traced(`StartActivity:${input.activityType}`, context.active(), own, () =>
            next({ ...input, headers: headersWithContext(input.headers) }),
          ),
        scheduleLocalActivity: (input, next) =>
          traced(`StartActivity:${input.activityType}`, context.active(), own, () =>
            next({ ...input, headers: headersWithContext(input.headers) }),
          ),
        signalWorkflow: (input, next) =>
          traced(`SignalWorkflow:${input.signalName}`, context.active(), own, () =>
            next({ ...input, headers: headersWithContext(input.headers) }),
          ),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: headersWithContext(input.headers) }),
      },
    ],
    internals: [
      {
        dispose(input, next) {
          contextManager?.disable();
          next(input);
        },
      },
    ],
  };
}
