import { describe, expect, it } from 'vitest';
import { callResult as resultOf, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { queues } from '../../flows/index.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';

// End to end over HTTP: the emulator dials, the app answers through real MSAL and Graph client code, Temporal
// (dev server) runs the call, and the CDR and timeline land in embedded Postgres.
let stack: TestStack;
const [adele, alex] = queues.support!.agents as [string, string];

// The shipped queues, except that agents are free again at once: each test's call need not wait out the last one's
// wrap-up.
stackForFile(
  async () =>
    (stack = await startTestStack({}, { queues: { ...queues, support: { ...queues.support!, wrapUpSeconds: 0 } } })),
);

const callResult = (callId: string) => resultOf(stack.client, callId);

async function cdr(callId: string): Promise<Call> {
  return stack.orm.em.fork().findOneOrFail(Call, { id: callId });
}

async function timeline(callId: string): Promise<CallEvent[]> {
  return stack.orm.em.fork().find(CallEvent, { callId }, { orderBy: { seq: 'asc' } });
}

/** Both support agents take offers quickly and talk briefly. */
function agentsAccept(): void {
  for (const a of [adele, alex])
    stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1000 });
}

/** `expected` appear in `actual` in this order (other entries may sit between them). */
function expectInOrder(actual: string[], expected: string[]): void {
  let i = 0;
  for (const type of actual) if (type === expected[i]) i++;
  expect(i, `timeline order; got ${actual.join(', ')}`).toBe(expected.length);
}

describe('a call end to end', () => {
  it('answers, greets, queues, transfers to an agent and records the CDR and timeline', async () => {
    stack.emulator!.setAgent(adele, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 2000 });
    stack.emulator!.setAgent(alex, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 2000 });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550100' } });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');
    expect([adele, alex]).toContain(summary.agentId);

    const call = await cdr(callId);
    expect(call.workflowId).toBe(callWorkflowId(callId));
    expect(call.fromKind).toBe('phone');
    expect(call.fromId).toBe('+14255550100');
    expect(call.queue).toBe('support');
    expect(call.agentId).toBe(summary.agentId);
    expect(call.outcome).toBe('connected');
    expect(call.flow).toBe('default'); // the emulator's resource account has no flow of its own
    expect(call.tags).toEqual([]);
    // Put through by a consultative transfer: Graph ends our leg with terminationReason AppTransferred, no resultInfo.
    expect(call.endCode).toBeNull();
    expect(call.endSubcode).toBeNull();
    const times = [call.arrivedAt, call.answeredAt, call.queuedAt, call.offeredAt, call.connectedAt, call.endedAt];
    for (const t of times) expect(t).toBeInstanceOf(Date);
    const ms = times.map((t) => t!.getTime());
    expect(ms, 'arrived ≤ answered ≤ queued ≤ offered ≤ connected ≤ ended').toEqual([...ms].sort((a, b) => a - b));
    // The greeting (3 s at the emulator's 10x media speed) plays before the caller is queued.
    expect(call.queuedAt!.getTime() - call.answeredAt!.getTime()).toBeGreaterThanOrEqual(250);
    expect(call.waitSeconds).toBe((call.connectedAt!.getTime() - call.queuedAt!.getTime()) / 1000);

    const events = await timeline(callId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expectInOrder(
      events.map((e) => e.type),
      [
        'incoming',
        'answered',
        'state:established',
        'promptStarted',
        'playPrompt:completed',
        'queued',
        'offered',
        'ringing',
        'leg:state:established',
        'agentAnswered',
        'state:transferring',
        'state:transferAccepted',
        'connected',
        'outcome',
      ],
    );
    // Graph's notifications race our own bookkeeping, so these two are only known to come after the offer.
    const types = events.map((e) => e.type);
    expect(types.indexOf('transferRequested')).toBeGreaterThan(types.indexOf('offered'));
    expect(types.indexOf('state:terminated')).toBeGreaterThan(types.indexOf('state:transferAccepted'));
    expect(events.find((e) => e.type === 'state:terminated')!.payload).toMatchObject({
      terminationReason: 'AppTransferred',
    });
    // The flow's verbs are on the timeline too, with what they were given and how they ended.
    expectInOrder(types, [
      'verb:answer',
      'verb:answer:done',
      'verb:play',
      'verb:play:done',
      'verb:queue',
      'verb:queue:done',
    ]);
    expect(events.find((e) => e.type === 'verb:play')!.payload).toEqual({ prompts: ['greeting.wav'] });
    expect(events.find((e) => e.type === 'verb:queue:done')!.payload).toMatchObject({
      outcome: 'connected',
      agentId: summary.agentId,
    });
    expect(events.find((e) => e.type === 'incoming')!.payload).toMatchObject({ flow: 'default' });
    const greeting = events.find((e) => e.type === 'promptStarted')!;
    expect(greeting.payload).toMatchObject({ clientContext: 'greeting' });
    expect(events.find((e) => e.type === 'outcome')!.payload).toMatchObject({
      outcome: 'connected',
      agentId: summary.agentId,
    });

    // Graph saw exactly one answer and one transfer for this call, to the agent in the CDR.
    const requests = stack.emulator!.requests.filter((r) => r.path.includes(callId));
    const answers = requests.filter((r) => r.path.endsWith('/answer'));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toMatchObject({
      callbackUri: `${stack.config.publicUrl}/api/calling`,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    });
    // The agent was rung with a call of our own (for the alert time), then the caller was put onto that call.
    const ring = events.find((e) => e.type === 'agentAnswered')!.payload as { agentId: string; ringCallId: string };
    expect(ring.agentId).toBe(summary.agentId);
    const rings = stack.emulator!.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path.endsWith('/communications/calls') &&
        JSON.stringify(r.body).includes(summary.agentId!),
    );
    expect(rings.length).toBeGreaterThanOrEqual(1);
    expect(rings.at(-1)!.body).toMatchObject({
      targets: [{ identity: { user: { id: summary.agentId } } }],
      callbackUri: expect.stringContaining(`workflowId=${encodeURIComponent(callWorkflowId(callId))}`),
    });
    const transfers = requests.filter((r) => r.path.endsWith('/transfer'));
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.body).toMatchObject({
      transferTarget: { identity: { user: { id: summary.agentId } }, replacesCallId: ring.ringCallId },
    });
  });

  it('records a caller who hangs up while queued as abandoned, with the time waited', async () => {
    // Nobody picks up: every offer is declined, so the caller waits in queue until they give up.
    stack.emulator!.setAgent(adele, { onTransfer: 'decline', answerAfterMs: 200 });
    stack.emulator!.setAgent(alex, { onTransfer: 'decline', answerAfterMs: 200 });
    const { callId } = await stack.emulator!.placeCall({
      from: { user: { id: 'caller-user-1', displayName: 'Megan Bowen' } },
      hangUpAfterMs: 3000,
    });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('abandoned');

    const call = await cdr(callId);
    expect(call.outcome).toBe('abandoned');
    expect(call.fromKind).toBe('user');
    expect(call.fromName).toBe('Megan Bowen');
    expect(call.agentId).toBeNull();
    expect(call.connectedAt).toBeNull();
    expect(call.queuedAt).toBeInstanceOf(Date);
    expect(call.endedAt).toBeInstanceOf(Date);
    expect(call.waitSeconds).toBeGreaterThan(0);
    expect(call.waitSeconds).toBe((call.endedAt!.getTime() - call.queuedAt!.getTime()) / 1000);
    const types = (await timeline(callId)).map((e) => e.type);
    expectInOrder(types, ['incoming', 'answered', 'queued', 'state:terminated', 'abandoned', 'outcome']);
    expect(types).not.toContain('connected');
  });
});

describe('duplicates and Graph failures', () => {
  it('starts one workflow and writes one CDR when the incoming notification arrives three times at once', async () => {
    agentsAccept();
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550101' }, incomingCopies: 3 });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');

    const incoming = stack
      .emulator!.getCall(callId)!
      .history.filter((h) => h.kind === 'notification' && h.changeType === 'created') as { status?: number }[];
    expect(incoming).toHaveLength(3);
    expect(incoming.map((n) => n.status)).toEqual([202, 202, 202]);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${callWorkflowId(callId)}'` }))
      runs.push(wf);
    expect(runs).toHaveLength(1);
    expect(await stack.orm.em.fork().count(Call, { id: callId })).toBe(1);
    const types = (await timeline(callId)).map((e) => e.type);
    expect(types.filter((t) => t === 'incoming')).toHaveLength(1);
    expect(stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/answer`))).toHaveLength(1);
  });

  it('retries an answer that Graph refuses with 503, and goes on when Graph recovers', async () => {
    stack.emulator!.injectFault({ action: 'answer', status: 503, times: 2 });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550102' } });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');
    const answers = stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/answer`));
    expect(answers.map((r) => r.status)).toEqual([503, 503, 202]);
  });

  it("goes on when the answer's response is lost: the repeat Graph refuses is the call answered", async () => {
    agentsAccept();
    stack.emulator!.injectFault({ action: 'answer', status: 'noResponse' });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550104' } });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');
    const answers = stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/answer`));
    expect(answers.map((r) => [r.status, r.responseLost ?? false])).toEqual([
      [202, true],
      [400, false],
    ]);
    expect((await cdr(callId)).answeredAt).toBeInstanceOf(Date);
  });

  it("connects the caller when the transfer's response is lost: connected, not offered again", async () => {
    agentsAccept();
    stack.emulator!.injectFault({ action: 'transfer', status: 'noResponse' });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550105' } });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');
    const transfers = stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/transfer`));
    expect(transfers[0]).toMatchObject({ status: 202, responseLost: true });
    expect(transfers.slice(1).every((r) => r.status >= 400)).toBe(true);
    const call = await cdr(callId);
    expect(call.outcome).toBe('connected');
    expect(call.agentId).toBe(summary.agentId);
    const types = (await timeline(callId)).map((e) => e.type);
    expect(types).not.toContain('offerFailed');
    expectInOrder(types, ['offered', 'agentAnswered', 'state:transferAccepted', 'connected', 'outcome']);
  });

  it("connects the caller when a ring's response is lost: the ring the agent takes becomes their call, whichever it is", async () => {
    agentsAccept();
    stack.emulator!.injectFault({ action: 'createCall', status: 'noResponse' });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550106' } });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');
    const rings = stack.emulator!.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path.endsWith('/communications/calls') &&
        JSON.stringify(r.body).includes(encodeURIComponent(callWorkflowId(callId))),
    );
    // The ring is placed again, to the same agent: Graph placed both, and the workflow never learnt the first one's id.
    expect(rings).toHaveLength(2);
    expect(rings[0]).toMatchObject({ status: 201, responseLost: true });
    expect(rings[1]).toMatchObject({ status: 201, body: rings[0]!.body });
    expect(JSON.stringify(rings[0]!.body)).toContain(summary.agentId);
    // The emulated agent takes the first ring that reaches them, the one the workflow did not know: it becomes the
    // agent's call, the caller is put onto it, and the other ring is ended. Nobody is offered the call again.
    const events = await timeline(callId);
    expect(events.find((e) => e.type === 'strayRingAnswered')?.payload).toMatchObject({
      agentId: summary.agentId,
      legCallId: rings[0]!.callId,
    });
    expect(events.map((e) => e.type)).not.toContain('offerFailed');
    const transfers = stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/transfer`));
    expect(transfers.map((r) => r.status)).toEqual([202]);
    expect(transfers[0]!.body).toMatchObject({ transferTarget: { replacesCallId: rings[0]!.callId } });
    await eventually(
      () => (rings.every((r) => stack.emulator!.getCall(r.callId!)?.state === 'terminated') ? true : undefined),
      'both rings over',
    );
  });

  it('ends the call as failed, recorded, when Graph keeps refusing the answer', async () => {
    stack.emulator!.injectFault({ action: 'answer', status: 503, times: 1000 });
    try {
      const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550103' } });
      const summary = await callResult(callId);
      expect(summary.outcome).toBe('failed');
      const answers = stack.emulator!.requests.filter((r) => r.path.endsWith(`${callId}/answer`));
      expect(answers.length).toBeGreaterThanOrEqual(3);
      expect(answers.every((r) => r.status === 503)).toBe(true);

      const call = await cdr(callId);
      expect(call.outcome).toBe('failed');
      expect(call.answeredAt).toBeNull();
      expect(call.endedAt).toBeInstanceOf(Date);
      const failed = (await timeline(callId)).find((e) => e.type === 'answerFailed');
      expect(JSON.stringify(failed?.payload)).toMatch(/503/);
    } finally {
      stack.emulator!.clearFaults();
    }
  });
});

describe('the web process', () => {
  it('refuses a notification that Graph did not sign, before it reaches Temporal', async () => {
    const res = await stack.postCalling({
      value: [{ changeType: 'created', resourceUrl: '/communications/calls/unsigned' }],
    });
    expect(res.status).toBe(401);
    await expect(stack.client.workflow.getHandle(callWorkflowId('unsigned')).describe()).rejects.toThrow();
  });

  it('runs data retention as a daily Temporal Schedule, each run writing a summary row', async () => {
    const schedule = await stack.client.schedule.getHandle('switchboard-retention').describe();
    expect(schedule.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 3, end: 3, step: 1 }],
      minute: [{ start: 15, end: 15, step: 1 }],
    });
    await stack.client.schedule.getHandle('switchboard-retention').trigger();
    const run = await eventually(
      async () =>
        (await stack.orm.em.getKnex()('retention_run').orderBy('id', 'desc').first()) as { calls: number } | undefined,
      'a retention run',
    );
    // Every call in this file is minutes old, far inside the 90-day retention: nothing is deleted.
    expect(run).toMatchObject({ calls: 0, events: 0, voicemails: 0, recordings: 0 });
  });

  it('reports each dependency on /healthz', async () => {
    const res = await fetch(`${stack.webUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', dependencies: { temporal: 'up', postgres: 'up' } });
  });
});

// Issue 28: runs last. The stack's workflows (every call above, the queues, the agents, the presence poller and the
// retention run the schedule test triggered) replay on a fresh worker with the code that wrote them.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, {
    expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow', 'presencePollerWorkflow', 'retentionWorkflow'],
  });
});
