/**
 * Known answers for talk and handle time in both connect modes (issue 24, point 2), end to end: two calls run through
 * the real stack (Temporal, Postgres, the worker, the Graph emulator over HTTP) to their CDR, then the dashboards'
 * own SQL (the generated panels, as Grafana runs them, as the read-only role) is checked against figures worked out
 * here from the CDR and Graph's side:
 * - by conference, Switchboard stays in the call: the agent's talk is the CDR's, connected_at to talk_ended_at (the
 *   roster showing the agent gone), to the millisecond;
 * - by transfer, Switchboard leaves: the talk starts at the CDR's connected_at too, and ends when the agent's Teams
 *   presence shows the call over, after Graph ended it (presence lags), with no talk_ended_at in the CDR.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL, type MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import type { AnalyticsDatabase, Row } from '../helpers/analytics-db.js';
import { panelRunner, VARS, type PanelRunner } from '../helpers/dashboards.js';
import { testQueue } from '../helpers/routing.js';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';

const CONFERENCE_AGENT = 'tt-agent-conference';
const TRANSFER_AGENT = 'tt-agent-transfer';
const queueOptions = { wrapUpSeconds: 0, presenceBased: false, confirm: 'none' as const };

let stack: TestStack;
stackForFile(async () => {
  stack = await startTestStack(
    {},
    {
      queues: {
        support: testQueue('support', [CONFERENCE_AGENT], { ...queueOptions, connectBy: 'conference' }),
        sales: testQueue('sales', [TRANSFER_AGENT], { ...queueOptions, connectBy: 'transfer' }),
      },
    },
  );
  return stack;
}, 120_000);

let reader: pg.Client;
let panels: PanelRunner;
beforeAll(async () => {
  reader = new pg.Client({ connectionString: stack.databaseUrl });
  await reader.connect();
  // The panels run as Grafana runs them: as the read-only role, in a transaction rolled back after.
  const asReader = async (sql: string, params: unknown[] = []): Promise<Row[]> => {
    await reader.query('begin');
    try {
      await reader.query('set local role switchboard_reader');
      return (await reader.query(sql, params)).rows as Row[];
    } finally {
      await reader.query('rollback');
    }
  };
  panels = await panelRunner({ asReader } as unknown as AnalyticsDatabase);
});
afterAll(async () => {
  await reader?.end();
});

interface Cdr {
  agent_id: string;
  queue: string;
  connected_by: string | null;
  connected_at: Date;
  talk_ended_at: Date | null;
  talk_ended_by: string | null;
}
interface StateChange {
  state: string;
  reason: string;
  at: Date;
}

const seconds = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;

async function cdr(callId: string): Promise<Cdr> {
  const rows = await reader.query<Cdr>(
    'select agent_id, queue, connected_by, connected_at, talk_ended_at, talk_ended_by from call where id = $1',
    [callId],
  );
  return rows.rows[0]!;
}

/** The agent's state changes for one call, from their onCall on (what the metrics views are made of). */
async function changesAfter(agentId: string, from: Date): Promise<StateChange[]> {
  return (
    await reader.query<StateChange>(
      'select state, reason, at from agent_state_change where agent_id = $1 and at >= $2 order by at, id',
      [agentId, from],
    )
  ).rows;
}

/** The agent's workflow has recorded the end of their wrap-up: onCall, wrapUp and available are all in Postgres. */
const untilAvailableAgain = (agentId: string, from: Date) =>
  eventually(
    async () => {
      const changes = await changesAfter(agentId, from);
      return changes.some((c) => c.state === 'available') ? changes : undefined;
    },
    `${agentId} available again`,
    60_000,
  );

async function placeAndFinish(line: string, phone: string): Promise<string> {
  const { callId } = await stack.emulator!.placeCall({ from: { phone }, applicationInstanceId: line });
  await callResult(stack.client, callId, 90_000);
  return callId;
}

describe('talk and handle time in both connect modes, through the dashboards', () => {
  it('conference: the talk is the CDR’s to the millisecond; transfer: from connected_at to presence; panels agree', async () => {
    const startedAt = new Date(Date.now() - 60_000);
    const emulator = stack.emulator!;
    emulator.setAgent(CONFERENCE_AGENT, { onTransfer: 'accept', answerAfterMs: 100, talkMs: 4000 });
    emulator.setAgent(TRANSFER_AGENT, { onTransfer: 'accept', answerAfterMs: 100, talkMs: 4000 });
    const [conferenceCall, transferCall] = await Promise.all([
      placeAndFinish(`${BENCH_LINE_PREFIX}support`, '+14255550171'),
      placeAndFinish(`${BENCH_LINE_PREFIX}sales`, '+14255550172'),
    ]);

    // Conference: the CDR's exact times, from Graph (roster), and the agent's intervals on them exactly.
    const conf = await cdr(conferenceCall);
    expect(conf).toMatchObject({ agent_id: CONFERENCE_AGENT, connected_by: 'conference', talk_ended_by: 'agent' });
    const left = emulator.getCall(conferenceCall)!.participants!.find((p) => p.userId === CONFERENCE_AGENT)!;
    expect(conf.talk_ended_at!.getTime()).toBeGreaterThanOrEqual(Date.parse(left.leftAt!) - 5);
    const confChanges = await untilAvailableAgain(CONFERENCE_AGENT, conf.connected_at);
    expect(confChanges.map((c) => [c.state, c.reason])).toEqual([
      ['onCall', 'connected'],
      ['wrapUp', 'callEnded'],
      ['available', 'wrapUpEnded'],
    ]);
    expect(confChanges[0]!.at).toEqual(conf.connected_at);
    expect(confChanges[1]!.at).toEqual(conf.talk_ended_at);
    const confTalk = seconds(conf.connected_at, conf.talk_ended_at!);
    const confWrap = seconds(confChanges[1]!.at, confChanges[2]!.at);

    // Transfer: no talk end in the CDR; the talk starts at connected_at and ends by presence, after Graph's end.
    const xfer = await cdr(transferCall);
    expect(xfer).toMatchObject({ agent_id: TRANSFER_AGENT, connected_by: 'transfer', talk_ended_at: null });
    const xferChanges = await untilAvailableAgain(TRANSFER_AGENT, xfer.connected_at);
    expect(xferChanges.map((c) => c.state)).toEqual(['onCall', 'wrapUp', 'available']);
    expect(xferChanges[0]!.at).toEqual(xfer.connected_at);
    // Graph's side: the agent's conversation with the caller after the transfer, and when the agent ended it.
    const conversation = emulator.getCall(transferCall)!.transfer!.conversation!;
    expect(conversation.endedBy).toBe('agent');
    expect(
      xferChanges[1]!.at.getTime(),
      'the talk ends by presence, once the conversation is over in Graph',
    ).toBeGreaterThanOrEqual(Date.parse(conversation.endedAt!));
    const xferTalk = seconds(xfer.connected_at, xferChanges[1]!.at);
    const xferWrap = seconds(xferChanges[1]!.at, xferChanges[2]!.at);

    // The dashboards, over a range holding both calls.
    const ctx: MacroContext = {
      from: startedAt,
      to: new Date(Date.now() + 60_000),
      interval: '1m',
      vars: { ...VARS, queue: ['sales', 'support'], agent: ALL },
      options: { agent: [CONFERENCE_AGENT, TRANSFER_AGENT].sort() },
    };
    const agents = await panels.run('agent-performance.json', 'Agents', ctx);
    const byAgent = new Map(agents.map((r) => [r.agent_id as string, r]));
    const expectAgent = (agentId: string, talk: number, wrap: number) => {
      const r = byAgent.get(agentId)!;
      expect(Number(r.calls_handled), agentId).toBe(1);
      expect(Number(r.talk_seconds), `${agentId} talk`).toBeCloseTo(talk, 6);
      expect(Number(r.wrap_seconds), `${agentId} wrap-up`).toBeCloseTo(wrap, 6);
      expect(Number(r.aht_seconds), `${agentId} AHT`).toBeCloseTo(talk + wrap, 6);
    };
    expectAgent(CONFERENCE_AGENT, confTalk, confWrap);
    expectAgent(TRANSFER_AGENT, xferTalk, xferWrap);
    expect(await panels.value('agent-performance.json', 'Calls handled', ctx)).toBe(2);
    expect(await panels.value('agent-performance.json', 'AHT', ctx)).toBeCloseTo(
      (confTalk + confWrap + xferTalk + xferWrap) / 2,
      6,
    );
    // Queue performance: each queue's AHT is its one call's handle time (talk + wrap-up).
    const perQueue = await panels.run('queue-performance.json', 'Per queue', ctx);
    const aht = Object.fromEntries(perQueue.map((r) => [r.queue as string, Number(r.aht_seconds)]));
    expect(aht.support).toBeCloseTo(confTalk + confWrap, 6);
    expect(aht.sales).toBeCloseTo(xferTalk + xferWrap, 6);
    // Call explorer: each call says how it was put through; only the conference has a talk time of its own.
    const calls = await panels.run('call-explorer.json', 'Calls', ctx);
    const byCall = new Map(calls.map((r) => [r.id as string, r]));
    expect(byCall.get(conferenceCall)).toMatchObject({ connected_by: 'conference', talk_ended_by: 'agent' });
    expect(Number(byCall.get(conferenceCall)!.talk_seconds)).toBeCloseTo(confTalk, 6);
    expect(byCall.get(transferCall)).toMatchObject({
      connected_by: 'transfer',
      talk_seconds: null,
      talk_ended_by: null,
    });
    console.log(
      `talk-times ${JSON.stringify({ conference: { talk: confTalk, wrap: confWrap }, transfer: { talk: xferTalk, wrap: xferWrap } })}`,
    );
  });
});
