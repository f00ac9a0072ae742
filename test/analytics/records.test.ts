import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/infra/embedded-postgres.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { migrate, openDatabase, type MikroORM } from '../../src/db/orm.js';
import { createRecordActivities } from '../../activities/records.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';
import { AgentStateChange } from '../../src/db/entities/agent-state.js';
import { createAgentActivities } from '../../activities/agents.js';

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

  it("replaces what a workflow task that never completed wrote with the next attempt's timeline", async () => {
    // Found by the chaos test's Temporal restart: a call's last write ran as a local activity inside a workflow task
    // whose completion the server lost. The next attempt of that task had another notification in its history, so it
    // numbered its entries differently, and the call's outcome was on its timeline twice.
    const { recordCall } = createRecordActivities(orm);
    const at = '2026-11-28T09:01:00.000Z';
    const types = async (callId: string) =>
      (await orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } })).map((r) => `${r.seq} ${r.type}`);
    const start = [
      { seq: 1, type: 'incoming', at },
      { seq: 2, type: 'answered', at },
    ];

    // The next attempt has one entry more: each number the lost task wrote is replaced.
    const longer = { ...record, callId: 'rec-3', workflowId: 'call-rec-3', outcome: 'connected' as const, endedAt: at };
    await recordCall({ record: longer, events: start });
    await recordCall({
      record: longer,
      events: [
        { seq: 3, type: 'state:terminated', at },
        { seq: 4, type: 'outcome', at },
      ],
      timelineEnd: 4,
    });
    await recordCall({
      record: longer,
      events: [
        { seq: 3, type: 'leg:state:established', at },
        { seq: 4, type: 'state:terminated', at },
        { seq: 5, type: 'outcome', at },
      ],
      timelineEnd: 5,
    });
    expect(await types('rec-3')).toEqual([
      '1 incoming',
      '2 answered',
      '3 leg:state:established',
      '4 state:terminated',
      '5 outcome',
    ]);

    // The next attempt has one entry fewer: what the lost task numbered beyond the call's end goes.
    const shorter = { ...longer, callId: 'rec-4', workflowId: 'call-rec-4' };
    await recordCall({ record: shorter, events: start });
    await recordCall({
      record: shorter,
      events: [
        { seq: 3, type: 'leg:state:established', at },
        { seq: 4, type: 'state:terminated', at },
        { seq: 5, type: 'outcome', at },
      ],
      timelineEnd: 5,
    });
    await recordCall({
      record: shorter,
      events: [
        { seq: 3, type: 'state:terminated', at },
        { seq: 4, type: 'outcome', at },
      ],
      timelineEnd: 4,
    });
    expect(await types('rec-4')).toEqual(['1 incoming', '2 answered', '3 state:terminated', '4 outcome']);
  });

  it('refuses an outcome that is not one of the documented ones', async () => {
    const { recordCall } = createRecordActivities(orm);
    await expect(
      recordCall({
        record: { ...record, callId: 'rec-2', workflowId: 'call-rec-2', outcome: 'lost' as never },
        events: [],
      }),
    ).rejects.toThrow(/call_outcome_check/);
  });
});

describe('agent state records', () => {
  it("replaces a change that a lost workflow task wrote under a key with the next attempt's", async () => {
    // The agent's workflow numbers its changes too (key = run:seq) and writes them in a local activity first.
    const { recordAgentState } = createAgentActivities({
      client: undefined as never,
      taskQueue: 'unused',
      orm,
      queues: {},
    });
    const agentId = 'a0000000-0000-4000-8000-000000000301';
    const change = { key: 'agent-run-1:7', agentId, at: Date.parse('2026-11-28T09:02:00.000Z') };
    await recordAgentState({
      agentId,
      changes: [{ ...change, state: 'reserved', queue: 'support', callId: 'lost-call' }],
      live: { state: 'reserved', since: change.at, callId: 'lost-call' },
    });
    await recordAgentState({
      agentId,
      changes: [{ ...change, state: 'reserved', queue: 'sales', callId: 'real-call' }],
      live: { state: 'reserved', since: change.at, callId: 'real-call' },
    });
    const rows = await orm.em.fork().find(AgentStateChange, { agentId });
    expect(rows.map((r) => [r.key, r.state, r.queue, r.callId])).toEqual([
      ['agent-run-1:7', 'reserved', 'sales', 'real-call'],
    ]);
  });
});
