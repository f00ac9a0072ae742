import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callResult, eventually, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { ringRequests, testQueue } from '../helpers/routing.js';
import { agentStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';
import type { AgentScript } from '../../devkit/emulator/types.js';
import { CallEvent } from '../../src/db/entities/call-event.js';

// Issue 21, point 1, over HTTP: an agent's voicemail or call forwarding never takes a caller. In Teams an unanswered
// call goes to the user's voicemail (about 20 s by default) or wherever their call-answering rules forward it, and
// whatever answers makes our ring `established` (/work/shared/reference/graph-calling.md, "Teams users' own call
// handling"). A forward also shows in the call's callRoutes (api-reference/v1.0/resources/call.md, callroute.md).
// The support queue rings `trap` first (serial), whose rules take the ring each time; `human` presses 1 at the
// whisper and must get the caller.
const [trap, human, colleague] = ['agent-with-rules', 'agent-human', 'agent-colleague'];
let stack: TestStack;

beforeAll(async () => {
  const support = testQueue('support', [trap, human], {
    method: 'serial',
    alertSeconds: 15,
    wrapUpSeconds: 0,
    reofferAfterSeconds: 3600,
    missesBeforeAway: 20,
    presenceBased: false,
  });
  stack = await startTestStack({}, { queues: { support } });
});

afterAll(async () => {
  await stack?.stop();
});

const emulator = () => stack.emulator!;
const agentState = (id: string) => stack.client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);

/** The ring to each agent for this caller: the createCall request's call id, by the agent it targeted. */
function ringOf(callId: string, agentId: string): string {
  const ring = ringRequests(emulator().requests, callId).find(
    (r) =>
      r.status === 201 &&
      (r.body as { targets: { identity: { user?: { id: string } } }[] }).targets[0]!.identity.user?.id === agentId,
  );
  if (!ring?.callId) throw new Error(`no ring to ${agentId} for call ${callId}`);
  return ring.callId;
}

/** Places a call with `trap` scripted as given; returns what happened to the trap's ring and the caller. */
async function callWithTrap(script: AgentScript, from: string) {
  emulator().setAgent(trap, script);
  emulator().setAgent(human, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 500 });
  await eventually(async () => ((await agentState(human)).state === 'available' ? true : undefined), 'human free');
  const missesBefore = (await agentState(trap)).misses;
  const { callId } = await emulator().placeCall({ from: { phone: from } });
  const summary = await callResult(stack.client, callId);
  const trapRing = ringOf(callId, trap);
  const humanRing = ringOf(callId, human);
  await eventually(
    async () => ((await agentState(trap)).misses === missesBefore + 1 ? true : undefined),
    'the trap’s miss counted',
  );
  return { callId, summary, trapRing, humanRing, trapView: emulator().getCall(trapRing)! };
}

/** The call's timeline as recorded in Postgres: the payloads of one event type. */
async function timelineOf(callId: string, type: string): Promise<unknown[]> {
  const events = await stack.orm.em.fork().find(CallEvent, { callId, type }, { orderBy: { seq: 'asc' } });
  return events.map((e) => e.payload);
}

/** Switchboard's DELETE of a ring, the caller's transfer, and the prompts played per call. */
function requestsTo(callId: string, suffix: string) {
  return emulator().requests.filter((r) => r.path.endsWith(`/calls/${callId}${suffix}`));
}

function expectHumanGotTheCaller(r: Awaited<ReturnType<typeof callWithTrap>>) {
  expect(r.summary).toMatchObject({ outcome: 'connected', agentId: human });
  const transfers = requestsTo(r.callId, '/transfer');
  expect(transfers).toHaveLength(1);
  expect(transfers[0]!.body).toMatchObject({
    transferTarget: { identity: { user: { id: human } }, replacesCallId: r.humanRing },
  });
  // The trap's ring was ended by Switchboard: the caller never went there.
  expect(requestsTo(r.trapRing, '').some((q) => q.method === 'DELETE')).toBe(true);
  expect(r.trapView.state).toBe('terminated');
  expect(r.trapView.terminationReason).toBeUndefined();
  // The whisper plays on the rings only, never to the caller.
  const whispered = (id: string) =>
    requestsTo(id, '/playPrompt').some((q) => JSON.stringify(q.body).includes('agent-whisper.wav'));
  expect(whispered(r.callId)).toBe(false);
  expect(whispered(r.humanRing)).toBe(true);
}

describe("an agent's own call handling never takes a caller (issue 21)", () => {
  it('voicemail picks up the ring (Teams: unanswered calls go to voicemail): whispered, no key, hung up as a miss; the next agent presses 1 and gets the caller', async () => {
    const r = await callWithTrap({ onTransfer: 'ignore', callAnswering: { voicemailAfterMs: 2000 } }, '+14255550181');
    expectHumanGotTheCaller(r);
    expect(r.trapView.history.some((h) => h.kind === 'caller' && h.detail.includes('voicemail answers'))).toBe(true);
    // It was answered (established) and whispered to, and no key came back.
    expect(requestsTo(r.trapRing, '/subscribeToTone')).toHaveLength(1);
    expect(requestsTo(r.trapRing, '/playPrompt')).toHaveLength(1);
    expect(await timelineOf(r.callId, 'agentNotConfirmed')).toEqual([
      { agentId: trap, ringCallId: r.trapRing, result: 'noKey' },
    ]);
    expect(await timelineOf(r.callId, 'agentConfirmed')).toEqual([{ agentId: human, ringCallId: r.humanRing }]);
  });

  it('the agent answers but never presses a key: hung up as a miss after the confirm time; the next agent gets the caller', async () => {
    const r = await callWithTrap({ onTransfer: 'accept', answerAfterMs: 300, onWhisper: 'never' }, '+14255550182');
    expectHumanGotTheCaller(r);
    expect(requestsTo(r.trapRing, '/playPrompt')).toHaveLength(1);
  });

  it('call forwarding to a mobile (callRoutes: forwarded, final a phone): refused on sight, a miss; the next agent gets the caller', async () => {
    const r = await callWithTrap(
      { onTransfer: 'accept', callAnswering: { forward: { to: { phone: '+14255550199' } } } },
      '+14255550183',
    );
    expectHumanGotTheCaller(r);
    // Graph's established notification for the ring carried the route; Switchboard did not even whisper.
    const established = r.trapView.history.find(
      (h) => h.kind === 'notification' && JSON.stringify(h.body).includes('"callRoutes"'),
    );
    expect(JSON.stringify(established)).toContain('"routingType":"forwarded"');
    expect(requestsTo(r.trapRing, '/playPrompt')).toHaveLength(0);
    // On the timeline: the route, with the final identity's kind only (the mobile's number is the agent's own).
    expect(await timelineOf(r.callId, 'ringForwarded')).toEqual([
      { agentId: trap, ringCallId: r.trapRing, routingType: 'forwarded', finalKind: 'phone' },
    ]);
  });

  it('call forwarding to another Teams user who would press 1: the route says it is not the agent, so still a miss', async () => {
    emulator().setAgent(colleague, { onTransfer: 'accept', answerAfterMs: 200 });
    const r = await callWithTrap(
      { onTransfer: 'accept', callAnswering: { forward: { to: { userId: colleague } } } },
      '+14255550184',
    );
    expectHumanGotTheCaller(r);
    expect(r.trapView.history.some((h) => h.kind === 'caller' && h.detail.includes(`${colleague} answers`))).toBe(true);
    expect(await timelineOf(r.callId, 'ringForwarded')).toEqual([
      { agentId: trap, ringCallId: r.trapRing, routingType: 'forwarded', finalKind: 'user', finalUserId: colleague },
    ]);
  });
});

// Issue 28: runs last. The calls, the queue and the agents replay on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
});
