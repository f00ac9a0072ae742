/**
 * The calls phase: the stack settles, its idle upkeep is measured, then calls arrive at `rate` for `duration` seconds
 * and are watched until every one is over. Samples the Switchboard process's memory and the machine's load meanwhile.
 */
import os from 'node:os';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { benchLine } from './bench-queues.js';
import { rssOf, type BenchStack } from './bench-stack.js';
import { cpuPerCall, cpuTimes } from './cpu.js';
import type { BenchOptions } from './options.js';
import { bar, progress } from './progress.js';
import { watchCalls } from './watch-calls.js';

export interface CallsPhase {
  callIds: string[];
  /** When each call lifecycle (not failed, not undelivered) completed. */
  completions: number[];
  undelivered: number;
  /** Calls Switchboard refused busy (admission control): no workflow, no CDR. */
  refused: Set<string>;
  started: number;
  finished: number;
  rssSamples: number[];
  loadSamples: number[];
  /** The Switchboard process's memory before the calls. */
  baselineRss: number;
  /** CPU-s per second of the idle stack, by process. */
  idle: Record<string, number>;
  cpuBefore: ReturnType<typeof cpuTimes>;
  cpuAfter: ReturnType<typeof cpuTimes>;
}

export async function runCallsPhase(
  stack: BenchStack,
  queues: Record<string, QueueConfig>,
  opt: BenchOptions,
): Promise<CallsPhase> {
  const { emulator } = stack;
  const switchboardPid = stack.switchboard.child.pid;
  const total = Math.round(opt.rate * opt.duration);
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

  const started = Date.now();
  const callIds: string[] = [];
  const completions: number[] = [];
  let completed = 0;
  let undelivered = 0;
  const refused = new Set<string>();
  // Calls not yet over. One watcher looks for their outcomes in Postgres (the CDR's outcome is written as the workflow
  // ends) instead of a long poll per call: the server refuses more than ~1,200 concurrent long polls per namespace.
  const pending = new Set<string>();
  let placing = true;
  const watcher = watchCalls(
    stack,
    pending,
    () => placing,
    (outcome, callId) => {
      completed++;
      if (outcome === 'undelivered') undelivered++;
      else if (outcome === 'refused') refused.add(callId);
      // A failed call (not answered within Graph's deadline, …) is no lifecycle served.
      else if (outcome !== 'failed') completions.push(Date.now());
    },
  );
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / opt.rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const { callId } = await emulator.placeCall({
      from: { phone: `+1425555${String(i % 10_000).padStart(4, '0')}` },
      ...benchLine(queues, i),
      ...(opt.patienceMs > 0 ? { hangUpAfterMs: opt.patienceMs } : {}),
    });
    callIds.push(callId);
    pending.add(callId);
    progress(`calls ${bar(completed, total)} placed ${i + 1}${tally(undelivered, refused.size)}`);
  }
  const ticker = setInterval(() => progress(`calls ${bar(completed, total)}${tally(undelivered, refused.size)}`), 500);
  placing = false;
  await watcher;
  clearInterval(ticker);
  const finished = Date.now();
  clearInterval(sampler);
  const cpuAfter = cpuTimes();
  return {
    callIds,
    completions,
    undelivered,
    refused,
    started,
    finished,
    rssSamples,
    loadSamples,
    baselineRss,
    idle,
    cpuBefore,
    cpuAfter,
  };
}

function tally(undelivered: number, refused: number): string {
  return `${undelivered ? `, ${undelivered} undelivered` : ''}${refused ? `, ${refused} refused busy` : ''}`;
}
