import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { callResult } from './stack.js';
import {
  agentStates,
  agentViews,
  agentsRungSince,
  everyHistoryProblems,
  workflowTaskProblems,
} from './chaos-checks.js';
import { AGENTS, type ChaosStack } from './chaos-stack.js';
import { type NotificationRecord } from '../../devkit/emulator/index.js';
import { type AgentSnapshotView } from '../../src/contracts/agent.js';
import type { CallSummary } from '../../src/contracts/call.js';
import { bundleWorkflows } from '../../src/temporal/worker.js';

// What every chaos scenario does around its fault: place calls, and check every call from three sides: Temporal (the
// workflow's result), Graph (the emulator's request log: one successful answer and one successful transfer per call)
// and Postgres (one CDR per call, no step recorded twice). Then the rest of the system (issue 28): every agent
// available before the fault is offered a call after it, no workflow of any type has a failing workflow task, and the
// histories written during the scenario replay.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const is2xx = (n: NotificationRecord) => n.status !== undefined && n.status >= 200 && n.status < 300;

export interface BeforeFault {
  /** The agents available before the fault: each must be offered a call after it. */
  available: string[];
  /** When the scenario began: the workflows it touched are the ones open now or closed since. */
  startedAt: Date;
}

/** Free for an offer: available, and Teams presence (as the agent's workflow last heard it) not in a call. */
const free = (view: AgentSnapshotView | string) =>
  typeof view !== 'string' &&
  view.state === 'available' &&
  (!view.presence || ['Available', 'AvailableIdle'].includes(view.presence.availability));

/** What the scenario steps use of a stack: the chaos files' (chaos-stack.ts) and the cluster's (cluster-stack.ts). */
export type ScenarioStack = Pick<ChaosStack, 'emulator' | 'client' | 'query'>;

/**
 * The scenario steps on a file's chaos stack (its fields are read when a step runs). `sweepGapMs`: the gap between the
 * calls afterFault places to reach every agent (the cluster, with more processes on the same cores, takes them slower).
 */
export function chaosScenarios(stack: ScenarioStack, opts: { sweepGapMs?: number } = {}) {
  /** How many calls this file placed: the final replay check expects at least as many call histories. */
  let placed = 0;

  /** Place `n` calls, `gapMs` apart. */
  async function placeCalls(
    n: number,
    gapMs: number,
    tag: string,
    duringPlacement?: (placed: number, callId: string) => Promise<void>,
  ): Promise<string[]> {
    const ids: string[] = [];
    if (n > 100) throw new Error(`placeCalls: at most 100 calls per tag (got ${n})`);
    for (let i = 0; i < n; i++) {
      const { callId } = await stack.emulator.placeCall({
        // A valid North American number (the emulator checks E.164 with libphonenumber-js): +1 425 555, the tag's two
        // digits and the call's two (at most 100 calls per tag).
        from: { phone: `+1425555${tag}${String(i).padStart(2, '0')}` },
      });
      ids.push(callId);
      placed++;
      await duringPlacement?.(i + 1, callId);
      if (gapMs) await sleep(gapMs);
    }
    return ids;
  }

  const result = (callId: string, timeoutMs = 120_000): Promise<CallSummary> =>
    callResult(stack.client, callId, timeoutMs);

  function succeeded(callId: string, action: string): number {
    return stack.emulator.requests.filter(
      (r) => r.path.endsWith(`/${callId}/${action}`) && r.status >= 200 && r.status < 300,
    ).length;
  }

  function notifications(callId: string): NotificationRecord[] {
    return stack.emulator.getCall(callId)!.history.filter((h) => h.kind === 'notification') as NotificationRecord[];
  }

  /** CDRs of these calls, once every one is written with an outcome. */
  async function cdrs(ids: string[], timeoutMs = 90_000) {
    return eventually(
      async () => {
        const rows = await stack
          .query<{ id: string; outcome: string | null; agent_id: string | null; queue: string | null }>(
            'select id, outcome, agent_id, queue from call where id = any($1)',
            [ids],
          )
          .catch(() => []);
        return rows.length === ids.length && rows.every((r) => r.outcome) ? rows : undefined;
      },
      `CDRs of ${ids.length} calls`,
      timeoutMs,
    );
  }

  /** (call, event type) pairs that were recorded more than once, among steps that happen once per call. */
  async function duplicatedSteps(ids: string[]): Promise<{ call_id: string; type: string; n: number }[]> {
    return stack.query(
      `select call_id, type, count(*)::int as n from call_event
        where call_id = any($1) and type in ('incoming', 'answered', 'connected', 'outcome', 'state:established', 'state:terminated')
        group by call_id, type having count(*) > 1`,
      [ids],
    );
  }

  /** Everything a correct run of connected calls shows; returns the figures for the report. */
  async function expectAllConnected(ids: string[], label: string) {
    const summaries = await Promise.all(ids.map((id) => result(id)));
    const outcomes = summaries.map((s) => s.outcome);
    // A call that did not connect: its last steps go into the failure message, to say why.
    const others = ids.filter((_, i) => outcomes[i] !== 'connected');
    const why = others.length
      ? JSON.stringify(
          await stack
            .query('select call_id, seq, type, payload from call_event where call_id = any($1) order by call_id, seq', [
              others,
            ])
            .then(
              (rows) => rows.filter((r, i) => rows.slice(i + 1).filter((n) => n.call_id === r.call_id).length < 8),
              (err: unknown) => String(err),
            ),
        )
      : '';
    expect(outcomes, `${label}: outcomes ${why}`).toEqual(ids.map(() => 'connected'));
    const answers = ids.map((id) => succeeded(id, 'answer'));
    const transfers = ids.map((id) => succeeded(id, 'transfer'));
    expect(answers, `${label}: successful answers per call`).toEqual(ids.map(() => 1));
    expect(transfers, `${label}: successful transfers per call`).toEqual(ids.map(() => 1));
    // The agent Graph transferred to is the one the workflow and the CDR name.
    for (const [i, id] of ids.entries()) {
      const transfer = stack.emulator.requests
        .filter((r) => r.path.endsWith(`/${id}/transfer`) && r.status < 300)
        .at(-1)!;
      expect(transfer.body).toMatchObject({ transferTarget: { identity: { user: { id: summaries[i]!.agentId } } } });
    }
    const rows = await cdrs(ids);
    expect(rows.map((r) => r.outcome)).toEqual(ids.map(() => 'connected'));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(ids.map((id) => byId.get(id)?.agent_id)).toEqual(summaries.map((s) => s.agentId));
    const dups = await duplicatedSteps(ids);
    expect(dups, `${label}: steps recorded twice`).toEqual([]);
    const figures = {
      scenario: label,
      calls: ids.length,
      connected: outcomes.filter((o) => o === 'connected').length,
      answerRequests: ids.reduce(
        (n, id) => n + stack.emulator.requests.filter((r) => r.path.endsWith(`/${id}/answer`)).length,
        0,
      ),
      transferRequests: ids.reduce(
        (n, id) => n + stack.emulator.requests.filter((r) => r.path.endsWith(`/${id}/transfer`)).length,
        0,
      ),
      cdrs: rows.length,
      duplicateSteps: dups.length,
    };
    console.log(`chaos ${JSON.stringify(figures)}`);
    return figures;
  }

  /** The workflow code the replays run, bundled once for every check. */
  let replayBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
  const workflowBundle = () => (replayBundle ??= bundleWorkflows());

  /**
   * Before a scenario's fault: every agent is available (a previous scenario left none stuck), and which they are.
   */
  async function beforeFault(label: string): Promise<BeforeFault> {
    const startedAt = new Date();
    let states: Record<string, string> = {};
    const available = await eventually(
      async () => {
        states = await agentStates(stack.client, AGENTS);
        const free = AGENTS.filter((a) => states[a] === 'available');
        return free.length === AGENTS.length ? free : undefined;
      },
      `every agent available before ${label}`,
      30_000,
    ).catch(() => {
      throw new Error(
        `${label}: agents not available before the fault: ${JSON.stringify(Object.entries(states).filter(([, s]) => s !== 'available'))}`,
      );
    });
    return { available, startedAt };
  }

  let sweeps = 0;

  /**
   * After a scenario, its fault over (from `faultOverAt`, an index into the emulator's request log):
   * - every agent available before the fault is offered a call after it. For those the scenario's own calls did not
   *   ring, calls are placed, as many as there are such agents once they are free: round robin offers each call to the
   *   next free agent after the last one offered, so these reach them (should the turn be elsewhere, another round, up
   *   to 2 × AGENTS.length calls in all). An agent whose workflow is stuck is never rung, however many calls come;
   * - no workflow of any type has a failing workflow task, and the open workflows replay (workflowTaskProblems).
   */
  async function afterFault(label: string, before: BeforeFault, faultOverAt: number) {
    const rungAfter = () => agentsRungSince(stack.emulator.requests, faultOverAt);
    const notOffered = () => before.available.filter((a) => !rungAfter().has(a));
    const notOfferedByScenario = notOffered().length;
    let placedForAgents = 0;
    let rounds = 0;
    while (notOffered().length > 0 && placedForAgents < 2 * AGENTS.length) {
      const waiting = notOffered();
      await eventually(
        async () => (Object.values(await agentViews(stack.client, waiting)).every(free) ? true : undefined),
        'agents free',
        30_000,
      ).catch(
        () => undefined, // one that never is: the calls go to the others, and the check below names it
      );
      const ids = await placeCalls(
        Math.min(waiting.length, 2 * AGENTS.length - placedForAgents),
        opts.sweepGapMs ?? 100,
        String(10 + (sweeps++ % 90)),
      );
      placedForAgents += ids.length;
      rounds++;
      await expectAllConnected(ids, `${label}: calls after the fault`);
    }
    const never = notOffered();
    // What their workflows say now, and what Graph says of them, to tell why.
    const views = never.length
      ? JSON.stringify(
          Object.entries(await agentViews(stack.client, never)).map(([id, view]) => ({
            id,
            view,
            graph: stack.emulator.getAgent(id),
          })),
        )
      : '';
    // Soft: the workflow task check below runs too, and may say why.
    expect
      .soft(never, `${label}: agents available before the fault and never offered a call after it ${views}`)
      .toEqual([]);

    const started = Date.now();
    const { problems, check, closedRuns } = await workflowTaskProblems(stack.client, {
      since: before.startedAt,
      workflowBundle: await workflowBundle(),
    });
    expect(problems, `${label}: workflows with a failing workflow task, or whose history does not replay`).toEqual([]);
    const figures = {
      scenario: label,
      agentsAvailableBefore: before.available.length,
      offeredAfter: rungAfter().size,
      offeredByScenarioCalls: before.available.length - notOfferedByScenario,
      callsPlacedForAgents: placedForAgents,
      rounds,
      openReplayed: check.replayed,
      closedRunsScanned: closedRuns,
      workflowTaskCheckMs: Date.now() - started,
    };
    console.log(`chaos ${JSON.stringify(figures)}`);
    return figures;
  }

  return {
    placeCalls,
    /** How many calls placeCalls placed in this file. */
    callsPlaced: () => placed,
    result,
    succeeded,
    notifications,
    cdrs,
    duplicatedSteps,
    expectAllConnected,
    workflowBundle,
    beforeFault,
    afterFault,
  };
}

/**
 * The two tests that end a chaos file, inside its describe after the scenarios: every workflow history the file's
 * stack produced replays on the current code with no failing workflow task (at least one call history per call placed,
 * every agent's, the queue's and the presence poller's), and no child process logged an unhandled rejection (of at
 * least `processesStarted`, the processes the file's scenarios start).
 */
export function chaosClosingChecks(
  stack: Pick<ChaosStack, 'client' | 'spawned'>,
  scenarios: Pick<ReturnType<typeof chaosScenarios>, 'workflowBundle' | 'callsPlaced'>,
  processesStarted: number,
): void {
  it('every workflow history the suite produced replays on the current code, and no workflow task failed', async () => {
    const started = Date.now();
    const { problems, check } = await everyHistoryProblems(stack.client, {
      workflowBundle: await scenarios.workflowBundle(),
    });
    expect(problems, 'workflows with a failing workflow task, or whose history does not replay').toEqual([]);
    // A check that found nothing (the wrong server, no histories) must not pass.
    expect(check.replayed.callWorkflow ?? 0, 'call histories').toBeGreaterThanOrEqual(scenarios.callsPlaced());
    expect(check.replayed.agentWorkflow ?? 0, 'agent histories').toBeGreaterThanOrEqual(AGENTS.length);
    expect(check.replayed.queueWorkflow ?? 0, 'queue histories').toBeGreaterThan(0);
    expect(check.replayed.presencePollerWorkflow ?? 0, 'presence poller histories').toBeGreaterThan(0);
    console.log(
      `chaos ${JSON.stringify({ scenario: 'every history', replayed: check.replayed, ms: Date.now() - started })}`,
    );
  }, 300_000);

  it('the processes stayed healthy: no unhandled rejection in any child', () => {
    const logs = stack.spawned.map((p) => p.output()).join('\n');
    expect(logs).not.toMatch(/unhandled ?rejection/i);
    expect(stack.spawned.length).toBeGreaterThanOrEqual(processesStarted);
  });
}
