import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/infra/embedded-postgres.js';
import { freePort } from '../src/infra/temporal-dev-server.js';
import { migrate, openDatabase, type MikroORM } from '../src/db/orm.js';
import { createRecordActivities } from '../activities/records.js';
import { Call } from '../src/db/entities/call.js';
import { CallEvent } from '../src/db/entities/call-event.js';

// The CDR writer against real Postgres: a retried or repeated batch must never add a row twice.
let db: EmbeddedDatabase;
let orm: MikroORM;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-records-'));
  db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  orm = await openDatabase(db.url);
  expect(await migrate(orm)).toContain('Migration20261128000000_calls');
});

afterAll(async () => {
  await orm?.close();
  await db?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('call records', () => {
  const record = {
    callId: 'rec-1',
    workflowId: 'call-rec-1',
    fromKind: 'phone',
    fromId: '+14255550100',
    arrivedAt: '2026-11-28T09:00:00.000Z',
  };

  it('writes each timeline entry once, however often a batch is retried', async () => {
    const { recordCall } = createRecordActivities(orm);
    const events = [
      { seq: 1, type: 'incoming', at: '2026-11-28T09:00:00.000Z', payload: { from: '+14255550100' } },
      { seq: 2, type: 'answered', at: '2026-11-28T09:00:00.300Z' },
    ];
    await recordCall({ record, events });
    await recordCall({ record, events }); // a retry after a lost acknowledgement
    await Promise.all([recordCall({ record, events }), recordCall({ record, events })]); // and concurrent ones

    const em = orm.em.fork();
    expect(await em.count(Call, { id: 'rec-1' })).toBe(1);
    const rows = await em.find(CallEvent, { callId: 'rec-1' }, { orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.seq, r.type])).toEqual([
      [1, 'incoming'],
      [2, 'answered'],
    ]);
    expect(rows[0]!.payload).toEqual({ from: '+14255550100' });
    expect(rows[1]!.at.toISOString()).toBe('2026-11-28T09:00:00.300Z');
  });

  it('brings the CDR up to date with each batch', async () => {
    const { recordCall } = createRecordActivities(orm);
    await recordCall({
      record: {
        ...record,
        answeredAt: '2026-11-28T09:00:00.300Z',
        queue: 'support',
        queuedAt: '2026-11-28T09:00:03.400Z',
        outcome: 'abandoned',
        waitSeconds: 42.5,
        endedAt: '2026-11-28T09:00:45.900Z',
        endCode: 200,
        endSubcode: 5002,
      },
      events: [{ seq: 3, type: 'abandoned', at: '2026-11-28T09:00:45.900Z', payload: { waitSeconds: 42.5 } }],
    });
    const call = await orm.em.fork().findOneOrFail(Call, { id: 'rec-1' });
    expect(call).toMatchObject({
      workflowId: 'call-rec-1',
      fromKind: 'phone',
      fromId: '+14255550100',
      queue: 'support',
      outcome: 'abandoned',
      waitSeconds: 42.5,
      endCode: 200,
      endSubcode: 5002,
    });
    expect(call.arrivedAt.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    expect(call.endedAt!.toISOString()).toBe('2026-11-28T09:00:45.900Z');
    expect(await orm.em.fork().count(CallEvent, { callId: 'rec-1' })).toBe(3);
  });

  it('refuses an outcome that is not one of the documented ones', async () => {
    const { recordCall } = createRecordActivities(orm);
    await expect(
      recordCall({ record: { ...record, callId: 'rec-2', workflowId: 'call-rec-2', outcome: 'lost' as never }, events: [] }),
    ).rejects.toThrow(/call_outcome_check/);
  });
});
