import { describe, expect, it } from 'vitest';
import { AgentState, CALL_CHECK_MS } from '../../workflows/agent/state.js';

// A conference's call workflow signals the agent `connected` and then, when the roster shows the talk over, `callEnded`:
// two signals that need not arrive in order. Since a conference's end comes only from its call workflow (endReported),
// an end that overtook its `connected` and was dropped left the agent on call for good (patch agent-early-call-end).

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function reservedAgent(): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0 + 1000);
  return a;
}
const connected = { reservationId: 'r1', outcome: 'connected' as const, wrapUpSeconds: 5, missesBeforeAway: 3 };
const states = (a: AgentState) => a.pending.map((r) => [r.state, new Date(r.at).toISOString()]);

describe('a call’s end that overtakes its connected outcome', () => {
  it('is kept, and the connected outcome goes straight to wrap-up from the reported end, then available', () => {
    const a = reservedAgent();
    a.callEnded(T0 + 9000, iso(8000), 'r1');
    expect(a.s.state).toBe('reserved');
    a.offerOutcome({ ...connected, at: iso(3000), endReported: true }, T0 + 9100);
    a.tick(T0 + 13_000);
    expect(states(a).slice(-3)).toEqual([
      ['onCall', iso(3000)],
      ['wrapUp', iso(8000)],
      ['available', iso(13_000)],
    ]);
    expect(a.s.endedEarly).toBeUndefined();
  });

  it('is not taken from another reservation’s call: the agent is on call until their own call ends', () => {
    const a = reservedAgent();
    a.callEnded(T0 + 2000, iso(1500), 'r0');
    a.offerOutcome({ ...connected, at: iso(3000), endReported: true }, T0 + 3100);
    expect(a.s.state).toBe('onCall');
    // Nothing ends it by time but the check on the call's workflow, 10 minutes into the talk.
    expect(a.nextTimer(T0 + 3100)).toBe(3000 + CALL_CHECK_MS - 3100);
    a.callEnded(T0 + 30_000, iso(29_000), 'r1');
    expect(a.s.state).toBe('wrapUp');
  });

  it('in a run from before the patch, is dropped as it was', () => {
    const a = reservedAgent();
    a.keepsEarlyEnd = () => false;
    a.callEnded(T0 + 9000, iso(8000), 'r1');
    a.offerOutcome({ ...connected, at: iso(3000), endReported: true }, T0 + 9100);
    expect(a.s.state).toBe('onCall');
  });
});
