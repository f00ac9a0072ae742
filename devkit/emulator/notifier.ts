/**
 * Delivers calling notifications to the bot the way Graph does: JSON POSTs wrapped in
 * commsNotifications, signed with a bearer JWT, with the calling platform's headers.
 * Notifications of one call are delivered strictly in order (one queue per call); a failed
 * delivery is recorded and logged, and not retried (Graph documents no retry for calling callbacks) unless the
 * `redelivery` setting asks for it.
 */
import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import type { KeyRing } from './tokens.js';
import type { NotificationRecord } from './types.js';

export interface CommsNotification {
  '@odata.type': '#microsoft.graph.commsNotification';
  changeType: 'created' | 'updated' | 'deleted';
  resource: string;
  resourceUrl: string;
  resourceData: Record<string, unknown>;
}

export interface NotifierOptions {
  keys: KeyRing;
  logger: pino.Logger;
  /** Called once per notification after its delivery attempt. */
  onDelivered: (callId: string, record: NotificationRecord) => void;
  timeoutMs?: number;
  /** Re-POST a notification that got no 2xx, up to `attempts` more times, `delayMs` apart. Default: never. */
  redelivery?: { attempts: number; delayMs: number };
}

const MAX_REDIRECTS = 3;

export class Notifier {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(private readonly opts: NotifierOptions) {}

  /** Queues a notification for a call; resolves with its record once delivered (or failed). */
  enqueue(
    call: { id: string; callChainId: string; scenarioId: string },
    url: string,
    notification: CommsNotification,
    copies = 1,
  ): Promise<NotificationRecord> {
    const previous = this.queues.get(call.id) ?? Promise.resolve();
    // Duplicates (a real-world quirk) go out concurrently, as separate POSTs of the same notification.
    const delivery = previous.then(
      async () => (await Promise.all(Array.from({ length: copies }, () => this.deliver(call, url, notification))))[0]!,
    );
    const tail = delivery.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(call.id, tail);
    void tail.then(() => {
      if (this.queues.get(call.id) === tail) this.queues.delete(call.id);
    });
    return delivery;
  }

  /** Resolves when every queued notification has been attempted. */
  async drain(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.inFlight) c.abort();
  }

  private async deliver(
    call: { id: string; callChainId: string; scenarioId: string },
    url: string,
    notification: CommsNotification,
  ): Promise<NotificationRecord> {
    const retries = Math.max(0, Math.floor(this.opts.redelivery?.attempts ?? 0));
    // Every attempt carries the same message id, as a redelivery would.
    const messageId = randomUUID();
    let record = await this.attempt(call, url, notification, messageId);
    let attempts = 1;
    while (
      attempts <= retries &&
      !this.stopped &&
      !(record.status !== undefined && record.status >= 200 && record.status <= 299)
    ) {
      await new Promise((resolve) => setTimeout(resolve, this.opts.redelivery!.delayMs));
      if (this.stopped) break;
      this.opts.logger.info(
        { callId: call.id, attempt: attempts + 1, summary: record.summary },
        'redelivering notification',
      );
      record = await this.attempt(call, url, notification, messageId);
      attempts++;
    }
    record.attempts = attempts;
    this.opts.onDelivered(call.id, record);
    return record;
  }

  /** One POST of a notification (following redirects). */
  private async attempt(
    call: { id: string; callChainId: string; scenarioId: string },
    url: string,
    notification: CommsNotification,
    messageId: string,
  ): Promise<NotificationRecord> {
    const body = { '@odata.type': '#microsoft.graph.commsNotifications', value: [notification] };
    const data = notification.resourceData;
    const record: NotificationRecord = {
      at: new Date().toISOString(),
      url,
      messageId,
      changeType: notification.changeType,
      resourceUrl: notification.resourceUrl,
      summary: String(data['state'] ?? data['status'] ?? ''),
      body,
    };
    if (this.stopped) {
      record.error = 'emulator stopped';
    } else {
      const controller = new AbortController();
      this.inFlight.add(controller);
      const timer = setTimeout(() => controller.abort(new Error('timeout')), this.opts.timeoutMs ?? 10000);
      try {
        const token = await this.opts.keys.notificationToken();
        const payload = JSON.stringify(body);
        let target = url;
        for (let hop = 0; ; hop++) {
          const res = await fetch(target, {
            method: 'POST',
            redirect: 'manual',
            signal: controller.signal,
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json; charset=utf-8',
              Accept: 'application/json',
              'User-Agent': 'Microsoft-Skype/3.0,(Calling/1.0)',
              'X-Microsoft-Skype-Chain-ID': call.callChainId,
              'X-Microsoft-Skype-Message-ID': messageId,
              'Scenario-ID': call.scenarioId,
              'Client-Request-Id': messageId,
            },
            body: payload,
          });
          await res.arrayBuffer().catch(() => undefined);
          const location = res.headers.get('location');
          // A 302/307 with Location re-posts the notification there (region affinity).
          if ((res.status === 302 || res.status === 307) && location && hop < MAX_REDIRECTS) {
            target = new URL(location, target).toString();
            continue;
          }
          record.status = res.status;
          if (target !== url) record.url = target;
          break;
        }
        if (record.status !== undefined && (record.status < 200 || record.status > 299)) {
          this.opts.logger.warn(
            { callId: call.id, url: record.url, status: record.status, summary: record.summary },
            'notification rejected by receiver',
          );
        }
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        record.error =
          controller.signal.aborted && !this.stopped
            ? 'timeout'
            : (cause?.code ?? cause?.message ?? (e as Error).message);
        this.opts.logger.warn(
          { callId: call.id, url, err: record.error, summary: record.summary },
          'notification delivery failed',
        );
      } finally {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      }
    }
    return record;
  }
}
