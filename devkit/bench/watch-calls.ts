import type { StepEvent } from '../emulator/types.js';
import type { BenchStack } from './bench-stack.js';

/** What the emulator logs when the bot rejects a call busy (admission control, src/server/answer-admission.ts). */
const REFUSED_BUSY = 'bot rejects (reason: busy)';

/**
 * Watch the calls in `pending` until all are over (and no more are being placed): a call is over when its CDR has an
 * outcome (written as its workflow ends), or 'undelivered' when the emulator's incoming-call notification got no 2xx
 * (our webhook answered an error or not within the emulator's 10 s): like Graph, the emulator doesn't resend calling
 * notifications, so no workflow will ever start for that call; or 'refused' when Switchboard rejected it busy
 * (admission control: no workflow either). Checked every 500 ms.
 */
export async function watchCalls(
  stack: BenchStack,
  pending: Set<string>,
  placing: () => boolean,
  onDone: (outcome: string, callId: string) => void,
): Promise<void> {
  const knex = stack.orm.em.getKnex();
  const delivered = (s?: number) => s !== undefined && s >= 200 && s <= 299;
  const deliveredIds = new Set<string>();
  const refused = new Set<string>();
  const onStep = (step: StepEvent) => {
    if (step.kind === 'call' && step.detail === REFUSED_BUSY) refused.add(step.callId);
  };
  stack.emulator.events.on('step', onStep);
  try {
    await watch();
  } finally {
    stack.emulator.events.off('step', onStep);
  }

  async function watch(): Promise<void> {
    while (placing() || pending.size > 0) {
      await new Promise((r) => setTimeout(r, 500));
      if (pending.size === 0) continue;
      for (const id of refused) {
        if (!pending.delete(id)) continue;
        refused.delete(id);
        onDone('refused', id);
      }
      if (pending.size === 0) continue;
      let rows: { id: string; outcome: string }[];
      try {
        rows = await knex('call')
          .whereIn('id', [...pending])
          .whereNotNull('outcome')
          .select('id', 'outcome');
      } catch {
        continue; // Postgres busy or briefly away: look again on the next round
      }
      for (const r of rows) {
        pending.delete(r.id);
        onDone(r.outcome, r.id);
      }
      for (const id of [...pending]) {
        // A call whose incoming notification was delivered is not looked at again: the emulator's view of a call is a
        // deep copy of its whole log, and copying every waiting call's twice a second took 3.1 of the main thread's
        // 92.5 busy seconds in a profiled run (100 waiting), charged to the calls.
        if (deliveredIds.has(id)) continue;
        const incoming = stack.emulator
          .getCall(id)
          ?.history.find((h) => h.kind === 'notification' && h.changeType === 'created');
        if (incoming && 'messageId' in incoming && delivered(incoming.status)) deliveredIds.add(id);
        if (
          incoming &&
          'messageId' in incoming &&
          (incoming.error !== undefined || (incoming.status !== undefined && !delivered(incoming.status)))
        ) {
          pending.delete(id);
          onDone('undelivered', id);
        }
      }
    }
  }
}
