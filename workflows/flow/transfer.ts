import { condition } from '@temporalio/workflow';
import { failureDetails, graph, ESTABLISH_WAIT, TRANSFER_MAX } from '../call-session.js';
import type { TransferResult, TransferTarget } from './api.js';
import type { CallContext } from './context.js';
import { transferTakenBefore } from './transfer-taken.js';

/** The transfer verb: a blind transfer to a Teams user or a number, or a wait in another queue. */
export function transferVerb(ctx: CallContext, to: TransferTarget): Promise<TransferResult> {
  const { session, recorder } = ctx;
  return ctx.verb('transfer', to, async (): Promise<TransferResult> => {
    if (session.terminated) return { outcome: 'hungUp' };
    if ('queue' in to) {
      const result = await ctx.call.queue(to.queue, to.priority !== undefined ? { priority: to.priority } : {});
      return { outcome: 'queued', result };
    }
    const target = 'user' in to ? { userId: to.user } : { phone: to.phone };
    // transferAccepted is never reset: see the consultative transfer in flow/offer.ts.
    session.transferFailed = false;
    try {
      await graph.transferCallTo({ callId: ctx.callId, target, clientContext: 'transfer' });
      if (
        !(await condition(() => session.transferAccepted || session.transferFailed || session.terminated, TRANSFER_MAX))
      ) {
        await session.refreshFromGraph();
      }
    } catch (err) {
      const details = failureDetails(err);
      recorder.event('transferFailed', details);
      if (!(await transferTakenBefore(session))) return { outcome: 'failed', reason: String(details.error) };
    }
    if (session.transferAccepted) {
      if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await session.refreshFromGraph();
      ctx.outcome = 'transferredOut';
      return { outcome: 'transferred' };
    }
    if (session.terminated) return { outcome: 'hungUp' };
    return { outcome: 'failed', reason: session.resultInfo?.message ?? 'the transfer was not accepted' };
  });
}
