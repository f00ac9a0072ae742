import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of this process. Counters and histograms are observed where things happen (webhook, activities);
 * queue and agent gauges are read from the live-state tables at scrape time, so every web process reports the
 * whole contact center, not just its own share.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });

export const callsTotal = new Counter({
  name: 'switchboard_calls_total',
  help: 'Calls that ended, by outcome (connected, abandoned, disconnected, failed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const notificationsTotal = new Counter({
  name: 'switchboard_notifications_total',
  help: 'Graph calling notifications received, by result (accepted, duplicate, unknownCall, ignored, rejected; refused: an incoming call refused busy; refusedCall: a later notification of one; unread: acknowledged without a signal, as nothing in it is read).',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const callsRefusedTotal = new Counter({
  name: 'switchboard_calls_refused_total',
  help: 'Incoming calls refused (Graph reject) instead of answered, by reason (busy: admission control, the worker was behind with its answers).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const graphErrorsTotal = new Counter({
  name: 'switchboard_graph_errors_total',
  help: 'Failed Microsoft Graph requests, by operation, HTTP status and Graph error code.',
  labelNames: ['operation', 'status', 'code'] as const,
  registers: [registry],
});

const latencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const answerLatency = new Histogram({
  name: 'switchboard_answer_latency_seconds',
  help: 'Incoming-call notification received → answer request sent to Graph.',
  buckets: latencyBuckets,
  registers: [registry],
});

export const offerLatency = new Histogram({
  name: 'switchboard_offer_latency_seconds',
  help: 'Agent reserved for a waiting call → offer (transfer) request sent to Graph.',
  buckets: latencyBuckets,
  registers: [registry],
});

export const webhookLatency = new Histogram({
  name: 'switchboard_webhook_latency_seconds',
  help: 'Time to acknowledge a calling notification (Temporal accepted it).',
  buckets: latencyBuckets,
  registers: [registry],
});

export interface LiveStateReader {
  queues(): Promise<{ queue: string; callsWaiting: number; longestWaitSeconds: number }[]>;
  agents(): Promise<{ state: string; count: number }[]>;
}

/** Gauges filled from Postgres at scrape time; a database outage leaves them absent rather than failing /metrics. */
export function registerLiveGauges(reader: LiveStateReader): void {
  for (const name of [
    'switchboard_queue_calls_waiting',
    'switchboard_queue_longest_wait_seconds',
    'switchboard_agents',
  ]) {
    registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'switchboard_queue_calls_waiting',
    help: 'Callers waiting in each queue now.',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await reader.queues().catch(() => [])) this.set({ queue: q.queue }, q.callsWaiting);
    },
  });
  new Gauge({
    name: 'switchboard_queue_longest_wait_seconds',
    help: 'How long the longest-waiting caller of each queue has waited.',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await reader.queues().catch(() => [])) this.set({ queue: q.queue }, q.longestWaitSeconds);
    },
  });
  new Gauge({
    name: 'switchboard_agents',
    help: 'Agents in each state now.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const a of await reader.agents().catch(() => [])) this.set({ state: a.state }, a.count);
    },
  });
}

/** Our metrics, followed by the Temporal SDK's worker metrics when its exporter runs in this process. */
export async function metricsText(temporalMetricsUrl?: string): Promise<string> {
  const ours = await registry.metrics();
  if (!temporalMetricsUrl) return ours;
  const sdk = await fetch(temporalMetricsUrl, { signal: AbortSignal.timeout(2000) })
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  return sdk ? `${ours}\n${sdk}` : ours;
}
