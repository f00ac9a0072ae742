/**
 * `npm run bench`: the real stack (Temporal dev server, embedded Postgres, and Switchboard's worker and web in a
 * process of their own: bench-stack.ts) under the Graph emulator's scripted callers and agents, then the same load as
 * bare workflows (the ceiling), then every workflow history it produced replayed on a fresh worker (it exits 1,
 * naming each one, if any does not replay or had a failed workflow task), then the dashboard queries. Prints a
 * progress line while it runs and one JSON line at the end. It is a benchmark, not a test.
 *
 *   npm run bench -- --rate 10 --duration 30 --agents 50 --rows 1000000
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { rssOf, startBenchStack, type BenchStack } from './bench-stack.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../../src/routing/types.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { ceilingSignal } from '../../workflows/bench-ceiling.js';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import type { temporal } from '@temporalio/proto';
import proto from '@temporalio/proto';

const { values: opt } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '30' },
    agents: { type: 'string', default: '50' },
    // 1: every call dials the default line (greeting, then the queue `support`, no limit on waiting calls). N > 1:
    // queues bench-1..bench-N, each with Teams' limit of 200 waiting calls and agents dealt out round robin; call i
    // dials the bench line of queue i mod N (straight into the queue, no greeting: flows/flows.ts).
    queues: { type: 'string', default: '1' },
    'talk-ms': { type: 'string', default: '3000' },
    // Seconds after dialling at which each caller hangs up (whether waiting or talking); 0 = never.
    patience: { type: 'string', default: '0' },
    rows: { type: 'string', default: '1000000' },
    'no-panels': { type: 'boolean', default: false },
    // Queues route without looking at Teams presence (presenceBased: false): an agent is offered a call as soon as
    // their workflow says they are available, not once the presence poller has seen them leave their last call.
    'no-presence': { type: 'boolean', default: false },
    // 1 = prompts last as long as their audio, as on Graph. Faster media makes every waiting caller loop its hold
    // music that many times faster, i.e. that much more Temporal work per waiting call than real callers cause.
    'media-speed': { type: 'string', default: '1' },
    // Bare workflows for the ceiling, all started at once; their completion rate is the ceiling.
    'ceiling-calls': { type: 'string', default: '200' },
    // A directory: the Switchboard process writes its CPU profiles there (read them with `npm run bench:profile`).
    profile: { type: 'string' },
  },
});
const rate = Number(opt.rate);
const duration = Number(opt.duration);
const agentCount = Number(opt.agents);
const queueCount = Number(opt.queues);
if (!Number.isInteger(queueCount) || queueCount < 1) throw new Error('--queues must be a whole number ≥ 1');
if (queueCount > agentCount) throw new Error('--queues needs at least one agent per queue (--agents ≥ --queues)');
const talkMs = Number(opt['talk-ms']);
const patienceMs = Number(opt.patience) * 1000;
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
    TEMPORAL_TASK_QUEUE: 'bench',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  });
  const agents = Array.from({ length: agentCount }, (_, i) => agentId(i));
  const queueNames = queueCount === 1 ? ['support'] : Array.from({ length: queueCount }, (_, i) => `bench-${i + 1}`);
  const queues: Record<string, QueueConfig> = Object.fromEntries(
    queueNames.map((name, q) => [
      name,
      {
        ...DEFAULT_QUEUE,
        name,
        agents: agents.filter((_, i) => i % queueCount === q),
        agentSkills: {},
        method: 'longestIdle',
        wrapUpSeconds: 1,
        // One queue: unlimited, as before. Several: Teams' limit (src/routing/validate.ts).
        maxCalls: queueCount === 1 ? 100_000 : 200,
        maxWaitSeconds: 3600,
        ...(opt['no-presence'] ? { presenceBased: false } : {}),
      } satisfies QueueConfig,
    ]),
  );
  const lineFor = (i: number) =>
    queueCount === 1 ? {} : { applicationInstanceId: `${BENCH_LINE_PREFIX}${queueNames[i % queueCount]}` };
  progress('starting the stack…');
  const stack = await startBenchStack(
    config,
    queues,
    Number(opt['media-speed']),
    opt.profile ? path.resolve(opt.profile) : undefined,
  );
  const emulator = stack.emulator;
  const switchboardPid = stack.switchboard.child.pid;
  for (const a of agents) emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs });

  const rssSamples: number[] = [];
  const loadSamples: number[] = [];
  const sampler = setInterval(() => {
    rssSamples.push(rssOf(switchboardPid));
    loadSamples.push(os.loadavg()[0]!);
  }, 250);
  // CPU time of this process (the emulator and this driver) and of those it started (Switchboard, the Temporal dev
  // server, Postgres): first 10 s with no calls (agents signed in, presence polled: the stack's own upkeep), then the
  // calls phase. Start-up goes on for a while after the Switchboard process is ready (agent workflows signing in, the
  // presence poller's first readings, the worker's bundles warming up): settle first, or "idle" is start-up work.
  progress('letting the stack settle (20 s)…');
  await new Promise((r) => setTimeout(r, 20_000));
  progress('measuring the idle stack (10 s)…');
  const idleBefore = cpuTimes();
  await new Promise((r) => setTimeout(r, 10_000));
  const idle = cpuPerCall(idleBefore, cpuTimes(), 10, switchboardPid);
  const cpuBefore = cpuTimes();
  // The worker's memory before the calls: what it holds with agents signed in, bundles loaded and nothing to do.
  const baselineRss = rssOf(switchboardPid);

  // 1. Switchboard: calls arrive at `rate` for `duration` seconds.
  const started = Date.now();
  const callIds: string[] = [];
  const completions: number[] = [];
  let completed = 0;
  let undelivered = 0;
  // Calls not yet over. One watcher looks for their outcomes in Postgres (the CDR's outcome is written as the workflow
  // ends) instead of a long poll per call: the server refuses more than ~1,200 concurrent long polls per namespace.
  const pending = new Set<string>();
  let placing = true;
  const watcher = watchCalls(
    stack,
    pending,
    () => placing,
    (outcome) => {
      completed++;
      if (outcome === 'undelivered') undelivered++;
      // A failed call (not answered within Graph's deadline, …) is no lifecycle served.
      else if (outcome !== 'failed') completions.push(Date.now());
    },
  );
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const { callId } = await emulator.placeCall({
      from: { phone: `+1425555${String(i % 10_000).padStart(4, '0')}` },
      ...lineFor(i),
      ...(patienceMs > 0 ? { hangUpAfterMs: patienceMs } : {}),
    });
    callIds.push(callId);
    pending.add(callId);
    progress(`calls ${bar(completed, total)} placed ${i + 1}${undelivered ? `, ${undelivered} undelivered` : ''}`);
  }
  const ticker = setInterval(
    () => progress(`calls ${bar(completed, total)}${undelivered ? `, ${undelivered} undelivered` : ''}`),
    500,
  );
  placing = false;
  await watcher;
  clearInterval(ticker);
  const finished = Date.now();
  clearInterval(sampler);
  const cpuAfter = cpuTimes();
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
  const offers = await knex.raw(
    `
    select extract(epoch from (c.offered_at - greatest(c.queued_at, coalesce(a.at, c.queued_at)))) * 1000 as ms,
      c.offered_at as offered_at
    from call c
    left join lateral (
      select at from agent_state_change s
      where s.agent_id = c.agent_id and s.state = 'available' and s.at <= c.offered_at
      order by at desc limit 1
    ) a on true
    where c.id = any(?) and c.offered_at is not null`,
    [callIds],
  );
  const offerMs = (offers.rows as { ms: string }[]).map((r) => Math.max(0, Number(r.ms)));
  // The slowest 1% of offers, when they were made (s into the calls phase), next to when the queue continued as new:
  // to see whether the tail comes in clusters, and from what.
  const offerTail = (offers.rows as { ms: string; offered_at: Date | string }[])
    .map((r) => ({ at_s: round((new Date(r.offered_at).getTime() - started) / 1000), ms: Math.round(Number(r.ms)) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Math.max(3, Math.ceil(offerMs.length / 100)));
  const queueRunsAt: number[] = [];
  // Continue-as-new that a signal overtook: the server fails that workflow task (unhandled command), the worker
  // replays the run, and the queue's signals are turned away until it is through.
  const queueRaces: number[] = [];
  for await (const run of stack.client.workflow.list({ query: `WorkflowType = 'queueWorkflow'` })) {
    if (run.startTime.getTime() >= started) queueRunsAt.push(round((run.startTime.getTime() - started) / 1000));
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const failed = e.workflowTaskFailedEventAttributes;
      const at = Number(e.eventTime?.seconds ?? 0) * 1000;
      if (
        failed?.cause ===
          proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND &&
        at >= started
      )
        queueRaces.push(round((at - started) / 1000));
    }
  }
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
  const waits = (
    calls as { queued_at: Date | string | null; offered_at: Date | string | null; ended_at: Date | string | null }[]
  )
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
  for (const c of calls as { outcome: string | null }[])
    outcomes[c.outcome ?? 'none'] = (outcomes[c.outcome ?? 'none'] ?? 0) + 1;
  const peakRss = Math.max(baselineRss, ...rssSamples);

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
    offer_tail: offerTail,
    queue_runs_started_s: queueRunsAt.sort((a, b) => a - b),
    queue_can_races_s: queueRaces.sort((a, b) => a - b),
    max_concurrent_calls: maxConcurrent,
    max_waiting_calls: maxWaiting,
    // Incoming-call notifications our webhook didn't acknowledge in time: those calls were never answered.
    undelivered_calls: undelivered,
    // The Switchboard process's (worker and web) growth from its idle size to its peak, ÷ the most calls at once.
    worker_rss_mb_per_call:
      Math.round(((peakRss - baselineRss) / 1024 / 1024 / Math.max(1, maxConcurrent)) * 100) / 100,
    ...(queueCount > 1 ? { queues: queueCount } : {}),
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
  // The calls phase on its own (stderr), so a run stopped later still has it.
  process.stderr.write(`\ncalls phase: ${JSON.stringify({ ...callsPhase, call_shape: shape, outcomes })}\n`);

  // 2. The ceiling: as many bare workflows, started as fast as the server takes them, on the same server. Their
  // completion rate is the most this server and worker do with a call's number of activities, signals and timers
  // (the call's own and its share of routing's: ceilingWork).
  const ceilingStarted = Date.now();
  let ceilingDone = 0;
  const ceilingCompletions: number[] = [];
  const ceilingRuns: Promise<unknown>[] = [];
  const ceilingTotal = Math.min(total, Number(opt['ceiling-calls']));
  for (let i = 0; i < ceilingTotal; i++) {
    const handle = await stack.client.workflow.start('benchCeilingWorkflow', {
      workflowId: `ceiling-${i}`,
      taskQueue: config.temporal.taskQueue,
      args: [ceilingWork],
    });
    ceilingRuns.push(
      (async () => {
        for (let s = 0; s < ceilingWork.signals; s++) await handle.signal(ceilingSignal, s);
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
  const ceilingPerS =
    ceilingTotal / Math.max(0.001, (Math.max(ceilingStarted, ...ceilingCompletions) - ceilingStarted) / 1000);

  // 3. Every workflow history the run wrote (calls, queues, agents, the presence poller, the ceiling's), replayed on a
  // fresh worker with the code that wrote them, and every workflow task that failed in them (issue 28).
  progress('replaying every workflow history…');
  // The replay worker's log lines (bundling, state changes) are not the bench's output; warnings are.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const checkStarted = Date.now();
  const check = await checkHistories(stack.client);
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
      ceiling_work: ceilingWork,
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
      history_check: historyCheck,
    })}\n`,
  );
  if (problems.length > 0)
    throw new BenchFailure(
      `this run's workflow histories: ${problems.length} problems (a history that does not replay, a failed workflow task):\n${problems.join('\n')}`,
    );
}

/** The run finished, and its figures are printed, but something it produced is wrong. */
class BenchFailure extends Error {}

/** utime + stime in seconds of this process and every process under it, by pid, with the command name. */
function cpuTimes(): Map<number, { comm: string; seconds: number }> {
  const tick = 100; // USER_HZ on Linux
  const procs = new Map<number, { comm: string; ppid: number; seconds: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map(); // not Linux
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] = state (field 3)
      procs.set(Number(pid), { comm, ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12])) / tick });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Map<number, { comm: string; seconds: number }>();
  const isMine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, p] of procs) if (isMine(pid)) mine.set(pid, { comm: p.comm, seconds: p.seconds });
  return mine;
}

function cpuPerCall(
  before: ReturnType<typeof cpuTimes>,
  after: ReturnType<typeof cpuTimes>,
  calls: number,
  switchboardPid: number | undefined,
): Record<string, number> {
  const by: Record<string, number> = {};
  for (const [pid, p] of after) {
    const name =
      pid === process.pid
        ? 'emulator'
        : pid === switchboardPid
          ? 'switchboard'
          : /^postgres/.test(p.comm)
            ? 'postgres'
            : /^temporal/.test(p.comm)
              ? 'temporal'
              : 'other';
    by[name] = (by[name] ?? 0) + p.seconds - (before.get(pid)?.seconds ?? 0);
  }
  const perCall = Object.fromEntries(
    Object.entries(by).map(([k, v]) => [k, Math.round((v / Math.max(1, calls)) * 1000) / 1000]),
  );
  perCall.total = Math.round((Object.values(by).reduce((a, b) => a + b, 0) / Math.max(1, calls)) * 1000) / 1000;
  return perCall;
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
 * Watch the calls in `pending` until all are over (and no more are being placed): a call is over when its CDR has an
 * outcome (written as its workflow ends), or 'undelivered' when the emulator's incoming-call notification got no 2xx
 * (our webhook answered an error or not within the emulator's 10 s): like Graph, the emulator doesn't resend calling
 * notifications, so no workflow will ever start for that call. Checked every 500 ms.
 */
async function watchCalls(
  stack: BenchStack,
  pending: Set<string>,
  placing: () => boolean,
  onDone: (outcome: string) => void,
): Promise<void> {
  const knex = stack.orm.em.getKnex();
  const delivered = (s?: number) => s !== undefined && s >= 200 && s <= 299;
  const deliveredIds = new Set<string>();
  while (placing() || pending.size > 0) {
    await new Promise((r) => setTimeout(r, 500));
    if (pending.size === 0) continue;
    let rows: { id: string; outcome: string }[];
    try {
      rows = await knex('call')
        .whereIn('id', [...pending])
        .whereNotNull('outcome')
        .select('id', 'outcome');
    } catch {
      continue; // Postgres busy or briefly away: look again on the next round
    }
    for (const r of rows) {
      pending.delete(r.id);
      onDone(r.outcome);
    }
    for (const id of [...pending]) {
      // A call whose incoming notification was delivered is not looked at again: the emulator's view of a call is a
      // deep copy of its whole log, and copying every waiting call's twice a second took 3.1 of the main thread's
      // 92.5 busy seconds in a profiled run (100 waiting), charged to the calls.
      if (deliveredIds.has(id)) continue;
      const incoming = stack.emulator
        .getCall(id)
        ?.history.find((h) => h.kind === 'notification' && h.changeType === 'created');
      if (incoming && 'messageId' in incoming && delivered(incoming.status)) deliveredIds.add(id);
      if (
        incoming &&
        'messageId' in incoming &&
        (incoming.error !== undefined || (incoming.status !== undefined && !delivered(incoming.status)))
      ) {
        pending.delete(id);
        onDone('undelivered');
      }
    }
  }
}

/**
 * Where the answer's time goes, p50/p99 of each step over (up to) 100 calls, from the emulator's log and the call
 * workflow's history: the incoming notification sent → the workflow started (webhook, start request) → its first
 * workflow task picked up by the worker (schedule-to-start) → the answer request received by the emulator. A run
 * that answers with an ordinary activity splits the last step: that task completed (the answer scheduled) → the
 * answerCall activity picked up → the answer received; one that answers with a local activity
 * (CALL_LOCAL_GRAPH_PATCH) answers inside its first task (`task_to_answer`).
 */
async function answerPath(stack: BenchStack, callIds: string[]) {
  const steps: Record<string, number[]> = {
    webhook_to_started: [],
    to_first_task: [],
    task_to_answer: [],
    first_task: [],
    to_activity: [],
    activity_to_answer: [],
  };
  for (const id of callIds) {
    const log = stack.emulator.getCall(id)?.history ?? [];
    const incoming = log.find((h) => h.kind === 'notification' && h.changeType === 'created');
    const answer = log.find((h) => h.kind === 'request' && 'path' in h && String(h.path).endsWith('/answer'));
    if (!incoming || !answer) continue;
    let events;
    try {
      events = (await stack.client.workflow.getHandle(callWorkflowId(id)).fetchHistory()).events ?? [];
    } catch {
      continue;
    }
    const at = (e: (typeof events)[number] | undefined) => (e?.eventTime ? tsToMs(e.eventTime) : undefined);
    const started = at(events[0]);
    const taskStarted = at(events.find((e) => e.workflowTaskStartedEventAttributes));
    if (started === undefined || taskStarted === undefined) continue;
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'answerCall');
    if (!scheduled) {
      steps.webhook_to_started!.push(started - Date.parse(incoming.at));
      steps.to_first_task!.push(taskStarted - started);
      steps.task_to_answer!.push(Date.parse(answer.at) - taskStarted);
      continue;
    }
    const taskCompleted = at(events.find((e) => e.workflowTaskCompletedEventAttributes));
    const activityStarted = at(
      events.find(
        (e) =>
          e.activityTaskStartedEventAttributes &&
          String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled.eventId),
      ),
    );
    if (taskCompleted === undefined || activityStarted === undefined) continue;
    steps.webhook_to_started!.push(started - Date.parse(incoming.at));
    steps.to_first_task!.push(taskStarted - started);
    steps.first_task!.push(taskCompleted - taskStarted);
    steps.to_activity!.push(activityStarted - taskCompleted);
    steps.activity_to_answer!.push(Date.parse(answer.at) - activityStarted);
  }
  // Steps no call took are left out rather than reported as zeros.
  return Object.fromEntries(
    Object.entries(steps)
      .filter(([, xs]) => xs.length > 0)
      .map(([k, xs]) => [k, [round(pct(xs, 50)), round(pct(xs, 99))]]),
  );
}

interface EventCounts {
  workflow_tasks: number;
  activities: number;
  local_activities: number;
  signals: number;
  updates: number;
  timers: number;
}
const noEvents = (): EventCounts => ({
  workflow_tasks: 0,
  activities: 0,
  local_activities: 0,
  signals: 0,
  updates: 0,
  timers: 0,
});

/** Adds a history's Temporal work (events at or after `from` and at or before `to`, when given) to the counts. */
function countEvents(
  history: temporal.api.history.v1.IHistory,
  counts: EventCounts,
  byActivity: Record<string, number>,
  from = -Infinity,
  to = Infinity,
): void {
  for (const e of history.events ?? []) {
    const at = e.eventTime ? tsToMs(e.eventTime) : 0;
    if (at < from || at > to) continue;
    if (e.workflowTaskCompletedEventAttributes) counts.workflow_tasks++;
    if (e.workflowExecutionSignaledEventAttributes) counts.signals++;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) counts.updates++;
    if (e.timerStartedEventAttributes) counts.timers++;
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) {
      counts.activities++;
      byActivity[type] = (byActivity[type] ?? 0) + 1;
    }
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
      counts.local_activities++;
      const local = `${localActivityType(e.markerRecordedEventAttributes)} (local)`;
      byActivity[local] = (byActivity[local] ?? 0) + 1;
    }
  }
}

/** A local activity's type, from the marker Temporal's Core SDK records for it (its `data` detail, JSON). */
function localActivityType(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  try {
    const payload = marker.details?.['data']?.payloads?.[0];
    const data = payload?.data
      ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as { activity_type?: unknown })
      : undefined;
    return typeof data?.activity_type === 'string' ? data.activity_type : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function callShape(stack: BenchStack, callIds: string[]) {
  const counts = noEvents();
  const byType: Record<string, number> = {};
  for (const id of callIds)
    countEvents(await stack.client.workflow.getHandle(callWorkflowId(id)).fetchHistory(), counts, byType);
  const n = Math.max(1, callIds.length);
  return {
    activities: Math.round(counts.activities / n),
    local_activities: Math.round(counts.local_activities / n),
    signals: Math.round(counts.signals / n),
    timers: Math.round(counts.timers / n),
    // Not replayed by the ceiling; where a call's Temporal work goes.
    workflow_tasks: Math.round(counts.workflow_tasks / n),
    activity_types: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, Math.round((v / n) * 10) / 10])),
  };
}

/**
 * What routing costs Temporal per call: the events of every run of the queue, agent and presence workflows during the
 * calls phase, ÷ the calls placed. A call's own history (call_shape) is only part of its Temporal work.
 */
async function routingShapeOf(stack: BenchStack, from: number, to: number, calls: number) {
  const byWorkflow: Record<string, EventCounts> = {};
  const byActivity: Record<string, number> = {};
  for await (const run of stack.client.workflow.list({
    query: `WorkflowType IN ('agentWorkflow', 'queueWorkflow', 'presencePollerWorkflow')`,
  })) {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    countEvents(history, (byWorkflow[run.type] ??= noEvents()), byActivity, from, to);
  }
  const per = (x: number) => Math.round((x / Math.max(1, calls)) * 10) / 10;
  const all = noEvents();
  for (const counts of Object.values(byWorkflow))
    for (const k of Object.keys(all) as (keyof EventCounts)[]) all[k] += counts[k];
  return {
    shape: {
      ...Object.fromEntries(
        Object.entries(byWorkflow).map(([type, s]) => [
          type,
          Object.fromEntries(Object.entries(s).map(([k, v]) => [k, per(v)])),
        ]),
      ),
      activity_types: Object.fromEntries(Object.entries(byActivity).map(([k, v]) => [k, per(v)])),
    },
    /** Routing's share of one call, whole numbers, for the ceiling; an Update counts as a signal. */
    perCall: {
      activities: Math.round(all.activities / Math.max(1, calls)),
      local_activities: Math.round(all.local_activities / Math.max(1, calls)),
      signals: Math.round((all.signals + all.updates) / Math.max(1, calls)),
      timers: Math.round(all.timers / Math.max(1, calls)),
    },
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `\nbench failed: ${err instanceof BenchFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
