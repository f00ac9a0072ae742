import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * POST /api/subscriptions: Graph change notifications for `/subscriptions` (not calling callbacks).
 * - Validation handshake: Graph POSTs `?validationToken=…` and expects it back, decoded, as text/plain within 10 s.
 * - Notifications: each item's `clientState` must equal the secret we gave when subscribing; others are dropped.
 * Any 2xx counts as delivered for Graph, so a bad item never makes the whole batch retry.
 */
export function subscriptionsWebhook(opts: { clientState?: string; logger: Logger }) {
  return (req: Request, res: Response): void => {
    const token = req.query.validationToken;
    if (typeof token === 'string') {
      res.status(200).type('text/plain').send(token);
      return;
    }
    const body = req.body as { value?: unknown } | undefined;
    if (!body || typeof body !== 'object' || !Array.isArray(body.value)) {
      res
        .status(400)
        .json({ error: { code: 'BadRequest', message: 'body must be a change notification collection with value[]' } });
      return;
    }
    let accepted = 0;
    for (const item of body.value as { clientState?: unknown; resource?: unknown; changeType?: unknown }[]) {
      if (opts.clientState && typeof item?.clientState === 'string' && safeEqual(item.clientState, opts.clientState)) {
        accepted++;
        opts.logger.info({ resource: item.resource, changeType: item.changeType }, 'change notification');
      } else {
        opts.logger.warn({ resource: item?.resource }, 'change notification with a wrong clientState dropped');
      }
    }
    res.status(202).json({ accepted, dropped: body.value.length - accepted });
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
