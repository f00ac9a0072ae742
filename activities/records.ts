import type { MikroORM } from '@mikro-orm/postgresql';
import { Call, type CallOutcome } from '../src/db/entities/call.js';
import { CallEvent } from '../src/db/entities/call-event.js';

/** The CDR as the call workflow keeps it; timestamps are ISO strings (workflow time). */
export interface CallRecord {
  callId: string;
  workflowId: string;
  fromKind?: string;
  fromId?: string;
  fromName?: string;
  toId?: string;
  queue?: string;
  agentId?: string;
  outcome?: CallOutcome;
  waitSeconds?: number;
  endCode?: number;
  endSubcode?: number;
  arrivedAt: string;
  answeredAt?: string;
  queuedAt?: string;
  offeredAt?: string;
  connectedAt?: string;
  endedAt?: string;
}

export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  payload?: unknown;
}

const date = (s: string | undefined): Date | undefined => (s ? new Date(s) : undefined);

/** Postgres writes: one EntityManager fork per activity, one transaction per batch, idempotent on retry. */
export function createRecordActivities(orm: MikroORM) {
  return {
    async recordCall(input: { record: CallRecord; events: TimelineEntry[] }): Promise<void> {
      const { record, events } = input;
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        // The workflow sends the whole record each time, so an upsert of every field is idempotent and a
        // retried or re-ordered batch can never move the record backwards.
        await tx.upsert(
          Call,
          {
            id: record.callId,
            workflowId: record.workflowId,
            fromKind: record.fromKind,
            fromId: record.fromId,
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
            .ignore()
            .execute();
        }
      });
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
