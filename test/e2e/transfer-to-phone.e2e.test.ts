/**
 * A queue's transfer to a phone number, end to end through the Graph emulator (issue 21, point 6). call-transfer.md:
 * "Transfer to PSTN number is supported only for application instance". A caller who dialled a resource account is
 * put through to the number when the queue has no agents; a caller who reached the bot itself cannot be, and their
 * call ends cleanly instead of waiting on a transfer that Graph refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { callResult, startTestStack, type TestStack } from '../helpers/stack.js';
import { testQueue } from '../helpers/routing.js';

const OVERFLOW = '+14255550199';
let stack: TestStack;

beforeAll(async () => {
  // Nobody to take calls: the queue's no-agents action sends every caller to the overflow number.
  const support = testQueue('support', [], {
    presenceBased: false,
    noAgentsAction: { type: 'transfer', phone: OVERFLOW },
  });
  stack = await startTestStack({}, { queues: { support } });
});

afterAll(async () => {
  await stack?.stop();
});

const transfers = (callId: string) =>
  stack.emulator!.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/calls/${callId}/transfer`));

describe('transfer to a phone number', () => {
  it('from a call through a resource account: the caller is put through to the number', async () => {
    const { callId } = await stack.emulator!.placeCall({
      from: { phone: '+14255550180' },
      // The bench line: a resource account whose calls go straight into the queue its id names.
      applicationInstanceId: `${BENCH_LINE_PREFIX}support`,
    });
    const summary = await callResult(stack.client, callId, 30_000);
    expect(transfers(callId).map((r) => r.status)).toEqual([202]);
    expect(transfers(callId)[0]!.body).toMatchObject({ transferTarget: { identity: { phone: { id: OVERFLOW } } } });
    expect(stack.emulator!.getCall(callId)).toMatchObject({
      state: 'terminated',
      resultInfo: { code: 0, subcode: 7015 },
      transfer: { target: { phone: OVERFLOW }, outcome: 'accepted' },
    });
    expect(summary).toMatchObject({ outcome: 'transferredOut', flow: 'bench' });
  });

  it('from a call to the bot itself: Graph refuses, and the call ends instead of hanging', async () => {
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550181' } });
    const summary = await callResult(stack.client, callId, 60_000);
    expect(transfers(callId).map((r) => r.status)).toEqual([400]);
    expect(stack.emulator!.getCall(callId)).toMatchObject({ state: 'terminated' });
    // The default flow's queue could not transfer: the call is ended (by us, DELETE), not left waiting.
    expect(summary).toMatchObject({ outcome: 'ended', flow: 'default' });
    expect(stack.emulator!.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/calls/${callId}`))).toBe(
      true,
    );
  });
});
