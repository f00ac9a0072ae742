import { condition } from '@temporalio/workflow';
import { answerActivity, failureDetails, graph, ESTABLISH_WAIT } from '../call-session.js';
import type { CallContext } from './context.js';
import { HOLD_MUSIC } from './hold-music.js';

/**
 * The answer verb: the call workflow runs it first of all, and the runtime before any verb that needs the caller on
 * the line; only the first use answers.
 */
export async function answerVerb(ctx: CallContext): Promise<'failed' | 'hungUp' | 'established'> {
  if (ctx.answered) return ctx.session.terminated ? 'hungUp' : 'established';
  ctx.answered = true;
  return ctx.verb('answer', undefined, async () => {
    try {
      await answerActivity.answerCall({
        callId: ctx.callId,
        callbackUri: ctx.callbackUri,
        preFetchUris: [ctx.promptUri(HOLD_MUSIC)],
      });
    } catch (err) {
      ctx.recorder.event('answerFailed', failureDetails(err));
      ctx.outcome = 'failed';
      // The caller is gone as far as this call is concerned: every later verb returns at once.
      ctx.session.applyState('terminated');
      return 'failed';
    }
    ctx.recorder.set({ answeredAt: new Date().toISOString() });
    ctx.recorder.event('answered');
    if (!(await condition(() => ctx.session.state === 'established' || ctx.session.terminated, ESTABLISH_WAIT))) {
      await ctx.session.refreshFromGraph();
    }
    // Key presses reach us only after subscribing; every menu and gather relies on it.
    if (!ctx.session.terminated) {
      await graph
        .subscribeToTone({ callId: ctx.callId, clientContext: 'tones' })
        .catch((err: unknown) => ctx.recorder.event('toneSubscriptionFailed', failureDetails(err)));
    }
    return ctx.session.terminated ? 'hungUp' : 'established';
  });
}
