/**
 * `npm run bench`: the real stack (Temporal dev server, embedded Postgres, and Switchboard's worker and web in a
 * process of their own: bench-stack.ts) under the Graph emulator's scripted callers and agents, then the same load as
 * bare workflows on a worker of the bench's own (the ceiling: ceiling/), then every workflow history it produced
 * replayed on a fresh worker (it exits 1, naming each one, if any does not replay or had a failed workflow task),
 * then the dashboard queries. Prints a progress line while it runs and one JSON line at the end. It is a benchmark,
 * not a test. Options: `npm run bench -- --help` (options.ts).
 *
 *   npm run bench -- --rate 10 --duration 30 --agents 50 --rows 1000000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { describeProblems } from '../../src/temporal/history-check.js';
import { answerPath } from './answer-path.js';
import { benchAgentId, benchQueues } from './bench-queues.js';
import { startBenchStack } from './bench-stack.js';
import { callFigures } from './call-figures.js';
import { runCallsPhase } from './calls-phase.js';
import { measureCeiling } from './ceiling/measure.js';
import { startCeilingWorker } from './ceiling/worker.js';
import { cpuPerCall } from './cpu.js';
import { completionRate, pct, round } from './figures.js';
import { BENCH_USAGE, BenchUsageError, parseBenchOptions, type BenchOptions } from './options.js';
import { progress } from './progress.js';
import { checkBenchHistories } from './replay-check.js';
import { callShape, routingShapeOf } from './temporal-work.js';

/** The run finished, and its figures are printed, but something it produced is wrong. */
class BenchFailure extends Error {}

async function main(opt: BenchOptions): Promise<void> {
  const total = Math.round(opt.rate * opt.duration);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-'));
  const config = loadConfig({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  });
  const agents = Array.from({ length: opt.agents }, (_, i) => benchAgentId(i));
  const queues = benchQueues(agents, opt.queues, opt.presence, opt.confirm);
  progress('starting the stack…');
  const stack = await startBenchStack(
    config,
    queues,
    opt.mediaSpeed,
    opt.profile ? path.resolve(opt.profile) : undefined,
  );
  const switchboardPid = stack.switchboard.child.pid;
  for (const a of agents) stack.emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: opt.talkMs });

  // 1. Switchboard: calls arrive at `rate` for `duration` seconds.
  const phase = await runCallsPhase(stack, queues, opt);
  const { started, finished, idle, cpuBefore, cpuAfter, baselineRss } = phase;
  // Calls refused busy have no workflow and no CDR: every figure below is of the calls Switchboard took.
  const callIds = phase.callIds.filter((id) => !phase.refused.has(id));
  progress('measuring the calls…');
  const figures = await callFigures(stack, callIds, started, finished);
  const peakRss = Math.max(baselineRss, ...phase.rssSamples);

  // What one call costs Temporal, from a finished call's history.
  const shape = await callShape(stack, callIds.slice(0, Math.min(20, callIds.length)));
  const routing = await routingShapeOf(stack, started, finished, total);
  // The ceiling does a whole call's Temporal work: its own workflow's and its share of the queue's and agents'.
  const ceilingWork = {
    activities: shape.activities + routing.perCall.activities,
    localActivities: shape.local_activities + routing.perCall.local_activities,
    signals: shape.signals + routing.perCall.signals,
    timers: shape.timers + routing.perCall.timers,
  };
  const answerSteps = await answerPath(
    stack,
    callIds.filter((_, i) => i % Math.max(1, Math.floor(callIds.length / 100)) === 0),
  );
  const callsPerS = completionRate(phase.completions, started);
  const callsPhase = {
    calls: total,
    arrival_rate: opt.rate,
    agents: opt.agents,
    calls_seconds: round((finished - started) / 1000),
    calls_per_s: round(callsPerS),
    answer_ms_p50: round(pct(figures.answerMs, 50)),
    answer_ms_p99: round(pct(figures.answerMs, 99)),
    offer_ms_p50: round(pct(figures.offerMs, 50)),
    offer_ms_p99: round(pct(figures.offerMs, 99)),
    offer_tail: figures.offerTail,
    // Offer → caller put through (ring, answer, the whisper and the key with --confirm key, transfer).
    confirm: opt.confirm,
    connect_ms_p50: round(pct(figures.connectMs, 50)),
    connect_ms_p99: round(pct(figures.connectMs, 99)),
    // Of that, the confirm step alone (answered ring → the agent's key), from the timeline; none with --confirm none.
    confirm_ms_p50: round(pct(figures.confirmMs, 50)),
    confirm_ms_p99: round(pct(figures.confirmMs, 99)),
    queue_runs_started_s: figures.queueRunsAt.sort((a, b) => a - b),
    queue_can_races_s: figures.queueRaces.sort((a, b) => a - b),
    max_concurrent_calls: figures.maxConcurrent,
    max_waiting_calls: figures.maxWaiting,
    // Incoming-call notifications our webhook didn't acknowledge in time: those calls were never answered.
    undelivered_calls: phase.undelivered,
    // Callers refused busy by admission control (src/server/answer-admission.ts) instead of answered late.
    refused_calls: phase.refused.size,
    // The Switchboard process's (worker and web) growth from its idle size to its peak, ÷ the most calls at once.
    worker_rss_mb_per_call:
      Math.round(((peakRss - baselineRss) / 1024 / 1024 / Math.max(1, figures.maxConcurrent)) * 100) / 100,
    ...(opt.queues > 1 ? { queues: opt.queues } : {}),
    // CPU seconds per call placed over the calls phase, by process: switchboard (worker and web, one process as
    // `switchboard up` runs them), emulator (Graph's side: the emulator, its scripted callers and agents, this driver),
    // temporal (the dev server) and postgres.
    cpu_s_per_call: cpuPerCall(cpuBefore, cpuAfter, total, switchboardPid),
    // The same stack with no calls, in cores (CPU-s per second); and per call once that upkeep is taken out.
    idle_cpu_cores: idle,
    cpu_s_per_call_above_idle:
      Math.round(
        ((cpuPerCall(cpuBefore, cpuAfter, 1, switchboardPid).total! - idle.total! * ((finished - started) / 1000)) /
          total) *
          1000,
      ) / 1000,
    answer_path_ms: answerSteps,
    routing_shape: routing.shape,
  };
  const outcomes = { ...figures.outcomes, ...(phase.refused.size ? { refused: phase.refused.size } : {}) };
  // The calls phase on its own (stderr), so a run stopped later still has it.
  process.stderr.write(`\ncalls phase: ${JSON.stringify({ ...callsPhase, call_shape: shape, outcomes })}\n`);

  // 2. The ceiling: as many bare workflows, on the same server, on the bench's own worker (not Switchboard's). Its
  // log lines (bundling, state changes) are not the bench's output, nor are the replay worker's below; warnings are.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const ceilingWorker = await startCeilingWorker(stack.client, config.temporal.taskQueue);
  const ceiling = await measureCeiling(
    stack.client,
    ceilingWorker.taskQueue,
    ceilingWork,
    Math.min(total, opt.ceilingCalls),
  ).finally(() => ceilingWorker.stop());

  // 3. Every workflow history the run wrote (calls, queues, agents, the presence poller, the ceiling's), replayed on a
  // fresh worker with the code that wrote them, and every workflow task that failed in them (issue 28).
  progress('replaying every workflow history…');
  const checkStarted = Date.now();
  const check = await checkBenchHistories(stack.client);
  const problems = describeProblems(check);
  const histories = Object.values(check.replayed).reduce((a, b) => a + b, 0);
  const historyCheck = {
    histories,
    seconds: round((Date.now() - checkStarted) / 1000),
    replayed: check.replayed,
    replay_failures: check.replayFailures.length,
    failed_tasks: check.failedTasks.length,
  };
  process.stderr.write(`\nhistory check: ${JSON.stringify(historyCheck)}\n`);
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });

  // 4. Dashboard queries on `rows` calls of history.
  let panels: { panel_query_ms_p95: number | null; rows: number } = { panel_query_ms_p95: null, rows: 0 };
  if (opt.panels) {
    const { benchPanels } = await import('../analytics/bench.js');
    const r = await benchPanels({ calls: opt.rows, onProgress: (m: string) => progress(`dashboards: ${m}`) });
    panels = { panel_query_ms_p95: round(r.panel_query_ms_p95), rows: r.rows };
  }
  progress('');

  process.stdout.write(
    `${JSON.stringify({
      ...callsPhase,
      ceiling_calls_per_s: round(ceiling.perSecond),
      ceiling_calls: ceiling.calls,
      ceiling_work: ceilingWork,
      ratio_to_ceiling: Math.round((callsPerS / ceiling.perSecond) * 100) / 100,
      call_shape: shape,
      // The machine, and how busy it was while the calls ran (the 1-minute load average: above the core count,
      // something else competed for the cores).
      host: {
        cpus: os.cpus().length,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
        load_avg_max: round(Math.max(0, ...phase.loadSamples)),
      },
      outcomes,
      ...panels,
      history_check: historyCheck,
    })}\n`,
  );
  if (problems.length > 0)
    throw new BenchFailure(
      `this run's workflow histories: ${problems.length} problems (a history that does not replay, a failed workflow task):\n${problems.join('\n')}`,
    );
}

let options: BenchOptions | 'help';
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err;
  process.stderr.write(`bench: ${err.message}\n${BENCH_USAGE}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${BENCH_USAGE}\n`);
  process.exit(0);
}
main(options).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `\nbench failed: ${err instanceof BenchFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
