import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AgentState } from '../../workflows/agent/state.js';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { startAgentWorkflows, testQueue } from '../helpers/routing.js';
import { eventually } from '../helpers/eventually.js';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import {
  agentAvailabilitySignal,
  agentCallEndedSignal,
  agentOfferOutcomeSignal,
  agentStateQuery,
  agentWorkflowId,
  reserveUpdate,
} from '../../src/contracts/agent.js';
import { AGENT_KEPT_ASK_REPLACED_PATCH } from '../../workflows/patches.js';

// A sign-out (or away) asked for during a call is kept for the end of its wrap-up (agent-sign-out-after-call). Found
// in review: the agent's next ask, made in the wrap-up, did not replace it. An `available` there ("ready again") ended
// the wrap-up early and then became the kept sign-out. Now any ask in the wrap-up replaces the kept one (patch
// agent-kept-ask-replaced).

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const outcome = { reservationId: 'r1', wrapUpSeconds: 60, missesBeforeAway: 3 };
const rows = (a: AgentState) => a.pending.map((r) => `${r.state}:${r.reason}`);

/** An agent on a conference call who asked to sign out (kept), then the call ends: in a 60 s wrap-up. */
function inWrapUpWithSignOutKept(): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0 + 1000);
  a.offerOutcome({ ...outcome, outcome: 'connected', endReported: true }, T0 + 2000);
  a.setAvailability('signedOut', 'manual', T0 + 3000);
  a.callEnded(T0 + 10_000, undefined, 'r1');
  expect(a.s.state).toBe('wrapUp');
  expect(a.s.afterCall).toEqual({ state: 'signedOut', reason: 'manual' });
  return a;
}

describe('an ask made in the wrap-up, after a sign-out kept from the call', () => {
  it('available: the agent is available, not signed out, and stays so after the wrap-up would have ended', () => {
    const a = inWrapUpWithSignOutKept();
    a.setAvailability('available', 'ready', T0 + 20_000);
    expect(rows(a).slice(-2)).toEqual(['wrapUp:callEnded', 'available:ready']);
    expect(a.s.afterCall).toBeUndefined();
    a.tick(T0 + 80_000);
    expect(a.s.state).toBe('available');
  });

  it('away: the agent is away with their own reason, not signed out', () => {
    const a = inWrapUpWithSignOutKept();
    a.setAvailability('away', 'lunch', T0 + 20_000);
    expect(rows(a).at(-1)).toBe('away:lunch');
    expect(a.s.afterCall).toBeUndefined();
  });

  it('in a run from before the patch, the kept sign-out still wins, as it did', () => {
    const a = inWrapUpWithSignOutKept();
    a.newAskReplacesKept = () => false;
    a.setAvailability('available', 'ready', T0 + 20_000);
    expect(rows(a).at(-1)).toBe('signedOut:manual');
  });

  it('with nothing kept, the patch is not asked and the wrap-up ends as before', () => {
    const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
    a.setQueues(() => (a.s.configured = ['q']), T0);
    a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0 + 1000);
    a.offerOutcome({ ...outcome, outcome: 'connected', endReported: true }, T0 + 2000);
    a.callEnded(T0 + 10_000, undefined, 'r1');
    let asked = 0;
    a.newAskReplacesKept = () => ++asked > 0;
    a.setAvailability('available', 'ready', T0 + 20_000);
    expect(asked).toBe(0);
    expect(rows(a).at(-1)).toBe('available:ready');
  });
});

let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

describe('the agent workflow, a sign-out asked for on a conference call, then available in the wrap-up', () => {
  it('leaves the agent available (the run asks the patch) and its history replays', async () => {
    const TASK_QUEUE = 'agent-kept-ask-replaced';
    const AGENT = 'c6e1f3a2-0000-4000-8000-000000000001';
    const worker = await createTestWorker(env, {
      taskQueue: TASK_QUEUE,
      activities: { async publishAgentState() {}, async recordAgentState() {} },
    });
    const agent = env.client.workflow.getHandle(agentWorkflowId(AGENT));
    const state = () => agent.query(agentStateQuery);
    await worker.runUntil(async () => {
      await startAgentWorkflows(env.client, TASK_QUEUE, { sales: testQueue('sales', [AGENT]) });
      await eventually(async () => ((await state()).state === 'available' ? true : undefined), 'signed in');
      const req = { reservationId: 'r1', queue: 'sales', callWorkflowId: 'call-r1', callId: 'r1', leaseSeconds: 60 };
      await agent.executeUpdate(reserveUpdate, { args: [req] });
      await agent.signal(agentOfferOutcomeSignal, { ...outcome, outcome: 'connected', endReported: true });
      await agent.signal(agentAvailabilitySignal, { state: 'signedOut', reason: 'manual' });
      await eventually(async () => ((await state()).pendingAvailability === 'signedOut' ? true : undefined), 'kept');
      await agent.signal(agentCallEndedSignal, { reservationId: 'r1' });
      await eventually(async () => ((await state()).state === 'wrapUp' ? true : undefined), 'in wrap-up');
      await agent.signal(agentAvailabilitySignal, { state: 'available', reason: 'ready' });
      await eventually(async () => ((await state()).state === 'available' ? true : undefined), 'available again');
      expect((await state()).pendingAvailability).toBeUndefined();
    });
    const markers = ((await agent.fetchHistory()).events ?? []).flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) =>
        (p.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString('utf8')),
      ),
    );
    expect(markers.some((m) => m.includes(AGENT_KEPT_ASK_REPLACED_PATCH))).toBe(true);
    const check = await checkHistories(env.client, { query: `TaskQueue = '${TASK_QUEUE}'` });
    expect(describeProblems(check)).toEqual([]);
    expect(check.replayed).toEqual({ agentWorkflow: 1 });
  });
});
