/**
 * `npm run bench`: the real stack (Temporal dev server, embedded Postgres, worker, Express, Graph emulator) under the
 * emulator's scripted callers and agents, then the same load as bare workflows (the ceiling), then the dashboard
 * queries. Prints a progress line while it runs and one JSON line at the end. It is a benchmark, not a test.
 *
 *   npm run bench -- --rate 10 --duration 30 --agents 50 --rows 1000000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { freePort } from '../infra/temporal-dev-server.js';
import { startStack } from '../stack.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../routing/types.js';
import { callWorkflowId } from '../../workflows/messages.js';
import { ceilingSignal } from '../../workflows/bench-ceiling.js';

const { values: opt } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '30' },
    agents: { type: 'string', default: '50' },
    'talk-ms': { type: 'string', default: '3000' },
    rows: { type: 'string', default: '1000000' },
    'no-panels': { type: 'boolean', default: false },
    // 1 = prompts last as long as their audio, as on Graph. Faster media makes every waiting caller loop its hold
    // music that many times faster, i.e. that much more Temporal work per waiting call than real callers cause.
    'media-speed': { type: 'string', default: '1' },
    // Bare workflows for the ceiling, all started at once; their completion rate is the ceiling.
    'ceiling-calls': { type: 'string', default: '200' },
  },
});
const rate = Number(opt.rate);
const duration = Number(opt.duration);
const agentCount = Number(opt.agents);
const talkMs = Number(opt['talk-ms']);
const total = Math.round(rate * duration);

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const round = (x: number) => Math.round(x * 10) / 10;
const progress = (msg: string) => process.stderr.write(`\r\x1b[K${msg}`);
const bar = (done: number, all: number) => {
  const width = 30;
  const filled = Math.round((done / Math.max(1, all)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${all}`;
};
const agentId = (i: number) => `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-'));
  const config = loadConfig({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: '0',
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    EMULATOR_PORT: '0',
    EMULATOR_MEDIA_SPEED: String(opt['media-speed']),
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  });
  const agents = Array.from({ length: agentCount }, (_, i) => agentId(i));
  const queues: Record<string, QueueConfig> = {
    support: {
      ...DEFAULT_QUEUE,
      name: 'support',
      agents,
      agentSkills: {},
      method: 'longestIdle',
      wrapUpSeconds: 1,
      maxCalls: 100_000,
      maxWaitSeconds: 3600,
    },
  };
  progress('starting the stack…');
  const stack = await startStack(config, createLogger(config.logLevel), { queues });
  const emulator = stack.emulator!;
  for (const a of agents) emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs });

  const rssSamples: number[] = [];
  const baselineRss = process.memoryUsage().rss;
  const loadSamples: number[] = [];
  const sampler = setInterval(() => {
    rssSamples.push(process.memoryUsage().rss);
    loadSamples.push(os.loadavg()[0]!);
  }, 250);

  // 1. Switchboard: calls arrive at `rate` for `duration` seconds.
  const started = Date.now();
  const callIds: string[] = [];
  const results: Promise<unknown>[] = [];
  const completions: number[] = [];
  let completed = 0;
  let undelivered = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const { callId } = await emulator.placeCall({ from: { phone: `+1425555${String(i % 10_000).padStart(4, '0')}` } });
    callIds.push(callId);
    results.push(
      waitForResult(stack, callId).then((r) => {
        completed++;
        if (r === 'undelivered') undelivered++;
        // A failed call (not answered within Graph's deadline, …) is no lifecycle served.
        else if ((r as { outcome?: string } | undefined)?.outcome !== 'failed') completions.push(Date.now());
      }),
    );
    progress(`calls ${bar(completed, total)} placed ${i + 1}${undelivered ? `, ${undelivered} undelivered` : ''}`);
  }
  const ticker = setInterval(() => progress(`calls ${bar(completed, total)}${undelivered ? `, ${undelivered} undelivered` : ''}`), 500);
  await Promise.all(results);
  clearInterval(ticker);
  const finished = Date.now();
  clearInterval(sampler);
  progress('measuring the calls…');

  const knex = stack.orm.em.getKnex();
  const calls = await knex('call').whereIn('id', callIds).select('*');
  const answerMs: number[] = [];
  for (const id of callIds) {
    const history = emulator.getCall(id)?.history ?? [];
    const incoming = history.find((h) => h.kind === 'notification' && h.changeType === 'created');
    const answer = history.find((h) => h.kind === 'request' && 'path' in h && String(h.path).endsWith('/answer'));
    if (incoming && answer) answerMs.push(Date.parse(answer.at) - Date.parse(incoming.at));
  }
  // Agent free → offer: from the later of the call entering the queue and the agent becoming available.
  const offers = await knex.raw(`
    select extract(epoch from (c.offered_at - greatest(c.queued_at, coalesce(a.at, c.queued_at)))) * 1000 as ms
    from call c
    left join lateral (
      select at from agent_state_change s
      where s.agent_id = c.agent_id and s.state = 'available' and s.at <= c.offered_at
      order by at desc limit 1
    ) a on true
    where c.id = any(?) and c.offered_at is not null`, [callIds]);
  const offerMs = (offers.rows as { ms: string }[]).map((r) => Math.max(0, Number(r.ms)));
  const events = calls
    // The driver may hand timestamps back as strings or Dates.
    .flatMap((c: { arrived_at: Date | string; ended_at: Date | string | null }) => [
      [new Date(c.arrived_at).getTime(), 1],
      [(c.ended_at ? new Date(c.ended_at) : new Date(finished)).getTime(), -1],
    ])
    .sort((a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!);
  let concurrent = 0;
  let maxConcurrent = 0;
  for (const [, d] of events as [number, number][]) maxConcurrent = Math.max(maxConcurrent, (concurrent += d));
  // Callers waiting in the queue at once: from entering the queue to the (last) offer, or the end of the call.
  const waits = (calls as { queued_at: Date | string | null; offered_at: Date | string | null; ended_at: Date | string | null }[])
    .filter((c) => c.queued_at)
    .flatMap((c) => [
      [new Date(c.queued_at!).getTime(), 1],
      [new Date(c.offered_at ?? c.ended_at ?? finished).getTime(), -1],
    ])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let waiting = 0;
  let maxWaiting = 0;
  for (const [, d] of waits as [number, number][]) maxWaiting = Math.max(maxWaiting, (waiting += d));
  const outcomes: Record<string, number> = {};
  for (const c of calls as { outcome: string | null }[]) outcomes[c.outcome ?? 'none'] = (outcomes[c.outcome ?? 'none'] ?? 0) + 1;
  const peakRss = Math.max(baselineRss, ...rssSamples);

  // What one call costs Temporal, from a finished call's history.
  const shape = await callShape(stack, callIds.slice(0, Math.min(20, callIds.length)));
  const callsPerS = completionRate(completions, started);
  const callsPhase = {
    calls: total,
    arrival_rate: rate,
    agents: agentCount,
    calls_seconds: round((finished - started) / 1000),
    calls_per_s: round(callsPerS),
    answer_ms_p50: round(pct(answerMs, 50)),
    answer_ms_p99: round(pct(answerMs, 99)),
    offer_ms_p50: round(pct(offerMs, 50)),
    offer_ms_p99: round(pct(offerMs, 99)),
    max_concurrent_calls: maxConcurrent,
    max_waiting_calls: maxWaiting,
    // Incoming-call notifications our webhook didn't acknowledge in time: those calls were never answered.
    undelivered_calls: undelivered,
    worker_rss_mb_per_call: Math.round(((peakRss - baselineRss) / 1024 / 1024 / Math.max(1, maxConcurrent)) * 100) / 100,
  };
  // The calls phase on its own (stderr), so a run stopped later still has it.
  process.stderr.write(`\ncalls phase: ${JSON.stringify({ ...callsPhase, call_shape: shape, outcomes })}\n`);

  // 2. The ceiling: as many bare workflows, started as fast as the server takes them, on the same server. Their
  // completion rate is the most this server and worker do with a call's number of activities, signals and timers.
  const ceilingStarted = Date.now();
  let ceilingDone = 0;
  const ceilingCompletions: number[] = [];
  const ceilingRuns: Promise<unknown>[] = [];
  const ceilingTotal = Math.min(total, Number(opt['ceiling-calls']));
  for (let i = 0; i < ceilingTotal; i++) {
    const handle = await stack.client.workflow.start('benchCeilingWorkflow', {
      workflowId: `ceiling-${i}`,
      taskQueue: config.temporal.taskQueue,
      args: [shape],
    });
    ceilingRuns.push(
      (async () => {
        for (let s = 0; s < shape.signals; s++) await handle.signal(ceilingSignal, s);
        await handle.result();
        ceilingDone++;
        ceilingCompletions.push(Date.now());
        progress(`ceiling ${bar(ceilingDone, ceilingTotal)}`);
      })(),
    );
    if (i % 10 === 9) progress(`ceiling ${bar(ceilingDone, ceilingTotal)} started ${i + 1}`);
  }
  await Promise.all(ceilingRuns);
  // All started together, so throughput is all of them over the time until the last one finished.
  const ceilingPerS = ceilingTotal / Math.max(0.001, (Math.max(ceilingStarted, ...ceilingCompletions) - ceilingStarted) / 1000);
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });

  // 3. Dashboard queries on `rows` calls of history.
  let panels: { panel_query_ms_p95: number | null; rows: number } = { panel_query_ms_p95: null, rows: 0 };
  if (!opt['no-panels']) {
    const { benchPanels } = await import('../analytics/bench.js');
    const r = await benchPanels({ calls: Number(opt.rows), onProgress: (m: string) => progress(`dashboards: ${m}`) });
    panels = { panel_query_ms_p95: round(r.panel_query_ms_p95), rows: r.rows };
  }
  progress('');

  process.stdout.write(
    `${JSON.stringify({
      ...callsPhase,
      ceiling_calls_per_s: round(ceilingPerS),
      ceiling_calls: ceilingTotal,
      ratio_to_ceiling: Math.round((callsPerS / ceilingPerS) * 100) / 100,
      call_shape: shape,
      // The machine, and how busy it was while the calls ran (the 1-minute load average: above the core count,
      // something else competed for the cores).
      host: {
        cpus: os.cpus().length,
        mem_gb: Math.round(os.totalmem() / 2 ** 30),
        load_avg_max: round(Math.max(0, ...loadSamples)),
      },
      outcomes,
      ...panels,
    })}\n`,
  );
}

/**
 * Call lifecycles (not failed) completed per second while completions were coming in: from the first completion to the last, so
 * the ramp-up (the first call's own duration) and the arrival schedule don't count. A run that keeps up with its
 * arrivals completes at the arrival rate; one that falls behind completes slower.
 */
function completionRate(at: number[], startedAt: number): number {
  if (at.length === 0) return 0;
  const sorted = [...at].sort((a, b) => a - b);
  const window = (sorted[sorted.length - 1]! - sorted[0]!) / 1000;
  return window > 0 ? (sorted.length - 1) / window : sorted.length / Math.max(0.001, (sorted[0]! - startedAt) / 1000);
}

/**
 * The call's workflow result, or 'undelivered' when the emulator's incoming-call notification got no 2xx (our
 * webhook answered an error or not within the emulator's 10 s): like Graph, the emulator doesn't resend calling
 * notifications, so no workflow will ever start for that call.
 */
async function waitForResult(stack: Awaited<ReturnType<typeof startStack>>, callId: string): Promise<unknown> {
  const handle = stack.client.workflow.getHandle(callWorkflowId(callId));
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
      const incoming = stack.emulator
        ?.getCall(callId)
        ?.history.find((h) => h.kind === 'notification' && h.changeType === 'created');
      const delivered = (s?: number) => s !== undefined && s >= 200 && s <= 299;
      if (incoming && 'messageId' in incoming && (incoming.error !== undefined || (incoming.status !== undefined && !delivered(incoming.status)))) {
        return 'undelivered';
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function callShape(stack: Awaited<ReturnType<typeof startStack>>, callIds: string[]) {
  let activities = 0;
  let signals = 0;
  let timers = 0;
  let workflowTasks = 0;
  const byType: Record<string, number> = {};
  for (const id of callIds) {
    const history = await stack.client.workflow.getHandle(callWorkflowId(id)).fetchHistory();
    for (const e of history.events ?? []) {
      if (e.workflowTaskCompletedEventAttributes) workflowTasks++;
      const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) byType[type] = (byType[type] ?? 0) + 1;
      if (e.activityTaskScheduledEventAttributes) activities++;
      if (e.workflowExecutionSignaledEventAttributes) signals++;
      if (e.timerStartedEventAttributes) timers++;
    }
  }
  const n = Math.max(1, callIds.length);
  return {
    activities: Math.round(activities / n),
    signals: Math.round(signals / n),
    timers: Math.round(timers / n),
    // Not replayed by the ceiling; where a call's Temporal work goes.
    workflow_tasks: Math.round(workflowTasks / n),
    activity_types: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, Math.round((v / n) * 10) / 10])),
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
