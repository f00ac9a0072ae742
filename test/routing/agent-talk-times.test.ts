import { describe, expect, it } from 'vitest';
import { AgentState, CALL_CHECK_MS } from '../../workflows/agent/state.js';
import type { TeamsPresence } from '../../src/contracts/agent.js';

// The agent's talk interval from the times the call workflow reports (issue 24, point 2; patch agent-talk-times): the
// onCall row at Graph's connect (the CDR's connected_at) and, in a conference, the wrapUp row at the roster's end of
// talk (talk_ended_at), not when the signals were handled; a conference's talk is not ended by presence.

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const inCall: TeamsPresence = { availability: 'Busy', activity: 'InACall' };
const free: TeamsPresence = { availability: 'Available', activity: 'Available' };

function reservedAgent(): AgentState {
  const a = new AgentState('a1', 'a1:run', 20_000, undefined, T0);
  a.setQueues(() => (a.s.configured = ['q']), T0);
  a.presence(free, T0);
  a.reserve({ reservationId: 'r1', queue: 'q', callWorkflowId: 'call-x', callId: 'x' }, T0 + 1000);
  return a;
}
const connected = (extra: { at?: string; endReported?: boolean }) => ({
  reservationId: 'r1',
  outcome: 'connected' as const,
  wrapUpSeconds: 5,
  missesBeforeAway: 3,
  ...extra,
});
const rows = (a: AgentState) => a.pending.map((r) => [r.state, new Date(r.at).toISOString()]);

describe('agent talk times reported by the call', () => {
  it('conference: onCall at the connect, wrapUp at the roster’s end; presence does not end the talk', () => {
    const a = reservedAgent();
    a.offerOutcome(connected({ at: iso(3000), endReported: true }), T0 + 3040);
    a.presence(inCall, T0 + 4000);
    // The agent's Teams shows them free (they left), before the call's callEnded signal arrives: still on call.
    a.presence(free, T0 + 60_100);
    expect(a.s.state).toBe('onCall');
    // No presence-lag timer: the only one is the check on the call's workflow, 10 minutes into the talk.
    expect(a.nextTimer(T0 + 60_100)).toBe(3000 + CALL_CHECK_MS - 60_100);
    a.callEnded(T0 + 60_250, iso(60_000));
    a.tick(T0 + 65_000);
    expect(rows(a).slice(-3)).toEqual([
      ['onCall', iso(3000)],
      ['wrapUp', iso(60_000)],
      ['available', iso(65_000)],
    ]);
    expect(a.s.handleSeconds).toBe(62);
  });

  it('a reported time is kept within the agent’s timeline: not before its current state, not after now', () => {
    const a = reservedAgent();
    a.offerOutcome(connected({ at: iso(500), endReported: true }), T0 + 3000); // before the reservation at 1000
    a.callEnded(T0 + 9000, iso(20_000)); // after the signal's handling
    expect(rows(a).slice(-2)).toEqual([
      ['onCall', iso(1000)],
      ['wrapUp', iso(9000)],
    ]);
  });

  it('without reported times (calls from before the patch), the signals’ handling and presence decide, as before', () => {
    const a = reservedAgent();
    a.offerOutcome(connected({}), T0 + 3040);
    a.presence(inCall, T0 + 4000);
    a.presence(free, T0 + 60_100);
    expect(rows(a).slice(-2)).toEqual([
      ['onCall', iso(3040)],
      ['wrapUp', iso(60_100)],
    ]);
  });
});
