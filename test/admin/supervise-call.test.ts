/**
 * Supervisor barge and monitor (issue 24, point 3), through the admin API's handler (POST /calls/{id}/supervise; its
 * HTTP auth is the router's, tested in admin-auth) on the real stack: Temporal, Postgres, the worker and the Graph
 * emulator. The call workflow's `supervise` Update invites the supervisor into the conference (participants/invite,
 * Graph rings them) and, to monitor, server-mutes them (participant-mute.md). Every join is audited.
 */
import { describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { superviseHandlers } from '../../src/admin/supervise.js';
import { HttpError } from '../../src/admin/common.js';
import type { Caller } from '../../src/admin/identity.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { AuditEntry } from '../../src/db/entities/admin.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { testQueue } from '../helpers/routing.js';

const agent = 'sv-agent-1';
const supervisor: Caller = {
  objectId: 'sv-supervisor-1',
  name: 'Sam Supervisor',
  tenantId: 't',
  roles: ['Switchboard.Supervisor'],
  ip: '127.0.0.1',
};
const admin: Caller = { ...supervisor, objectId: 'sv-admin-1', name: 'Ada Admin', roles: ['Switchboard.Admin'] };

let stack: TestStack;
stackForFile(async () => {
  stack = await startTestStack(
    {},
    {
      queues: {
        support: testQueue('support', [agent], {
          connectBy: 'conference',
          confirm: 'none',
          presenceBased: false,
          wrapUpSeconds: 0,
        }),
      },
    },
  );
  return stack;
}, 120_000);

const superviseCall = (caller: Caller, callId: string, body: unknown) =>
  superviseHandlers.superviseCall(
    { params: { id: callId }, query: {}, body },
    { caller, em: stack.orm.em.fork() as unknown as EntityManager, client: stack.client },
  );

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return { status: (err as HttpError).status, message: (err as Error).message };
}

describe('supervisor barge and monitor', () => {
  it('monitor joins muted, barge joins heard; refusals say why; every join is audited', async () => {
    const emulator = stack.emulator!;
    // The agent answers after 4 s: time to see the call refused while it is not yet a conference.
    emulator.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 4000, talkMs: 25_000 });
    for (const s of [supervisor.objectId, 'sv-supervisor-2'])
      emulator.setAgent(s, { onTransfer: 'accept', answerAfterMs: 50, talkMs: 120_000 });

    expect(await refusal(superviseCall(supervisor, 'no-such-call', { mode: 'barge' }))).toMatchObject({ status: 404 });
    const { callId } = await emulator.placeCall({
      from: { phone: '+14255550180' },
      applicationInstanceId: `${BENCH_LINE_PREFIX}support`,
    });
    const recorded = (type: string) => async () =>
      (await stack.orm.em.fork().count(CallEvent, { callId, type })) > 0 ? true : undefined;
    const handle = stack.client.workflow.getHandle(callWorkflowId(callId));
    await eventually(
      () =>
        handle.describe().then(
          () => true,
          () => undefined,
        ),
      'the call workflow',
      30_000,
    );
    // Before the agent is put through, the call is no conference yet: 409, with the reason.
    const early = await refusal(superviseCall(supervisor, callId, { mode: 'barge' }));
    expect(early.status).toBe(409);
    expect(early.message).toMatch(/not a conference/);
    await eventually(recorded('conferenced'), 'the agent in the conference', 30_000);
    // A supervisor joins only as themselves; an admin may send another.
    expect(
      await refusal(superviseCall(supervisor, callId, { mode: 'barge', supervisorId: 'sv-supervisor-2' })),
    ).toMatchObject({ status: 403 });

    const audits = async () =>
      stack.orm.em.fork().find(AuditEntry, { action: 'call.supervise' }, { orderBy: { id: 'asc' } });
    const before = (await audits()).length;
    const monitor = await superviseCall(supervisor, callId, { mode: 'monitor' });
    expect(monitor).toEqual({
      callId,
      supervisorId: supervisor.objectId,
      mode: 'monitor',
      outcome: 'joined',
      muted: true,
    });
    const again = await refusal(superviseCall(supervisor, callId, { mode: 'monitor' }));
    expect(again).toMatchObject({ status: 409 });
    expect(again.message).toMatch(/already in the call/);
    const barge = await superviseCall(admin, callId, { mode: 'barge', supervisorId: 'sv-supervisor-2' });
    expect(barge).toMatchObject({ outcome: 'joined', muted: false });

    // Graph's side: both in the caller's group call, seen by everyone in its roster; only the monitor is muted.
    const roster = emulator.getCall(callId)!.participants!;
    expect(roster.find((p) => p.userId === supervisor.objectId)).toMatchObject({ muted: true });
    expect(roster.find((p) => p.userId === 'sv-supervisor-2')).toMatchObject({ muted: false });
    const rows = (await audits()).slice(before);
    expect(rows.map((r) => [r.actorId, r.target, (r.after as { mode: string }).mode])).toEqual([
      [supervisor.objectId, `call:${callId}`, 'monitor'],
      [admin.objectId, `call:${callId}`, 'barge'],
    ]);

    // The supervisors are not the caller: the talk ends when the agent leaves, as without them.
    expect(await callResult(stack.client, callId, 60_000)).toMatchObject({ outcome: 'connected', agentId: agent });
    expect(await stack.orm.em.fork().findOneOrFail(Call, { id: callId })).toMatchObject({ talkEndedBy: 'agent' });
    const types = (await stack.orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } })).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'superviseJoined')).toHaveLength(2);
  });
});
