import type { MikroORM } from '@mikro-orm/postgresql';
import { Call } from '../src/db/entities/call.js';
import { CallEvent } from '../src/db/entities/call-event.js';
import { callsTotal } from '../src/metrics.js';
import { normalisePhoneNumber } from '../src/phone/number.js';
import type { CallRecord, RecordActivities, TimelineEntry } from '../src/contracts/activities/records.js';

const date = (s: string | undefined): Date | undefined => (s ? new Date(s) : undefined);

/**
 * A phone caller's number in the CDR as E.164, whatever form Graph gave it in (`14255550100`, `+1 425…`): one form per
 * number, so searching by caller, repeat-caller counts and privacy requests find every call of a number. Anything
 * that is not a number (anonymous, a Teams user's id) is kept as it came.
 */
function cdrNumber(kind: string | undefined, id: string | undefined): string | undefined {
  return kind === 'phone' && id ? (normalisePhoneNumber(id) ?? id) : id;
}

/** Postgres writes: one EntityManager fork per activity, one transaction per batch, idempotent on retry. */
export function createRecordActivities(orm: MikroORM): RecordActivities {
  return {
    /**
     * `timelineEnd`, on the call's last write, is its last entry's sequence number. Entries are keyed by (call, seq),
     * and a write made inside a workflow task (a local activity) can come from a task that never completed: the
     * server lost its completion (a Temporal restart) and the next attempt, with more of the call's history, numbered
     * the entries differently. So an entry is replaced by a later write of its number, and the last write removes
     * any numbered beyond the call's end.
     */
    async recordCall(input: { record: CallRecord; events: TimelineEntry[]; timelineEnd?: number }): Promise<void> {
      const { record, events } = input;
      const em = orm.em.fork();
      let ended = false;
      await em.transactional(async (tx) => {
        if (record.outcome) {
          // The workflow sends the outcome with every batch after the call ended, and a batch may be retried, even
          // run twice at once: count the call once, in the transaction that first stores an outcome. The lock makes
          // concurrent writes of one call take turns.
          const [prior] = await tx.execute<{ outcome: string | null }[]>(
            'select pg_advisory_xact_lock(hashtextextended(?, 0)), (select outcome from call where id = ?) as outcome',
            [`call:${record.callId}`, record.callId],
          );
          ended = (prior?.outcome ?? null) === null;
        }
        // The workflow sends the whole record each time, so an upsert of every field is idempotent and a
        // retried or re-ordered batch can never move the record backwards.
        await tx.upsert(
          Call,
          {
            id: record.callId,
            workflowId: record.workflowId,
            fromKind: record.fromKind,
            fromId: cdrNumber(record.fromKind, record.fromId),
            fromName: record.fromName,
            toId: record.toId,
            queue: record.queue,
            agentId: record.agentId,
            outcome: record.outcome,
            waitSeconds: record.waitSeconds,
            endCode: record.endCode,
            endSubcode: record.endSubcode,
            arrivedAt: new Date(record.arrivedAt),
            answeredAt: date(record.answeredAt),
            queuedAt: date(record.queuedAt),
            offeredAt: date(record.offeredAt),
            connectedAt: date(record.connectedAt),
            endedAt: date(record.endedAt),
            connectedBy: record.connectedBy,
            talkEndedAt: date(record.talkEndedAt),
            talkEndedBy: record.talkEndedBy,
            segments: record.segments,
            flow: record.flow,
            tags: record.tags ?? [],
            data: record.data ?? {},
            updatedAt: new Date(),
          },
          { onConflictFields: ['id'] },
        );
        if (events.length > 0) {
          await tx
            .createQueryBuilder(CallEvent)
            .insert(
              events.map((e) => ({
                callId: record.callId,
                seq: e.seq,
                type: e.type,
                at: new Date(e.at),
                payload: e.payload ?? null,
              })),
            )
            .onConflict(['callId', 'seq'])
            .merge(['type', 'at', 'payload'])
            .execute();
        }
        if (input.timelineEnd !== undefined) {
          await tx.nativeDelete(CallEvent, { callId: record.callId, seq: { $gt: input.timelineEnd } });
        }
      });
      if (ended && record.outcome) callsTotal.inc({ outcome: record.outcome });
    },
  };
}
