/**
 * Long waits survive end to end (issue 21, point 2), with Graph's window shortened: the Graph emulator ends any call
 * that gets no POST …/keepAlive for 3 s (call-keepalive.md: 45 minutes in Graph, ended with 408/8537 per
 * call-delete.md), and the app sends one every second (GRAPH_KEEPALIVE_SECONDS=1). An agent who takes 9 s to answer
 * keeps the caller waiting three windows; the caller's call and the ring to the agent both stay up, and the caller is
 * connected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../devkit/emulator/index.js';
import { callResult, startTestStack, type TestStack } from '../helpers/stack.js';
import { ringRequests, testQueue } from '../helpers/routing.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';

const WINDOW_MS = 3000;
const agent = 'ka-slow-agent';
let stack: TestStack;

beforeAll(async () => {
  const support = testQueue('support', [agent], {
    alertSeconds: 20,
    wrapUpSeconds: 0,
    presenceBased: false,
    confirm: 'none',
  });
  stack = await startTestStack(
    { GRAPH_KEEPALIVE_SECONDS: '1' },
    {
      queues: { support },
      // The stand-in `switchboard up` uses, with Graph's keepAlive window shortened.
      graphStandIn: (config, logger): Promise<Emulator> =>
        startEmulator({
          port: config.emulator.port,
          tenantId: config.graph.tenantId,
          clientId: config.graph.clientId,
          clientSecret: config.graph.clientSecret,
          botCallingUrl: `${config.publicUrl}/api/calling`,
          mediaSpeed: config.emulator.mediaSpeed,
          keepAliveWindowMs: WINDOW_MS,
          logger: logger.child({ component: 'emulator' }),
        }),
    },
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('keepAlive end to end, with a 3-second window', () => {
  it('a caller held three windows long is connected; every call held got its keepAlive in time', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 9000, talkMs: 500 });
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550150' } });
    const summary = await callResult(stack.client, callId, 30_000);
    expect(summary).toMatchObject({ outcome: 'connected', agentId: agent });

    const keepAlives = (id: string) =>
      emulator.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith(`/communications/calls/${id}/keepAlive`))
        .map((r) => ({ status: r.status, at: Date.parse(r.at) }));
    const caller = keepAlives(callId);
    expect(caller.every((r) => r.status === 200)).toBe(true);
    // About one a second over the ~9 s wait, never a window without one.
    expect(caller.length).toBeGreaterThanOrEqual(5);
    const answeredAt = Date.parse(emulator.getCall(callId)!.history.find((h) => h.kind === 'request')!.at);
    const gaps = caller.map((r, i) => r.at - (i === 0 ? answeredAt : caller[i - 1]!.at));
    expect(Math.max(...gaps)).toBeLessThan(WINDOW_MS);
    // The ring to the agent is a call the workflow holds too.
    const ring = ringRequests(emulator.requests, callId).find((r) => r.status === 201)!;
    expect(keepAlives(ring.callId!).length).toBeGreaterThanOrEqual(3);
    // Neither call was ended by Graph for want of a keepAlive.
    for (const id of [callId, ring.callId!])
      expect(emulator.getCall(id)?.resultInfo?.subcode, `call ${id}`).not.toBe(8537);

    await expectEveryHistoryReplays(stack.client, { expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow'] });
  });
});
