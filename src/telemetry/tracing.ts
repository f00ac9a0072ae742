import { trace, type Tracer } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { BasicTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry tracing for the process, through the OTel Node SDK: off by default, on when the standard variables ask
 * for traces (an OTLP endpoint, or OTEL_TRACES_EXPORTER other than none), and configured by them as the SDK reads them
 * (OTEL_EXPORTER_OTLP_*, OTEL_TRACES_SAMPLER, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES…). OTEL_SDK_DISABLED=true
 * keeps it off. With it off nothing is installed and no span is made: the hooks (webhook, Temporal, Graph) check
 * `tracingActive()` first.
 */

export type TracingEnv = Record<string, string | undefined>;

/** Whether the standard OTEL_* variables turn tracing on. */
export function tracingRequested(env: TracingEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.length > 0) return !exporters.every((e) => e === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface Tracing {
  /** Where the workflow spans go (the worker's sink hands them here): the SDK's own span processors. */
  spanProcessor: SpanProcessor;
  provider: BasicTracerProvider;
  /** Flushes and stops the SDK; a no-op for a caller that found tracing already started. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/**
 * Starts the SDK when the variables ask for it (or when `spanProcessors` are given, as tests do with an in-memory
 * exporter); once per process: a second call gets the running one, with a shutdown that leaves it to its starter.
 */
export function startTracing(opts: { env?: TracingEnv; spanProcessors?: SpanProcessor[] } = {}): Tracing | undefined {
  if (active) return { ...active, shutdown: async () => {} };
  const env = opts.env ?? process.env;
  if (!opts.spanProcessors && !tracingRequested(env)) return undefined;
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: 'switchboard' }),
    // Spans come from Switchboard's own hooks and Temporal's interceptors; no library is patched.
    instrumentations: [],
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
  });
  sdk.start();
  const provider = (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() as
    BasicTracerProvider | undefined;
  if (!provider?.activeSpanProcessor) {
    void sdk.shutdown();
    throw new Error('OpenTelemetry: the Node SDK registered no tracer provider');
  }
  const started: Tracing = {
    spanProcessor: provider.activeSpanProcessor,
    provider,
    shutdown: async () => {
      if (active === started) active = undefined;
      await sdk.shutdown();
    },
  };
  active = started;
  return started;
}

/** The running tracing, if any. */
export function tracingActive(): Tracing | undefined {
  return active;
}

/** Switchboard's tracer (its spans: the webhook and Graph requests). */
export function switchboardTracer(): Tracer {
  return trace.getTracer('switchboard');
}
