/**
 * Connect by conference (issue 24, point 1), end to end: Temporal, Postgres, the worker and the Graph emulator over
 * HTTP. A queue with `connectBy: 'conference'` rings the agent; once they answer, their ring is moved into the
 * caller's call by participants/invite with replacesCallId (participant-invite.md, example 3), and Switchboard stays
 * in the call until the roster shows the agent or the caller gone. The same call through a `transfer` queue is the
 * baseline the Graph requests are counted against (docs/routing.md).
 */
import { describe, expect, it } from 'vitest';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';
import type { RecordedRequest } from '../../devkit/emulator/types.js';
import { callResult, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { testQueue } from '../helpers/routing.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';

// The load tests' lines (flows/flows.ts): straight into the queue named.
const CONFERENCE_LINE = `${BENCH_LINE_PREFIX}support`;
const TRANSFER_LINE = `${BENCH_LINE_PREFIX}sales`;
const queueOptions = { wrapUpSeconds: 0, presenceBased: false, confirm: 'none' as const, method: 'serial' as const };
let stack: TestStack;
stackForFile(async () => {
  stack = await startTestStack(
    {},
    {
      queues: {
        support: testQueue('support', ['cc-agent-1', 'cc-agent-2'], { ...queueOptions, connectBy: 'conference' }),
        sales: testQueue('sales', ['cc-agent-3'], queueOptions),
      },
    },
  );
  return stack;
}, 120_000);

const timeline = async (callId: string) => stack.orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } });
const cdr = (callId: string) => stack.orm.em.fork().findOneOrFail(Call, { id: callId });

/** The Graph requests made for one caller: on their call and on the rings placed for it. */
function requestsFor(callId: string): RecordedRequest[] {
  const emulator = stack.emulator!;
  const legs = new Set(
    emulator.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/communications/calls') && r.status === 201)
      .filter((r) => String((r.body as { callbackUri?: string }).callbackUri).includes(encodeURIComponent(callId)))
      .map((r) => r.callId),
  );
  return emulator.requests.filter((r) => r.callId === callId || legs.has(r.callId));
}

const operationOf = (r: RecordedRequest) =>
  `${r.method} ${r.path
    .replace(/^\/v1\.0/, '')
    .replace(/\/calls\/[^/]+/, '/calls/{id}')
    .replace(/\/participants\/(?!invite)[^/]+/, '/participants/{pid}')}`;

describe('connect by conference', () => {
  it('the agent joins the caller’s call by invite, Switchboard stays until the agent leaves, then ends the call', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent('cc-agent-1', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 3000 });
    const { callId } = await emulator.placeCall({
      from: { phone: '+14255550150' },
      applicationInstanceId: CONFERENCE_LINE,
    });
    const summary = await callResult(stack.client, callId, 60_000);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: 'cc-agent-1' });

    // Graph's side: one invite replacing the ring, no transfer; the ring ended, the caller's call became a group call.
    const ops = requestsFor(callId).map(operationOf);
    expect(ops).toContain('POST /communications/calls/{id}/participants/invite');
    expect(ops.some((o) => o.endsWith('/transfer'))).toBe(false);
    const invite = requestsFor(callId).find((r) => r.path.endsWith('/participants/invite'))!;
    const ringId = (invite.body as { participants: { replacesCallId: string }[] }).participants[0]!.replacesCallId;
    expect(emulator.getCall(ringId)).toMatchObject({ state: 'terminated' });
    const call = emulator.getCall(callId)!;
    expect(call.participants!.map((p) => p.role)).toEqual(['caller', 'bot', 'agent']);
    const agent = call.participants!.find((p) => p.role === 'agent')!;
    expect(agent.leftAt).toBeDefined();
    // The bot hung up after the agent left (call-delete.md: 200/5001), not before.
    expect(call.resultInfo).toMatchObject({ code: 200, subcode: 5001 });
    expect(Date.parse(call.endedAt!)).toBeGreaterThanOrEqual(Date.parse(agent.leftAt!));

    // Switchboard's side: the timeline says how it went; the roster never carries the caller's number.
    const events = await timeline(callId);
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['conferenceInviting', 'conferenced', 'connected', 'conferenceEnded']),
    );
    expect(events.find((e) => e.type === 'conferenceEnded')!.payload).toMatchObject({
      agentId: 'cc-agent-1',
      endedBy: 'agent',
    });
    const rosters = events.filter((e) => e.type === 'participants');
    expect(rosters.length).toBeGreaterThan(0);
    expect(JSON.stringify(rosters)).not.toContain('4255550150');
    // The CDR (issue 24, point 2): put through by conference; the talk ended when the roster showed the agent gone,
    // which came after the agent left in Graph and before Switchboard hung up.
    const row = await cdr(callId);
    expect(row).toMatchObject({ outcome: 'connected', connectedBy: 'conference', talkEndedBy: 'agent' });
    expect(row.talkEndedAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(agent.leftAt!) - 5);
    expect(row.talkEndedAt!.getTime()).toBeGreaterThanOrEqual(row.connectedAt!.getTime());
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(row.talkEndedAt!.getTime());
  });

  it('the caller hanging up ends the conference (endedBy caller); the agent is free again', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent('cc-agent-1', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 60_000 });
    const { callId } = await emulator.placeCall({
      from: { phone: '+14255550151' },
      applicationInstanceId: CONFERENCE_LINE,
      hangUpAfterMs: 4000,
    });
    const summary = await callResult(stack.client, callId, 60_000);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: 'cc-agent-1' });
    const ended = (await timeline(callId)).find((e) => e.type === 'conferenceEnded');
    expect(ended?.payload).toMatchObject({ endedBy: 'caller' });
    expect(emulator.getCall(callId)).toMatchObject({ state: 'terminated' });
    expect(emulator.getAgent('cc-agent-1')).toMatchObject({ busy: false });
    expect(await cdr(callId)).toMatchObject({ connectedBy: 'conference', talkEndedBy: 'caller' });
  });

  it('costs, per call, the Graph requests docs/routing.md gives: conference against transfer', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent('cc-agent-1', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 2000 });
    emulator.setAgent('cc-agent-3', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 2000 });
    const conf = await emulator.placeCall({ from: { phone: '+14255550152' }, applicationInstanceId: CONFERENCE_LINE });
    const xfer = await emulator.placeCall({ from: { phone: '+14255550153' }, applicationInstanceId: TRANSFER_LINE });
    await callResult(stack.client, conf.callId, 60_000);
    await callResult(stack.client, xfer.callId, 60_000);
    const count = (callId: string) =>
      requestsFor(callId)
        .map(operationOf)
        .filter((o) => !o.endsWith('/keepAlive'))
        .reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    const conference = count(conf.callId);
    const transfer = count(xfer.callId);
    // Printed for docs/routing.md; asserted only in what tells the modes apart.
    console.info('Graph requests per call, conference:', conference, 'transfer:', transfer);
    expect(conference['POST /communications/calls/{id}/participants/invite']).toBe(1);
    expect(conference['POST /communications/calls/{id}/transfer']).toBeUndefined();
    expect(transfer['POST /communications/calls/{id}/transfer']).toBe(1);
    expect(transfer['POST /communications/calls/{id}/participants/invite']).toBeUndefined();
    // A transferred call's CDR says so, and has no roster figures: Switchboard left the call.
    expect(await cdr(xfer.callId)).toMatchObject({ connectedBy: 'transfer', talkEndedAt: null, talkEndedBy: null });
    // Switchboard hangs up the conference itself; a transferred call is ended by Graph.
    expect(conference['DELETE /communications/calls/{id}']).toBeGreaterThanOrEqual(1);
  });

  it('every recorded call history replays on the current workflow code', async () => {
    await expectEveryHistoryReplays(stack.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
  });
});
