/**
 * A conference agent's talk ends only when their call's workflow signals `callEnded` (the roster gives the times;
 * presence does not end it). A call workflow that dies mid-conference used to leave the agent on call until an operator
 * ran `switchboard agents restart`. Now the agent asks Temporal, every 10 minutes of talk, whether that workflow still
 * runs, and a gone one ends the talk (wrap-up, reason `callWorkflowGone`; patch agent-call-workflow-gone). The shipped
 * care line (ra-care: the support queue by conference, Adele first) on the time-skipping server; the simulated Graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowTest, type SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { agentBecomes } from '../helpers/agent-becomes.js';
import type { ActivityFunction } from '../../devkit/flow-testing/options.js';
import { queues } from '../../flows/index.js';
import type { CallWorkflowStatus } from '../../src/contracts/activities/agents.js';
import {
  agentStateQuery,
  agentWorkflowId,
  type AgentPublication,
  type AgentStateName,
  type AgentStateRow,
} from '../../src/contracts/agent.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { AgentState, CALL_CHECK_MS } from '../../workflows/agent/state.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const [adele] = queues.support!.agents as [string];

/** Adele's state changes as her workflow wrote them, and what each check on a call workflow answered. */
const rows: AgentStateRow[] = [];
const checks: { workflowId: string; answer: CallWorkflowStatus }[] = [];
const spies = (own: Readonly<Record<string, ActivityFunction>>): Record<string, ActivityFunction> => ({
  async recordAgentState(w: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>) {
    if (w.agentId === adele) rows.push(...w.changes);
    return own.recordAgentState!(w);
  },
  async callWorkflowStatus(input: { workflowId: string }) {
    const answer = (await own.callWorkflowStatus!(input)) as CallWorkflowStatus;
    checks.push({ workflowId: input.workflowId, answer });
    return answer;
  },
});

let t: FlowTest;
beforeAll(async () => {
  t = await FlowTest.start({ activities: spies });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const agentState = () => t.env.client.workflow.getHandle(agentWorkflowId(adele)).query(agentStateQuery);

const adeleBecomes = (state: AgentStateName) => agentBecomes(t, adele, state);

/** A caller on the care line, put through to Adele by conference. */
async function talkingToAdele(from: string): Promise<SimulatedCaller> {
  await adeleBecomes('available');
  const caller = await t.call({ dial: 'ra-care', from });
  for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
  expect(t.graph.eventTypes(caller.callId)).toContain('conferenced');
  await adeleBecomes('onCall');
  return caller;
}

const rowsFor = (callId: string) => rows.filter((r) => r.callId === callId).map((r) => [r.state, r.reason]);

describe('an agent whose call workflow is gone mid-conference (FlowTest)', () => {
  it('a live call of 25 minutes is checked twice and not ended by it; its own end is the roster’s', async () => {
    const caller = await talkingToAdele('+14255550191');
    await t.wait('25m');
    expect(await agentState()).toMatchObject({ state: 'onCall' });
    const asked = checks.filter((c) => c.workflowId === callWorkflowId(caller.callId));
    // None before 10 minutes of talk: a call that ends sooner costs no check and no workflow task for one.
    expect(asked.map((c) => c.answer)).toEqual([
      { open: true, status: 'RUNNING' },
      { open: true, status: 'RUNNING' },
    ]);
    await t.graph.conference.callerLeaves(caller.callId);
    await caller.result(); // time passes meanwhile: the wrap-up is over too
    await adeleBecomes('available');
    expect(rowsFor(caller.callId).slice(0, 3)).toEqual([
      ['reserved', 'offer'],
      ['onCall', 'connected'],
      ['wrapUp', 'callEnded'],
    ]);
  });

  it('a call workflow terminated mid-conference: 10 minutes into the talk the agent goes to wrap-up, then available', async () => {
    const caller = await talkingToAdele('+14255550192');
    await t.env.client.workflow
      .getHandle(callWorkflowId(caller.callId))
      .terminate('test: the call workflow dies mid-conference');
    const terminatedAt = await t.now();
    await t.wait('5m');
    expect(await agentState()).toMatchObject({ state: 'onCall' }); // no check before 10 minutes of talk
    await t.wait('6m');
    await adeleBecomes('available');
    const asked = checks.filter((c) => c.workflowId === callWorkflowId(caller.callId));
    expect(asked.map((c) => c.answer.status)).toEqual(['TERMINATED']);
    // The talk ended at the workflow's close, the latest it can have lasted; the wrap-up from then is long over.
    const gone = rows.find((r) => r.callId === caller.callId && r.state === 'wrapUp')!;
    expect(gone.reason).toBe('callWorkflowGone');
    expect(Math.abs(gone.at - terminatedAt.getTime())).toBeLessThan(5_000);
    expect(rows.filter((r) => r.at >= gone.at).map((r) => [r.state, r.reason])).toEqual([
      ['wrapUp', 'callWorkflowGone'],
      ['available', 'wrapUpEnded'],
    ]);
    // Adele takes the next call as usual.
    const next = await talkingToAdele('+14255550193');
    await t.graph.conference.callerLeaves(next.callId);
    await next.result();
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(() => t.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});

// The rules without Temporal (workflows/agent/state.ts).
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
function onConferenceCall(): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0);
  a.offerOutcome(
    {
      reservationId: 'r1',
      outcome: 'connected',
      wrapUpSeconds: 5,
      missesBeforeAway: 3,
      at: new Date(T0).toISOString(),
      endReported: true,
    },
    T0,
  );
  return a;
}

describe('the call check in the agent’s state machine', () => {
  it('is due every 10 minutes of talk while the call workflow runs; an answer that did not come waits for the next', () => {
    const a = onConferenceCall();
    expect(a.nextTimer(T0)).toBe(CALL_CHECK_MS);
    expect(a.callToCheck(T0 + CALL_CHECK_MS - 1)).toBeUndefined();
    expect(a.callToCheck(T0 + CALL_CHECK_MS)?.callWorkflowId).toBe('call-x');
    expect(a.callChecked('r1', { open: true, status: 'RUNNING' }, T0 + CALL_CHECK_MS)).toBe(false);
    expect(a.nextTimer(T0 + CALL_CHECK_MS)).toBe(CALL_CHECK_MS);
    expect(a.callChecked('r1', undefined, T0 + 2 * CALL_CHECK_MS)).toBe(false);
    expect(a.s.state).toBe('onCall');
  });

  it('a workflow not found ends the talk now; an answer about a call that has already ended changes nothing', () => {
    const a = onConferenceCall();
    expect(a.callChecked('r1', { open: false, status: 'NOT_FOUND' }, T0 + CALL_CHECK_MS)).toBe(true);
    expect(a.pending.at(-1)).toMatchObject({ state: 'wrapUp', reason: 'callWorkflowGone', at: T0 + CALL_CHECK_MS });
    expect(a.callChecked('r1', { open: false, status: 'NOT_FOUND' }, T0 + CALL_CHECK_MS)).toBe(false);
    const b = onConferenceCall();
    b.callEnded(T0 + 60_000, undefined, 'r1');
    expect(b.callChecked('r1', { open: false, status: 'COMPLETED' }, T0 + CALL_CHECK_MS)).toBe(false);
    expect(b.pending.at(-1)).toMatchObject({ state: 'wrapUp', reason: 'callEnded' });
  });

  it('in a run from before the patch, no timer and no check, as before', () => {
    const a = onConferenceCall();
    a.checksCallWorkflow = () => false;
    expect(a.nextTimer(T0)).toBeUndefined();
    expect(a.callToCheck(T0 + 3 * CALL_CHECK_MS)).toBeUndefined();
  });
});
