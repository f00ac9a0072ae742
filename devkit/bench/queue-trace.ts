/**
 * `npm run bench:queue-trace`: how the queue workflow hands over when it continues as new under load. Places 500
 * calls at 2.5 a second into one queue of 60 agents (20-s talks, so callers wait), then prints, per run of the queue
 * workflow, its events, when it started and ended (s from the first call), how long its first workflow task took,
 * its failed workflow tasks (cause 1: unhandled command, a signal that arrived as it continued), and its first and
 * last events (`type@s`), its events by type, and how long replaying it takes (the cost of a continue-as-new that
 * loses a race with a signal: the worker evicts the run and replays it). QUEUE_TRACE_SAVE=DIR keeps the histories.
 * Diagnostic for issue 9's offer tail; not part of the test suite.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { bundleWorkflows, withoutWorkflowStackTraces } from '../../src/temporal/worker.js';
import { startSupportQueueStack } from './support-queue-stack.js';

const { stack, emulator, stop } = await startSupportQueueStack({
  tmpPrefix: 'sb-can-',
  agents: 60,
  talkMs: 20000,
  queue: { maxCalls: 100000, presenceBased: false },
});
await new Promise((r) => setTimeout(r, 15000));
const t0 = Date.now();
for (let i = 0; i < 500; i++) {
  await emulator.placeCall({
    from: { phone: `+14255${String(i).padStart(6, '0')}` },
    applicationInstanceId: `${BENCH_LINE_PREFIX}support`,
    hangUpAfterMs: 400000,
  });
  await new Promise((r) => setTimeout(r, 400));
}
await new Promise((r) => setTimeout(r, 30000));
const runs = [];
const histories: { runId: string; workflowId: string; history: proto.temporal.api.history.v1.IHistory }[] = [];
for await (const run of stack.client.workflow.list({ query: `WorkflowType = 'queueWorkflow'` })) runs.push(run);
runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
for (const run of runs) {
  const h = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  const ev = h.events ?? [];
  const ts = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
    Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
  const first = ev[0]!;
  const last = ev[ev.length - 1]!;
  const failed = ev
    .filter((e) => e.workflowTaskFailedEventAttributes)
    .map((e) => ({ at: ((ts(e) - t0) / 1000).toFixed(1), cause: e.workflowTaskFailedEventAttributes!.cause }));
  const firstDone = ev.find((e) => e.workflowTaskCompletedEventAttributes);
  console.log(
    JSON.stringify({
      run: run.runId.slice(0, 8),
      events: ev.length,
      start_s: ((ts(first) - t0) / 1000).toFixed(1),
      end_s: ((ts(last) - t0) / 1000).toFixed(1),
      first_task_done_ms: firstDone ? ts(firstDone) - ts(first) : null,
      failed,
    }),
  );
  console.log(
    '  tail',
    ev
      .slice(-14)
      .map((e) => `${e.eventType}@${((ts(e) - t0) / 1000).toFixed(2)}`)
      .join(' '),
  );
  const types: Record<string, number> = {};
  for (const e of ev) types[String(e.eventType)] = (types[String(e.eventType)] ?? 0) + 1;
  console.log('  event types', JSON.stringify(types));
  console.log(
    '  head',
    ev
      .slice(0, 8)
      .map((e) => `${e.eventType}@${((ts(e) - t0) / 1000).toFixed(2)}`)
      .join(' '),
  );
  histories.push({ runId: run.runId, workflowId: run.workflowId, history: h });
}
await stop();
// What a lost race costs: the worker replays the whole run from its history. Timed here on the quiet machine, one
// worker and bundle for all, so the figure is the replay alone.
const workflowBundle = await bundleWorkflows();
withoutWorkflowStackTraces();
for (const { runId, workflowId, history } of histories) {
  const started = performance.now();
  await Worker.runReplayHistory(
    { workflowBundle, replayName: 'queue-trace', dataConverter: stack.client.options.dataConverter },
    history,
    workflowId,
  );
  console.log(
    JSON.stringify({
      run: runId.slice(0, 8),
      events: history.events?.length,
      replay_ms: Math.round(performance.now() - started),
    }),
  );
  if (process.env.QUEUE_TRACE_SAVE)
    await writeFile(
      path.join(process.env.QUEUE_TRACE_SAVE, `${runId}.history.bin`),
      proto.temporal.api.history.v1.History.encode(history).finish(),
    );
}
process.exit(0);
