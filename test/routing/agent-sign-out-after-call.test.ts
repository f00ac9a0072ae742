import { describe, expect, it } from 'vitest';
import { AgentState } from '../../workflows/agent/state.js';

// A sign-out (the admin API, `switchboard agents set`) that reaches an agent while they are reserved for an offer or
// on a call. It was dropped without a word, so the agent was available after the call and offered the next one; now it
// is kept and applied where the offer or the call leaves them free (patch agent-sign-out-after-call).

const T0 = Date.parse('2026-12-07T10:00:00.000Z');

function reservedAgent(): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0 + 1000);
  return a;
}
const outcome = { reservationId: 'r1', wrapUpSeconds: 5, missesBeforeAway: 3 };
const rows = (a: AgentState) => a.pending.map((r) => `${r.state}:${r.reason}`);

describe('a sign-out asked for during an offer or a call', () => {
  it('signs the agent out when the offer ends without them, not available', () => {
    const a = reservedAgent();
    a.setAvailability('signedOut', 'manual', T0 + 2000);
    expect(a.s.state).toBe('reserved');
    a.offerOutcome({ ...outcome, outcome: 'missed' }, T0 + 3000);
    expect(rows(a).slice(-2)).toEqual(['reserved:offer', 'signedOut:manual']);
    expect(a.s.afterCall).toBeUndefined();
  });

  it('signs the agent out after the call’s wrap-up, which they still get', () => {
    const a = reservedAgent();
    a.offerOutcome({ ...outcome, outcome: 'connected', endReported: true }, T0 + 2000);
    a.setAvailability('signedOut', 'manual', T0 + 3000);
    expect(a.s.state).toBe('onCall');
    a.callEnded(T0 + 10_000);
    expect(a.s.state).toBe('wrapUp');
    a.tick(T0 + 15_000);
    expect(rows(a).slice(-3)).toEqual(['onCall:connected', 'wrapUp:callEnded', 'signedOut:manual']);
  });

  it('is taken back by an available asked for before the call ends; an away asked for is kept like a sign-out', () => {
    const back = reservedAgent();
    back.setAvailability('signedOut', 'manual', T0 + 2000);
    back.setAvailability('available', 'manual', T0 + 2500);
    back.offerOutcome({ ...outcome, outcome: 'cancelled' }, T0 + 3000);
    expect(back.s.state).toBe('available');

    const away = reservedAgent();
    away.setAvailability('away', 'lunch', T0 + 2000);
    away.offerOutcome({ ...outcome, outcome: 'cancelled' }, T0 + 3000);
    expect(rows(away).at(-1)).toBe('away:lunch');
  });

  it('in a run from before the patch, is dropped as it was', () => {
    const a = reservedAgent();
    a.keepsAskForAfterCall = () => false;
    a.setAvailability('signedOut', 'manual', T0 + 2000);
    a.offerOutcome({ ...outcome, outcome: 'cancelled' }, T0 + 3000);
    expect(a.s.state).toBe('available');
  });
});
