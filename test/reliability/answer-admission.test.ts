import { describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { AnswerAdmission } from '../../src/server/answer-admission.js';
import { loadConfig } from '../../src/config.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { queues } from '../../flows/index.js';
import { callResult, eventually, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { sample } from '../helpers/prometheus.js';
import { runCli } from '../helpers/cli.js';

// Issue 25, point 2: past what the worker can answer, callers are refused busy (call-reject.md, reason "busy"),
// counted, and never left to ring until Graph's 15 s deadline; service resumes once answers flow again.

describe('AnswerAdmission (the rule, on a hand-turned clock)', () => {
  const clock = { now: 0 };
  const admission = () => new AnswerAdmission({ maxAnswerWaitMs: 1_000, maxUnanswered: 5 }, () => clock.now);

  it('admits while fewer than three calls are late, refuses once three are, and admits again when they are answered', () => {
    clock.now = 0;
    const a = admission();
    for (const id of ['c1', 'c2', 'c3']) a.started(id);
    clock.now = 999;
    a.settled('c1'); // answered in time
    clock.now = 1_001; // two late calls are not enough (a lost notification must not refuse)
    expect(a.decide()).toEqual({ admit: true });
    a.started('c4');
    clock.now = 2_002;
    expect(a.decide()).toEqual({ admit: false, reason: 'answerWait', oldestWaitMs: 2_002, unanswered: 3 });
    a.settled('c2');
    a.settled('c3');
    // Answered, but late (by 1 s): the backlog behind them may still be there, so the door stays shut as long again.
    expect(a.decide()).toMatchObject({ admit: false, reason: 'answerWait', unanswered: 1 });
    clock.now = 12_003;
    a.settled('c4'); // late too, but alone: c2's and c3's second of memory is long over
    expect(a.decide()).toEqual({ admit: true });
  });

  it('admits again once calls are answered in time', () => {
    clock.now = 0;
    const a = admission();
    for (const id of ['c1', 'c2', 'c3']) a.started(id);
    clock.now = 900;
    for (const id of ['c1', 'c2', 'c3']) a.settled(id);
    expect(a.decide()).toEqual({ admit: true });
  });

  it('refuses at maxUnanswered calls waiting at once, however young', () => {
    clock.now = 0;
    const a = admission();
    for (let i = 0; i < 5; i++) a.started(`c${i}`);
    expect(a.decide()).toMatchObject({ admit: false, reason: 'unanswered', unanswered: 5 });
    a.started('c0'); // a duplicate start is the same call
    a.settled('c4');
    expect(a.decide()).toEqual({ admit: true });
  });

  it("forgets a call after Graph's 15 s deadline (its answer went to another web process, or Graph ended it)", () => {
    clock.now = 0;
    const a = admission();
    for (const id of ['c1', 'c2', 'c3']) a.started(id);
    clock.now = 15_001;
    // Forgotten, they count as late for 10 s more (Graph ended them unanswered, or they were answered elsewhere).
    expect(a.decide()).toMatchObject({ admit: false, unanswered: 0 });
    expect(a.waiting).toBe(0);
    clock.now = 25_002;
    expect(a.decide()).toEqual({ admit: true });
  });

  it('reads its limits from the environment, and refuses a bad value with a message naming the variable', () => {
    const admission = (env: Record<string, string>) => loadConfig(env).admission;
    expect(admission({})).toEqual({ maxAnswerWaitMs: 3_000, maxUnanswered: 100 });
    expect(admission({ ADMISSION_ANSWER_WAIT_MS: '0', ADMISSION_MAX_UNANSWERED: '50' })).toEqual({
      maxAnswerWaitMs: 0,
      maxUnanswered: 50,
    });
    // Several web processes each see part of the answers: off unless asked for.
    const replicas = { WEB_REPLICAS: '2', RECORDINGS_SIGNING_KEY: 'k'.repeat(32) };
    expect(admission(replicas)).toBeUndefined();
    expect(admission({ ...replicas, ADMISSION_ANSWER_WAIT_MS: '4000' })?.maxAnswerWaitMs).toBe(4_000);
    expect(() => loadConfig({ ADMISSION_ANSWER_WAIT_MS: '20000' })).toThrow(
      'Invalid configuration: ADMISSION_ANSWER_WAIT_MS="20000": expected at most 14000 (Graph: 15 s)',
    );
    expect(() => loadConfig({ ADMISSION_MAX_UNANSWERED: 'many' })).toThrow('ADMISSION_MAX_UNANSWERED');
  });

  it('the CLI stops with exit code 2 and one line on a bad limit', async () => {
    const { code, stderr } = await runCli(['doctor'], { ADMISSION_ANSWER_WAIT_MS: '-1' });
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^Invalid configuration: ADMISSION_ANSWER_WAIT_MS="-1": .+$/);
  });
});

describe('a worker that cannot answer: callers refused busy, on the real stack', () => {
  let stack: TestStack;
  stackForFile(
    async () => (stack = await startTestStack({}, { admission: { maxAnswerWaitMs: 1_000, maxUnanswered: 200 } })),
  );

  const metrics = async () => (await fetch(`${stack.webUrl}/metrics`)).text();
  const callState = (callId: string) => stack.emulator!.getCall(callId)?.state;
  const rejections = (callId: string) =>
    (stack.emulator!.getCall(callId)?.history ?? []).filter(
      (h) => h.kind === 'call' && h.detail.startsWith('bot rejects'),
    );

  it('refuses the call that arrives while three wait past the limit, starts no workflow for it, and answers again after', async () => {
    for (const agent of queues.support!.agents)
      stack.emulator!.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 300 });
    const refusedBefore = sample(await metrics(), 'switchboard_calls_refused_total', { reason: 'busy' });

    // Graph refuses every answer for now (503): the calls' answers retry, and the callers wait unanswered.
    stack.emulator!.injectFault({ action: 'answer', status: 503, times: 10_000 });
    const late = await Promise.all([1, 2, 3].map(() => stack.emulator!.placeCall({ from: { phone: '+14255550170' } })));
    for (const { callId } of late)
      await eventually(
        () =>
          stack.client.workflow
            .getHandle(callWorkflowId(callId))
            .describe()
            .catch(() => undefined),
        `the workflow of ${callId}`,
      );
    await new Promise((r) => setTimeout(r, 1_200)); // all three now wait past the 1 s limit

    const { callId: refused } = await stack.emulator!.placeCall({ from: { phone: '+14255550171' } });
    await eventually(() => (callState(refused) === 'terminated' ? true : undefined), 'the refused call to end');
    expect(rejections(refused).map((h) => h.kind === 'call' && h.detail)).toEqual(['bot rejects (reason: busy)']);
    await expect(stack.client.workflow.getHandle(callWorkflowId(refused)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(sample(await metrics(), 'switchboard_calls_refused_total', { reason: 'busy' })).toBe(refusedBefore + 1);
    // Its `terminated` notification was acknowledged without a workflow to signal.
    expect(sample(await metrics(), 'switchboard_notifications_total', { result: 'refusedCall' })).toBeGreaterThan(0);

    // Graph answers again: the waiting calls are answered on their next try (or ended by Graph).
    stack.emulator!.clearFaults();
    for (const { callId } of late)
      await eventually(
        () => (callState(callId) !== 'incoming' ? true : undefined),
        `${callId} answered or ended`,
        30_000,
      );
    // They were answered late (or ended): the backlog behind them may still be there, so callers are refused for as
    // long again as they were late (here more than the 1.2 s they had waited past the limit), at most 10 s; after
    // that the door opens.
    const { callId: stillShut } = await stack.emulator!.placeCall({ from: { phone: '+14255550173' } });
    await eventually(() => (callState(stillShut) === 'terminated' ? true : undefined), 'the next caller refused');
    expect(rejections(stillShut)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 10_500));
    const { callId: after } = await stack.emulator!.placeCall({ from: { phone: '+14255550172' } });
    await eventually(() => (callState(after) === 'established' ? true : undefined), 'the next call answered');
    expect(rejections(after)).toEqual([]);
    expect(sample(await metrics(), 'switchboard_calls_refused_total', { reason: 'busy' })).toBe(refusedBefore + 2);
    for (const { callId } of late) expect(rejections(callId)).toEqual([]);
    // Every started call runs to its end (the stack then stops with nothing in flight).
    for (const { callId } of [...late, { callId: after }])
      expect((await callResult(stack.client, callId, 60_000)).outcome).toBeDefined();
  }, 150_000);
});
