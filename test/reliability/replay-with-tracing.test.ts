import { readdir, readFile } from 'node:fs/promises';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { tracingWorkflowInterceptorsPath, workerTracing } from '../../src/telemetry/temporal.js';
import { startTracing } from '../../src/telemetry/tracing.js';
import { workflowInterceptorsPath, workflowsPath } from '../../src/temporal/worker.js';

// Issue 26, point 5: a worker with tracing on (OTEL_*) takes over workflows that ran on workers without it. The
// tracing workflow interceptors (workflows/tracing-interceptors.ts) add headers and spans, never a command, and never
// delay what the workflow awaits: every recorded history (test/histories, as replay.test.ts) replays with them exactly
// as it does without them, and replaying exports no span. (Temporal's own OpenTelemetry workflow interceptors, used
// as they are, made 11 of the 88 fail: their async wrappers reorder racing branches' commands.)
const dir = new URL('../histories/', import.meta.url);
const exporter = new InMemorySpanExporter();
const tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

afterAll(async () => {
  await tracing?.shutdown();
});

async function replayAll(workflowModules: string[]): Promise<{ replayed: number; failed: string[] }> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.history.bin')).sort();
  const histories = await Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.history\.bin$/, '').replaceAll('/', ':'),
      history: temporal.api.history.v1.History.decode(await readFile(new URL(f, dir))),
    })),
  );
  const failed: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowsPath, interceptors: { workflowModules }, sinks: workerTracing().sinks!, replayName: 'traced' },
    histories,
  )) {
    replayed++;
    if (result.error) failed.push(result.workflowId);
  }
  expect(replayed).toBe(files.length);
  return { replayed, failed };
}

describe('recorded histories with tracing on', () => {
  it('the worker bundles the tracing workflow interceptors only with tracing on', () => {
    expect(workerTracing().workflowModules).toEqual([tracingWorkflowInterceptorsPath]);
  });

  it('replay with the tracing workflow interceptors alone, as replay.test.ts does without them, and export no span', async () => {
    const { replayed, failed } = await replayAll([tracingWorkflowInterceptorsPath]);
    expect(replayed).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('replay beside the production interceptors (workflows/interceptors.ts) exactly as they do without tracing', async () => {
    const production = await replayAll([workflowInterceptorsPath]);
    const traced = await replayAll([workflowInterceptorsPath, tracingWorkflowInterceptorsPath]);
    expect(traced.failed).toEqual(production.failed);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
