import { expect, it } from 'vitest';
import { eventually } from '../helpers/stack.js';
import { restartableStackForFile } from '../helpers/restartable-stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { testQueue } from '../helpers/routing.js';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';

// Issue 24, point 6: a conference survives its worker. The agent is in the caller's group call (connectBy
// 'conference') when every Switchboard process and Temporal stop; they start again on the same data folder while the
// agent still talks, and the call workflow picks up where it was: it reads the roster when the agent leaves, ends the
// conference once, hangs up, and writes the CDR's talk end. The Graph emulator (Microsoft's side) stays up.
const restartable = restartableStackForFile('conference-restart');

it('a conference in progress when the worker (and the rest of the stack) stops carries on after the restart', async () => {
  const agent = 'cr-agent-1';
  const switchboard = await restartable();
  const { emulator } = switchboard;
  const queues = {
    support: testQueue('support', [agent], {
      connectBy: 'conference',
      confirm: 'none',
      presenceBased: false,
      wrapUpSeconds: 0,
    }),
  };
  // Talk time is human time (not scaled): long enough for the whole stack to stop and start again meanwhile.
  emulator.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 100, talkMs: 45_000 });
  let stack = await switchboard.start({ queues });
  const { callId } = await emulator.placeCall({
    from: { phone: '+14255550160' },
    applicationInstanceId: `${BENCH_LINE_PREFIX}support`,
  });
  const inConference = () =>
    emulator.getCall(callId)?.participants?.some((p) => p.userId === agent && p.leftAt === undefined);
  await eventually(() => (inConference() ? true : undefined), 'the agent in the caller’s group call', 30_000);
  // The workflow has seen the roster (its timeline has it) before everything goes down.
  await eventually(
    async () => ((await stack.orm.em.fork().count(CallEvent, { callId, type: 'conferenced' })) > 0 ? true : undefined),
    'conferenced on the timeline',
    30_000,
  );

  await switchboard.stop();
  expect(inConference(), 'the agent still talks while Switchboard is down').toBe(true);
  stack = await switchboard.start({ queues });

  const summary = await stack.client.workflow.getHandle(callWorkflowId(callId)).result();
  expect(summary).toMatchObject({ outcome: 'connected', agentId: agent });
  const em = stack.orm.em.fork();
  const call = await em.findOneOrFail(Call, { id: callId });
  expect(call).toMatchObject({ outcome: 'connected', connectedBy: 'conference', talkEndedBy: 'agent' });
  const left = emulator.getCall(callId)!.participants!.find((p) => p.userId === agent)!.leftAt!;
  expect(call.talkEndedAt!.getTime()).toBeGreaterThanOrEqual(Date.parse(left) - 5);
  const types = (await em.find(CallEvent, { callId }, { orderBy: { seq: 'asc' } })).map((e) => e.type);
  for (const once of ['incoming', 'conferenced', 'conferenceEnded', 'outcome'])
    expect(
      types.filter((t) => t === once),
      once,
    ).toHaveLength(1);
  // One invite: the restart did not put the agent through twice.
  expect(emulator.requests.filter((r) => r.callId === callId && r.path.endsWith('/participants/invite'))).toHaveLength(
    1,
  );
  expect(emulator.getCall(callId)).toMatchObject({ state: 'terminated', resultInfo: { code: 200, subcode: 5001 } });
  await expectEveryHistoryReplays(stack.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
}, 240_000);
