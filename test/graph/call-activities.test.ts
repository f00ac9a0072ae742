import { describe, expect, it } from 'vitest';
import { attemptsWithin } from '../../workflows/call-session.js';

// A call's Graph requests are local activities (CALL_LOCAL_GRAPH_PATCH), whose retries the Core SDK does not end at
// the schedule-to-close timeout; they get the same budget as a number of attempts. test/e2e/call-e2e.test.ts shows the
// effect end to end: an answer Graph keeps refusing ends the call as failed within Graph's 15 s.
describe('the attempts of a local activity', () => {
  it('are the attempts its retry policy starts within the schedule-to-close budget', () => {
    // The answer: 0, 0.3, 0.9, 2.1, 4.5, 7.5, 10.5 and 13.5 s, all inside 14 s; the next would start at 16.5 s.
    expect(
      attemptsWithin({
        startToCloseTimeout: '5s',
        scheduleToCloseTimeout: '14s',
        retry: { initialInterval: '300ms', backoffCoefficient: 2, maximumInterval: '3s' },
      }),
    ).toBe(8);
    // Other Graph requests: 0, 0.5, 1.5, 3.5, 7.5, 15.5, then every 15 s up to 120.5 s, which is past 2 minutes.
    expect(
      attemptsWithin({
        startToCloseTimeout: '10s',
        scheduleToCloseTimeout: '2m',
        retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
      }),
    ).toBe(12);
  });

  it('keep a smaller limit of the policy, and are unlimited without a budget or a limit', () => {
    expect(
      attemptsWithin({ scheduleToCloseTimeout: '2m', retry: { initialInterval: '500ms', maximumAttempts: 3 } }),
    ).toBe(3);
    expect(
      attemptsWithin({ startToCloseTimeout: '10s', retry: { initialInterval: '500ms', maximumAttempts: 3 } }),
    ).toBe(3);
    expect(attemptsWithin({ startToCloseTimeout: '10s', retry: { initialInterval: '500ms' } })).toBeUndefined();
  });
});
