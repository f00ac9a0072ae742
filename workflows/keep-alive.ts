import { condition } from '@temporalio/workflow';
import { failureDetails, graph, type CallSession } from './call-session.js';

/** call-keepalive.md: "We recommend that you send a request in shorter time intervals (every 15 minutes)". */
export const KEEPALIVE_DEFAULT_SECONDS = 15 * 60;

/**
 * Keeps the workflow's Graph calls up while it runs: Graph ends a call that gets no POST …/keepAlive within 45
 * minutes of its start or of the previous one (call-keepalive.md), and a queue may hold a caller for longer, a
 * callback's leg too. Every `intervalSeconds` (a workflow timer, so deterministic and skipped in time-skipping tests)
 * each call the session holds gets one. A failed keepAlive is recorded and tried again on the next tick (three tries
 * fit in the window at the default interval). Returns once `over()` holds.
 */
export async function keepCallsAlive(
  session: CallSession,
  intervalSeconds: number,
  over: () => boolean,
): Promise<void> {
  const every = Math.max(1, intervalSeconds) * 1000;
  while (!(await condition(over, every))) {
    for (const callId of session.heldCalls()) {
      if (over()) return;
      try {
        const result = await graph.keepAlive({ callId });
        // A call Graph says has ended, whose end we have not heard of: ask where it stands (its notification was lost).
        if (result === 'gone' && callId === session.callId && !session.terminated) await session.refreshFromGraph();
      } catch (err) {
        session.recorder.event('keepAliveFailed', {
          ...(callId !== session.callId ? { legCallId: callId } : {}),
          ...failureDetails(err),
        });
      }
    }
  }
}
