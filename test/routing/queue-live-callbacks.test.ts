/**
 * Issue 27, point 3: the queue's live row (queue_live, the wallboard's "Longest current wait") gives the oldest
 * caller on hold. A callback keeps the caller's place in line with its first enqueue time (it waits in the count,
 * and is offered in that order), but nobody is on hold for it, so between its attempts it is not the longest wait.
 * Runs started before QUEUE_LIVE_HOLD_ONLY_PATCH keep the old row.
 */
import { describe, expect, it } from 'vitest';
import { QueueState } from '../../workflows/queue/state.js';
import { testQueue } from '../helpers/routing.js';

function queueWithCallbackAndCaller(holdOnly: boolean): QueueState {
  const q = new QueueState(testQueue('q', ['a1']));
  q.oldestOnHoldOnly = holdOnly;
  // Staffed (on another call), so both wait.
  q.agentStatus({ agentId: 'a1', state: 'onCall', idleSince: 0, since: 0, member: true });
  // The callback was queued at 1,000 ms (its caller hung up long ago); the caller on hold at 50,000 ms.
  q.enqueue({ callWorkflowId: 'call-cb', callId: 'cb', enqueuedAt: 1_000, callback: true });
  q.enqueue({ callWorkflowId: 'call-hold', callId: 'hold', enqueuedAt: 50_000 });
  return q;
}

describe('the live row’s longest wait', () => {
  it('is the oldest caller on hold, not a callback keeping its place', () => {
    const q = queueWithCallbackAndCaller(true);
    expect(q.live()).toMatchObject({ callsWaiting: 2, oldestWaitingSince: 50_000 });
    // The callback keeps its place in line: it is still offered first.
    expect(q.ordered().map((w) => w.callWorkflowId)).toEqual(['call-cb', 'call-hold']);
    // With only the callback left, nobody is on hold: no longest wait, one call waiting.
    q.leave('call-hold');
    expect(q.live()).toMatchObject({ callsWaiting: 1, oldestWaitingSince: null });
  });

  it('keeps the old row in runs that started before the change', () => {
    expect(queueWithCallbackAndCaller(false).live()).toMatchObject({ callsWaiting: 2, oldestWaitingSince: 1_000 });
  });
});
