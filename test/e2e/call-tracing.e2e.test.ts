import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { queues } from '../../flows/index.js';
import { CALL_ID_ATTRIBUTE } from '../../src/contracts/tracing.js';
import { startTracing, tracingRequested, type Tracing } from '../../src/telemetry/tracing.js';

// Issue 26, point 5: OpenTelemetry through Temporal's interceptors and the OTel Node SDK. One call end to end
// (emulator → webhook → Temporal dev server → worker → Graph emulator) in this process, its spans caught by an
// in-memory exporter: one trace from the webhook through the workflow and its activities to each Graph request, the
// call id on them, and the caller's number nowhere in any span.

const CALLER = '+14255550123';
/** The number as it could be written anywhere. */
const CALLER_FORMS = ['+14255550123', '14255550123', '4255550123', '425-555-0123', '425 555 0123', '(425) 555-0123'];

const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let stack: TestStack;
const [adele, alex] = queues.support!.agents as [string, string];

stackForFile(async () => {
  tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  stack = await startTestStack({}, { queues: { ...queues, support: { ...queues.support!, wrapUpSeconds: 0 } } });
  return {
    async stop() {
      await stack.stop();
      await tracing?.shutdown();
    },
  };
});

const spans = () => exporter.getFinishedSpans();
const callIdOf = (s: ReadableSpan) => s.attributes[CALL_ID_ATTRIBUTE];
const parentOf = (s: ReadableSpan, all: ReadableSpan[]) => all.find((p) => p.spanContext().spanId === s.parentSpanId);

describe('tracing a call (OpenTelemetry)', () => {
  it('is off without OTEL_* variables, on with an OTLP endpoint or a traces exporter, off again when disabled', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'switchboard' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('makes one trace per call, webhook → workflow → activities → Graph requests, with the call id and no number', async () => {
    for (const a of [adele, alex])
      stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1000 });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: CALLER } });
    const summary = await callResult(stack.client, callId);
    expect(summary.outcome).toBe('connected');

    // The workflow's span leaves through the worker's sink once the workflow has ended.
    const workflow = await eventually(
      () => spans().find((s) => s.name === 'RunWorkflow:callWorkflow' && callIdOf(s) === callId),
      'the call workflow span',
    );
    const all = spans();
    const traceId = workflow.spanContext().traceId;
    const inTrace = all.filter((s) => s.spanContext().traceId === traceId);

    // Its root is the webhook request that brought the incoming call.
    const webhook = inTrace.find((s) => s.name === 'POST /api/calling' && !s.parentSpanId);
    expect(webhook, 'the webhook span is the root of the call trace').toBeDefined();
    expect(callIdOf(webhook!)).toBe(callId);
    expect(webhook!.attributes['http.response.status_code']).toBe(202);
    // The client started the workflow inside it, and the workflow ran under that start.
    const start = parentOf(workflow, all)!;
    expect(start.name).toBe('StartWorkflow:callWorkflow');
    expect(parentOf(start, all)).toBe(webhook);

    // Activities in the trace, children of the workflow's StartActivity spans, named after the call.
    const activities = inTrace.filter((s) => s.name.startsWith('RunActivity:'));
    const activityNames = new Set(activities.map((s) => s.name));
    for (const name of ['RunActivity:answerCall', 'RunActivity:playPrompt', 'RunActivity:transferCall'])
      expect(activityNames, `${name} in ${[...activityNames].join(', ')}`).toContain(name);
    for (const a of activities) {
      expect(callIdOf(a)).toBe(callId);
      expect(parentOf(a, all)?.name).toMatch(/^StartActivity:/);
    }

    // Each Graph request about the call: a client span under an activity, route with ids left out.
    const graph = all.filter((s) => s.name.startsWith('Graph ') && callIdOf(s) === callId);
    expect(graph.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'Graph POST /communications/calls/{id}/answer',
        'Graph POST /communications/calls/{id}/playPrompt',
        'Graph POST /communications/calls/{id}/transfer',
      ]),
    );
    for (const g of graph) {
      expect(g.spanContext().traceId, `${g.name} is in the call's trace`).toBe(traceId);
      expect(parentOf(g, all)?.name).toMatch(/^RunActivity:/);
      expect(g.attributes['http.response.status_code']).toBeGreaterThanOrEqual(200);
      expect(String(g.attributes['url.template'])).not.toContain(callId);
    }

    // No span of the run (this call's or any other) holds the caller's number in any form.
    const text = JSON.stringify(
      all.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, links: s.links })),
    );
    expect(text).toContain(callId);
    for (const form of CALLER_FORMS) expect(text).not.toContain(form);
    // Errors in the worker's and web's own spans are named by class only: no message or stack (which can quote what
    // was sent) is recorded. (Temporal's client spans record theirs: a workflow id, as this test's polling shows.)
    const ownSpans = all.filter((s) => s.instrumentationLibrary.name !== '@temporalio/interceptor-client');
    const exceptions = ownSpans.flatMap((s) => s.events.filter((e) => e.name === 'exception').map(() => s.name));
    expect(exceptions).toEqual([]);
  });

  // Its worker ran with the tracing workflow interceptors; a worker without tracing replays what it wrote (and
  // test/reliability/replay-with-tracing.test.ts the other way round): switching tracing on or off breaks no call.
  it('its histories replay on a worker without tracing', async () => {
    await expectEveryHistoryReplays(stack.client, {
      expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'],
    });
  });
});
