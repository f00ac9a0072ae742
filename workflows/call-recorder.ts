import { condition, proxyActivities } from '@temporalio/workflow';
import type { CallRecord, RecordActivities, TimelineEntry } from '../activities/index.js';

const { recordCall } = proxyActivities<RecordActivities>({
  startToCloseTimeout: '15s',
  // Postgres being away must never lose a record: keep retrying until it is back. Routing does not wait for it.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Keeps the call's CDR and timeline and writes them to Postgres in the background, in order, in batches.
 * Each entry gets its sequence number here, in deterministic workflow code, which makes the write idempotent.
 */
export class CallRecorder {
  readonly record: CallRecord;
  private pending: TimelineEntry[] = [];
  private dirty = true;
  private seq = 0;
  private closed = false;
  private readonly done: Promise<void>;

  constructor(record: CallRecord) {
    this.record = record;
    this.done = this.run();
  }

  event(type: string, payload?: unknown): void {
    this.pending.push({ seq: ++this.seq, type, at: new Date().toISOString(), ...(payload === undefined ? {} : { payload }) });
  }

  set(patch: Partial<CallRecord>): void {
    Object.assign(this.record, patch);
    this.dirty = true;
  }

  /** Stop accepting work and wait until everything is in Postgres. */
  async close(): Promise<void> {
    this.closed = true;
    await this.done;
  }

  private async run(): Promise<void> {
    for (;;) {
      await condition(() => this.pending.length > 0 || this.dirty || this.closed);
      if (this.pending.length === 0 && !this.dirty) return; // closed and drained
      const events = this.pending.splice(0, 100);
      this.dirty = false;
      await recordCall({ record: { ...this.record }, events });
    }
  }
}
