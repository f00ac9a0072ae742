import { condition, proxyActivities } from '@temporalio/workflow';
import { callPatched } from './call-patches.js';
import type { CallRecord, RecordActivities, TimelineEntry } from '../src/contracts/activities/records.js';
import { localDispatch } from './call-dispatch.js';
import { MILESTONE_BATCHES_PATCH } from './patches.js';
import { INLINE_WRITE, writeInlineFirst } from './inline-write.js';
import { proxyLocalActivitiesInOrder } from './local-activities.js';

const { recordCall } = proxyActivities<RecordActivities>({
  startToCloseTimeout: '15s',
  // Postgres being away must never lose a record: keep retrying until it is back. Routing does not wait for it.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});
/** The same write inside the workflow task that reached the milestone (CALL_LOCAL_GRAPH_PATCH; `writeInlineFirst`). */
const { recordCall: recordCallInline } = proxyLocalActivitiesInOrder<RecordActivities>(INLINE_WRITE);

/**
 * The CDR fields that dashboards read while a call is in progress (the queue rollups' triggers: queue, queued_at,
 * connected_at, outcome; the call explorer: those and the agent): a change to one of them is written at once.
 * `answeredAt` makes the call visible as soon as it is answered. The end (`endedAt`, the result codes) goes with the
 * outcome, which the workflow sets as soon as the flow has returned; an offer (`offeredAt`, `agentId`) rings for
 * seconds and goes with what ends it; `waitSeconds`, tags and data go with the next milestone or the last write.
 */
const MILESTONES: readonly (keyof CallRecord)[] = ['answeredAt', 'queue', 'queuedAt', 'connectedAt', 'outcome'];

/**
 * Timeline entries written at once too: a voicemail recording has begun, the call's last step, which a supervisor
 * looking for a message finds on the timeline.
 */
const MILESTONE_EVENTS: ReadonlySet<string> = new Set(['recordingStarted']);

/** Pending timeline entries that are written without waiting for a milestone (a long menu, a long wait in queue). */
export const MAX_PENDING_EVENTS = 50;
/** Entries per write. */
const BATCH_EVENTS = 100;

/**
 * Keeps the call's CDR and timeline and writes them to Postgres in the background, in order, in batches.
 * Each entry gets its sequence number here, in deterministic workflow code, which makes the write idempotent.
 *
 * A write is one `recordCall` carrying the whole record and the pending entries; one write at a time, so writes land
 * in order. It happens when the CDR reaches a milestone (above), when `MAX_PENDING_EVENTS` entries are waiting, and on
 * `close()`. It is tried as a local activity first (calls with local dispatch) and otherwise made by the activity,
 * which retries until Postgres is back, so nothing is lost while it is away.
 */
export class CallRecorder {
  readonly record: CallRecord;
  private pending: TimelineEntry[] = [];
  private dirty = true;
  /** A milestone was reached since the last write began. */
  private due = false;
  private seq = 0;
  private closed = false;
  private readonly batched: boolean;
  /** Writes try a local activity first (runs with local dispatch, which also write in milestone batches). */
  private readonly inline: boolean;
  private readonly done: Promise<void>;
  /** Work the call does not wait for but its last write does (the survey's answers, SURVEY_WRITE_AFTER_CALL_PATCH). */
  private readonly alongside: Promise<void>[] = [];

  constructor(record: CallRecord) {
    this.record = record;
    // Decided once, for the whole call: a call keeps the write policy it started with.
    this.batched = callPatched(MILESTONE_BATCHES_PATCH);
    this.inline = this.batched && localDispatch();
    this.done = this.batched ? this.runBatched() : this.run();
  }

  event(type: string, payload?: unknown): void {
    if (this.batched && MILESTONE_EVENTS.has(type)) this.due = true;
    this.pending.push({
      seq: ++this.seq,
      type,
      at: new Date().toISOString(),
      ...(payload === undefined ? {} : { payload }),
    });
  }

  set(patch: Partial<CallRecord>): void {
    if (!this.due && MILESTONES.some((k) => k in patch && patch[k] !== this.record[k])) this.due = true;
    Object.assign(this.record, patch);
    this.dirty = true;
  }

  /**
   * Keep the workflow open until `work` ends, without anyone waiting for it meanwhile: the caller is hung up while
   * it runs. It may still add to the timeline (a write that failed for good), so `close()` waits for it first.
   */
  beside(work: Promise<void>): void {
    this.alongside.push(work);
  }

  /** Stop accepting work and wait until everything is in Postgres. */
  async close(): Promise<void> {
    // Nothing is awaited when nothing runs beside the call: calls without a survey close exactly as before.
    if (this.alongside.length > 0) await Promise.all(this.alongside);
    this.closed = true;
    await this.done;
  }

  /** Before MILESTONE_BATCHES_PATCH: a write whenever anything is pending (kept as it was, for replay). */
  private async run(): Promise<void> {
    for (;;) {
      await condition(() => this.pending.length > 0 || this.dirty || this.closed);
      if (this.pending.length === 0 && !this.dirty) return; // closed and drained
      const events = this.pending.splice(0, BATCH_EVENTS);
      this.dirty = false;
      await recordCall({ record: { ...this.record }, events });
    }
  }

  private async runBatched(): Promise<void> {
    for (;;) {
      await condition(() => this.due || this.pending.length >= MAX_PENDING_EVENTS || this.closed);
      // Let the rest of this workflow task's work run first, so what follows a milestone at once (the call ends,
      // its outcome is set and the recorder closed) goes into the same write instead of the next one.
      await afterThisPass();
      if (this.pending.length === 0 && !this.dirty) {
        if (this.closed) return; // closed and drained
        this.due = false;
        continue;
      }
      this.due = false;
      const events = this.pending.splice(0, BATCH_EVENTS);
      this.dirty = false;
      // The call's last write says where its timeline ends (recordCall: a lost workflow task's entries beyond it go).
      const last = this.closed && this.pending.length === 0;
      await writeInlineFirst(this.inline ? recordCallInline : undefined, recordCall, {
        record: { ...this.record },
        events,
        ...(last ? { timelineEnd: this.seq } : {}),
      });
    }
  }
}

/**
 * Resolves once the workflow code that is runnable now has run: on the next evaluation of blocked conditions, which
 * the SDK makes only after the microtasks queued before it have settled. No command, no timer: it replays the same.
 */
function afterThisPass(): Promise<void> {
  let asked = false;
  return condition(() => {
    if (asked) return true;
    asked = true;
    return false;
  });
}
