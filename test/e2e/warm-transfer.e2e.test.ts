/**
 * Warm transfer to a queue (issue 24, point 4) on the real stack: Temporal, Postgres, the worker and the Graph
 * emulator. The support agent, talking to the caller in a conference, sends them to the sales queue through the admin
 * API's handler (POST /calls/{id}/transfer; its HTTP auth is the router's, tested in admin-auth). The same call
 * workflow queues the caller again with the time already waited, plays hold music while the sales agent is rung, the
 * sales agent joins the group call (participant-invite.md) and only then is the support agent removed
 * (participant-delete.md). The CDR keeps the call's flow and shows both agents as segments; the transfer is audited.
 */
import { describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { transferHandlers } from '../../src/admin/transfer.js';
import { configuredAdminCatalog } from '../../app/stack/admin-catalog.js';
import { HttpError } from '../../src/admin/common.js';
import type { Caller } from '../../src/admin/identity.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { AuditEntry } from '../../src/db/entities/admin.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { testQueue } from '../helpers/routing.js';

const first = 'wt-support-agent';
const next = 'wt-sales-agent';
const agentCaller: Caller = {
  objectId: first,
  name: 'Sue Support',
  tenantId: 't',
  roles: ['Switchboard.Agent'],
  ip: '127.0.0.1',
};

let stack: TestStack;
stackForFile(async () => {
  const byConference = { connectBy: 'conference', confirm: 'none', presenceBased: false, wrapUpSeconds: 0 } as const;
  stack = await startTestStack(
    {},
    {
      queues: { support: testQueue('support', [first], byConference), sales: testQueue('sales', [next], byConference) },
    },
  );
  return stack;
}, 120_000);

const transferCall = (caller: Caller, callId: string, body: unknown) =>
  transferHandlers.transferCall(
    { params: { id: callId }, query: {}, body },
    {
      caller,
      em: stack.orm.em.fork() as unknown as EntityManager,
      client: stack.client,
      catalog: configuredAdminCatalog(),
    },
  );

describe('warm transfer to a queue over the emulator', () => {
  it('the support agent sends the caller to sales: hold music, the sales agent joins, then the first leaves', async () => {
    const emulator = stack.emulator!;
    // The support agent answers after 4 s (time to see a transfer refused before the conference) and would talk for
    // minutes; the sales agent answers after 3 s (the caller waits on hold with the first agent) and talks for 4 s.
    emulator.setAgent(first, { onTransfer: 'accept', answerAfterMs: 4000, talkMs: 300_000 });
    emulator.setAgent(next, { onTransfer: 'accept', answerAfterMs: 3000, talkMs: 4000 });
    const { callId } = await emulator.placeCall({
      from: { phone: '+14255550190' },
      applicationInstanceId: `${BENCH_LINE_PREFIX}support`,
    });
    const events = async () =>
      (await stack.orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } })).map((e) => ({
        type: e.type,
        payload: e.payload as Record<string, unknown> | null,
      }));
    const recorded = (type: string) => async () => ((await events()).some((e) => e.type === type) ? true : undefined);
    await eventually(
      () =>
        stack.client.workflow
          .getHandle(callWorkflowId(callId))
          .describe()
          .then(
            () => true,
            () => undefined,
          ),
      'the call workflow',
      30_000,
    );
    await eventually(
      async () => ((await stack.orm.em.fork().findOne(Call, { id: callId })) ? true : undefined),
      'the CDR (written once the call is answered)',
      30_000,
    );
    // Before the agent is put through nobody talks to the caller: 409, with the reason.
    const supervisor: Caller = { ...agentCaller, objectId: 'wt-supervisor', roles: ['Switchboard.Supervisor'] };
    const early = await transferCall(supervisor, callId, { queue: 'sales' }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(HttpError);
    expect(early).toMatchObject({
      status: 409,
      message: expect.stringMatching(/not a conference|no agent is talking/),
    });
    await eventually(recorded('conferenced'), 'the support agent in the conference', 30_000);
    await eventually(
      async () => ((await stack.orm.em.fork().findOne(Call, { id: callId }))?.agentId === first ? true : undefined),
      'the CDR naming the support agent',
      10_000,
    );

    // As soon as the CDR names the agent, they can transfer (the workflow reads the roster, not its own progress).
    const result = await transferCall(agentCaller, callId, { queue: 'sales' });
    expect(result).toEqual({
      callId,
      fromAgentId: first,
      to: { queue: 'sales' },
      blind: false,
      outcome: 'transferring',
    });

    // The sales agent talks for 4 s, then hangs up: the call ends, connected to them.
    const summary = await callResult(stack.client, callId, 90_000);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: next, flow: 'bench' });

    const call = await stack.orm.em.fork().findOneOrFail(Call, { id: callId });
    expect(call).toMatchObject({ queue: 'sales', agentId: next, flow: 'bench', talkEndedBy: 'agent' });
    const segments = call.segments!;
    expect(segments.map((s) => [s.agentId, s.queue, s.endedBy])).toEqual([
      [first, 'support', 'warmTransfer'],
      [next, 'sales', 'agent'],
    ]);
    // Warm: the support agent left after the sales agent was in the call.
    expect(Date.parse(segments[0]!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(segments[1]!.connectedAt));

    const timeline = await events();
    const types = timeline.map((e) => e.type);
    const queuedAgain = types.indexOf('agentTransferQueued');
    const secondIn = types.indexOf('conferenced', types.indexOf('conferenced') + 1);
    expect(queuedAgain).toBeGreaterThan(0);
    expect(secondIn).toBeGreaterThan(queuedAgain);
    // Hold music played to the caller (and the first agent) between the transfer and the sales agent joining.
    expect(types.slice(queuedAgain, secondIn)).toContain('promptStarted');
    expect(types.indexOf('agentTransferLeft')).toBeGreaterThan(secondIn);
    // Queued again in sales with the same priority, and the time already waited in support counted.
    const queued = timeline.filter((e) => e.type === 'queued').map((e) => e.payload);
    expect(queued).toEqual([
      { queue: 'support', requeue: false, priority: expect.any(Number) },
      { queue: 'sales', requeue: true, priority: queued[0]!.priority },
    ]);
    const firstWait = timeline.find((e) => e.type === 'connected')!.payload!.waitSeconds as number;
    expect(call.waitSeconds!).toBeGreaterThan(firstWait);

    // Graph's side: the first agent was removed from the group call by the bot, not by hanging up.
    const roster = emulator.getCall(callId)!.participants!;
    expect(roster.filter((p) => p.userId === first).every((p) => p.leftAt !== undefined)).toBe(true);

    const audit = await stack.orm.em.fork().find(AuditEntry, { action: 'call.transfer' });
    expect(audit.map((a) => [a.actorId, a.target, (a.after as { fromAgentId: string }).fromAgentId])).toEqual([
      [first, `call:${callId}`, first],
    ]);
  });
});
