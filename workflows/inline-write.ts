import type { LocalActivityOptions } from '@temporalio/workflow';

/**
 * A Postgres write as a local activity: one attempt of at most 2 s, inside the workflow task that has the data. When
 * Postgres is up that costs no activity task and no workflow task for the result (issue 9); when it is away the
 * attempt fails fast and `writeInlineFirst` hands the write to the ordinary activity.
 */
export const INLINE_WRITE: LocalActivityOptions = { startToCloseTimeout: '2s', retry: { maximumAttempts: 1 } };

/**
 * Write through `inline` (a local activity with INLINE_WRITE) when given, and through `durable` (an ordinary activity
 * retried until Postgres is back) when there is no inline write or it failed: nothing is lost while Postgres is away,
 * and routing waits for one short failed attempt at most. Callers write one at a time, so writes stay in order.
 */
export async function writeInlineFirst<W>(
  inline: ((w: W) => Promise<void>) | undefined,
  durable: (w: W) => Promise<void>,
  write: W,
): Promise<void> {
  const written =
    inline !== undefined &&
    (await inline(write).then(
      () => true,
      () => false,
    ));
  if (!written) await durable(write);
}
