/**
 * A `callEnded` names the reservation (the call) whose talk ended. One that comes late, after the agent has taken
 * another call (a retried signal, a transfer's first leg, a call workflow reset and replayed), must not end the talk
 * the agent is in now: it is ignored, and logged with the reservation ids only (patch agent-call-end-own-reservation).
 * The shipped care line (ra-care: the support queue by conference, Adele first) on the time-skipping server; the
 * simulated Graph. The late signal is sent by the test, as a retried one from the first call's workflow would be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowTest, type SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { agentBecomes } from '../helpers/agent-becomes.js';
import type { ActivityFunction } from '../../devkit/flow-testing/options.js';
import { queues } from '../../flows/index.js';
import {
  agentCallEndedSignal,
  agentStateQuery,
  agentWorkflowId,
  type AgentPublication,
  type AgentStateName,
  type AgentStateRow,
} from '../../src/contracts/agent.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { decodeHistoryPayloads } from '../../src/temporal/history-codec.js';
import { AgentState } from '../../workflows/agent/state.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const [adele, alex] = queues.support!.agents as [string, string];

/** Adele's state changes as her workflow wrote them. */
const rows: AgentStateRow[] = [];
const spies = (own: Readonly<Record<string, ActivityFunction>>): Record<string, ActivityFunction> => ({
  async recordAgentState(w: Pick<AgentPublication, 'agentId' | 'changes' | 'live'>) {
    if (w.agentId === adele) rows.push(...w.changes);
    return own.recordAgentState!(w);
  },
});

let t: FlowTest;
beforeAll(async () => {
  t = await FlowTest.start({ activities: spies });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const adeleWorkflow = () => t.env.client.workflow.getHandle(agentWorkflowId(adele));
const agentState = () => adeleWorkflow().query(agentStateQuery);

const adeleBecomes = (state: AgentStateName) => agentBecomes(t, adele, state);

/** A caller on the care line, put through to Adele by conference; with the reservation she is on call under. */
async function talkingToAdele(from: string): Promise<{ caller: SimulatedCaller; reservationId: string }> {
  await adeleBecomes('available');
  const caller = await t.call({ dial: 'ra-care', from });
  for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
  expect(t.graph.eventTypes(caller.callId)).toContain('conferenced');
  await adeleBecomes('onCall');
  const { reservation } = await agentState();
  expect(reservation?.callId).toBe(caller.callId);
  return { caller, reservationId: reservation!.reservationId };
}

/** The reservation each `callEnded` that reached this agent's workflow named ('none' for one that named none). */
async function callEndsNamed(agentId: string): Promise<string[]> {
  const codec = ephemeralDataConverter().payloadCodecs![0]!;
  const history = await t.env.client.workflow.getHandle(agentWorkflowId(agentId)).fetchHistory();
  const { events } = await decodeHistoryPayloads(history, codec);
  return (events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes)
    .filter((a) => a?.signalName === 'callEnded')
    .map((a) => {
      const data = a!.input?.payloads?.[0]?.data ?? new Uint8Array();
      const { reservationId } = JSON.parse(Buffer.from(data).toString('utf8')) as { reservationId?: string };
      return reservationId ?? 'none';
    });
}

const rowsFor = (callId: string) => rows.filter((r) => r.callId === callId).map((r) => [r.state, r.reason]);

describe('a callEnded for an earlier call, while the agent talks on the next one (FlowTest)', () => {
  it('leaves the current talk alone; the talk ends when its own call reports it', async () => {
    const first = await talkingToAdele('+14255550194');
    await t.graph.conference.callerLeaves(first.caller.callId);
    await first.caller.result();

    const second = await talkingToAdele('+14255550195');
    expect(second.reservationId).not.toBe(first.reservationId);
    // The first call's end, again: as a signal retried after its first delivery, or a reset call workflow re-sends it.
    const lateAt = new Date((await t.now()).getTime() - 60_000).toISOString();
    await adeleWorkflow().signal(agentCallEndedSignal, { reservationId: first.reservationId, at: lateAt });
    await t.wait('2m'); // longer than the support queue's wrap-up: an ended talk would be over by now
    expect(await agentState()).toMatchObject({ state: 'onCall', reservation: { reservationId: second.reservationId } });
    expect(rowsFor(second.caller.callId)).toEqual([
      ['reserved', 'offer'],
      ['onCall', 'connected'],
    ]);

    const leftAt = (await t.now()).getTime();
    await t.graph.conference.callerLeaves(second.caller.callId);
    await second.caller.result();
    await adeleBecomes('available');
    expect(rowsFor(second.caller.callId)).toEqual([
      ['reserved', 'offer'],
      ['onCall', 'connected'],
      ['wrapUp', 'callEnded'],
    ]);
    const wrapUp = rows.find((r) => r.callId === second.caller.callId && r.state === 'wrapUp')!;
    expect(wrapUp.at).toBeGreaterThanOrEqual(leftAt); // from the roster's end of this talk, not the late signal's time
  });

  it('every sender names the reservation: the conference’s end, a transfer’s leaving agent and the colleague', async () => {
    const before = await callEndsNamed(adele);
    const { caller, reservationId: adeles } = await talkingToAdele('+14255550196');
    // Blind to a colleague (workflows/flow/warm-transfer.ts): Adele leaves at once, Alex is rung and put through.
    await t.transfer(caller.callId, { agentId: alex }, { by: adele, blind: true });
    for (let i = 0; i < 30 && (await agentState()).state === 'onCall'; i++) await caller.waits('2s');
    const alexState = () => t.env.client.workflow.getHandle(agentWorkflowId(alex)).query(agentStateQuery);
    for (let i = 0; i < 30 && (await alexState()).state !== 'onCall'; i++) await caller.waits('2s');
    const alexes = (await alexState()).reservation?.reservationId;
    expect(alexes).toMatch(/^transfer-/);
    await t.graph.conference.callerLeaves(caller.callId);
    await caller.result();
    await adeleBecomes('available');
    expect(before).not.toContain('none'); // the conferences of the test before
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect((await callEndsNamed(adele)).slice(before.length)).toEqual([adeles]);
    expect(await callEndsNamed(alex)).toEqual([alexes]);
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(() => t.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});

// The rules without Temporal (workflows/agent/state.ts).
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function onCall(reservationId: string, endReported: boolean): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.reserve({ reservationId, queue: 'q', callWorkflowId: 'call-y', callId: 'y' }, T0);
  // A call whose end presence tells (not a conference): Teams shows the agent in the call.
  if (!endReported) a.presence({ availability: 'Busy', activity: 'InACall' }, T0);
  a.offerOutcome(
    { reservationId, outcome: 'connected', wrapUpSeconds: 5, missesBeforeAway: 3, at: iso(0), endReported },
    T0,
  );
  return a;
}

describe('callEnded in the agent’s state machine', () => {
  it('for another reservation: ignored while on call (conference or not), and said so', () => {
    for (const endReported of [true, false]) {
      const a = onCall('r2', endReported);
      expect(a.s.state).toBe('onCall');
      expect(a.callEnded(T0 + 5000, iso(4000), 'r1')).toBe('otherCall');
      expect(a.s.state).toBe('onCall');
    }
  });

  it('for another reservation while reserved: not kept for this one (agrees with the early end)', () => {
    const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
    a.setQueues(() => (a.s.configured = ['q']), T0);
    a.reserve({ reservationId: 'r2', queue: 'q', callWorkflowId: 'call-y', callId: 'y' }, T0);
    expect(a.callEnded(T0 + 500, iso(400), 'r1')).toBe('otherCall');
    expect(a.s.endedEarly).toBeUndefined();
    expect(a.callEnded(T0 + 600, iso(600), 'r2')).toBeUndefined();
    expect(a.s.endedEarly).toEqual({ reservationId: 'r2', at: iso(600) });
  });

  it('for the current reservation, or naming none (a call from before reservation ids, presence): ends the talk', () => {
    const own = onCall('r2', true);
    expect(own.callEnded(T0 + 5000, iso(4000), 'r2')).toBeUndefined();
    expect(own.pending.at(-1)).toMatchObject({ state: 'wrapUp', reason: 'callEnded', at: T0 + 4000 });
    const unnamed = onCall('r2', true);
    unnamed.callEnded(T0 + 5000, iso(4000));
    expect(unnamed.s.state).toBe('wrapUp');
  });

  it('asks the patch only when it decides, and in a run from before it ends the talk as it did', () => {
    let asked = 0;
    const a = onCall('r2', true);
    a.ignoresOtherCallsEnd = () => (asked++, false);
    a.callEnded(T0 + 5000, iso(4000), 'r2');
    expect(asked).toBe(0);
    const b = onCall('r2', true);
    b.ignoresOtherCallsEnd = () => (asked++, false);
    expect(b.callEnded(T0 + 5000, iso(4000), 'r1')).toBeUndefined();
    expect(asked).toBe(1);
    expect(b.s.state).toBe('wrapUp');
  });
});
