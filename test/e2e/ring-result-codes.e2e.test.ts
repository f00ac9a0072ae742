/**
 * How a ring's end counts for the agent rung, end to end through the Graph emulator, which ends unanswered rings with
 * the code/subcode pairs Microsoft documents (issue 21, point 3; the one table is src/contracts/graph-result-codes.ts):
 * - unreachable (480/10076, call-delete.md) and busy (486) are never the agent's miss;
 * - declined (603) and not answered (408/10057, call-delete.md) are.
 * A serial queue offers the caller to each in turn; the last agent takes the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';
import { callResult, startTestStack, type TestStack } from '../helpers/stack.js';
import { ringRequests, testQueue } from '../helpers/routing.js';

const [unreachable, busy, declines, noAnswer, takes] = [
  'rc-signed-out',
  'rc-on-a-call',
  'rc-declines',
  'rc-away-from-desk',
  'rc-takes-it',
];
let stack: TestStack;

beforeAll(async () => {
  const support = testQueue('support', [unreachable, busy, declines, noAnswer, takes], {
    method: 'serial',
    // Longer than the emulator's own ring time (30 s ÷ mediaSpeed 10): Graph ends the unanswered ring, with its code.
    alertSeconds: 10,
    wrapUpSeconds: 0,
    reofferAfterSeconds: 3600,
    missesBeforeAway: 5,
    presenceBased: false,
    confirm: 'none',
  });
  stack = await startTestStack({}, { queues: { support } });
});

afterAll(async () => {
  await stack?.stop();
});

const misses = async (agentId: string) =>
  (await stack.client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery)).misses;

describe('ring ends read from Graph’s codes', () => {
  it('unreachable and busy are not misses; declined and not answered are; the caller reaches the last agent', async () => {
    const emulator = stack.emulator!;
    emulator.setCallee(unreachable, { onCall: 'unreachable', answerAfterMs: 50 });
    emulator.setCallee(busy, { onCall: 'busy', answerAfterMs: 50 });
    emulator.setAgent(declines, { onTransfer: 'decline', answerAfterMs: 50 });
    emulator.setCallee(noAnswer, { onCall: 'never' });
    emulator.setAgent(takes, { onTransfer: 'accept', answerAfterMs: 50, talkMs: 500 });

    const { callId } = await emulator.placeCall({ from: { phone: '+14255550190' } });
    const summary = await callResult(stack.client, callId, 60_000);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: takes });

    // Each ring ended as Graph documents it.
    const ends = Object.fromEntries(
      ringRequests(emulator.requests, callId)
        .filter((r) => r.status === 201)
        .map((r) => {
          const to = (r.body as { targets: { identity: { user: { id: string } } }[] }).targets[0]!.identity.user.id;
          const info = emulator.getCall(r.callId!)?.resultInfo;
          return [to, info ? `${info.code}/${info.subcode}` : undefined];
        }),
    );
    expect(ends).toMatchObject({
      [unreachable]: '480/10076',
      [busy]: '486/0',
      [declines]: '603/0',
      [noAnswer]: '408/10057',
    });

    expect(await misses(unreachable)).toBe(0);
    expect(await misses(busy)).toBe(0);
    expect(await misses(declines)).toBe(1);
    expect(await misses(noAnswer)).toBe(1);
  });
});
