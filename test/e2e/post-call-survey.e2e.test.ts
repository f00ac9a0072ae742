/**
 * Issue 24, point 5, end to end: Temporal, Postgres, the worker and the Graph emulator over HTTP. A queue with
 * `connectBy: 'conference'` and a two-question survey: the agent talks, hangs up (leaves the group call), and
 * Switchboard, still in the call, plays each question (playPrompt: every participant left in the call hears it) and
 * reads the caller's key from toneInfo (subscribeToTone.md); the answers land in survey_response. A caller who hangs
 * up first gets no survey and a callerLeft row.
 */
import { describe, expect, it } from 'vitest';
import { BENCH_LINE_PREFIX } from '../../flows/flows.js';
import { callResult, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { testQueue } from '../helpers/routing.js';
import { eventually } from '../helpers/eventually.js';

// The load tests' lines (flows/flows.ts): straight into the queue named, so the queue's own survey applies.
const LINE = `${BENCH_LINE_PREFIX}care`;
const SURVEY = {
  questions: [
    { prompt: 'survey-satisfaction.wav', keys: ['1', '2', '3', '4', '5'] as ('1' | '2' | '3' | '4' | '5')[] },
    { prompt: 'survey-resolved.wav', keys: ['1', '2'] as ('1' | '2')[] },
  ],
  thanks: 'survey-thanks.wav',
};
let stack: TestStack;
stackForFile(async () => {
  stack = await startTestStack(
    {},
    {
      queues: {
        care: testQueue('care', ['cc-agent-1'], {
          wrapUpSeconds: 0,
          presenceBased: false,
          confirm: 'none',
          method: 'serial',
          connectBy: 'conference',
          survey: SURVEY,
        }),
      },
    },
  );
  return stack;
}, 120_000);

const surveyRows = (callId: string) =>
  stack.orm.em
    .getKnex()('survey_response')
    .where('call_id', callId)
    .orderBy('question_index')
    .select('question_index', 'queue', 'agent_id', 'answer', 'status') as Promise<Record<string, unknown>[]>;

/** Wait until Switchboard asks Graph to play this prompt in the caller's call. */
const promptPlayed = (callId: string, file: string) =>
  eventually(
    () =>
      stack.emulator!.requests.some(
        (r) => r.callId === callId && r.path.endsWith('/playPrompt') && JSON.stringify(r.body).includes(file),
      ) || undefined,
    `Switchboard to play ${file}`,
    30_000,
  );

describe('post-call survey over the Graph emulator', () => {
  it('the agent hangs up: the caller answers both questions by keypad and the answers are in survey_response', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent('cc-agent-1', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 2000 });
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550160' }, applicationInstanceId: LINE });
    await promptPlayed(callId, 'survey-satisfaction.wav');
    emulator.callerPresses(callId, '5');
    await promptPlayed(callId, 'survey-resolved.wav');
    emulator.callerPresses(callId, '2');
    expect(await callResult(stack.client, callId, 60_000)).toMatchObject({
      outcome: 'connected',
      agentId: 'cc-agent-1',
    });
    expect(await surveyRows(callId)).toEqual([
      { question_index: 1, queue: 'care', agent_id: 'cc-agent-1', answer: '5', status: 'answered' },
      { question_index: 2, queue: 'care', agent_id: 'cc-agent-1', answer: '2', status: 'answered' },
    ]);
    // Thanked, then Switchboard hung up the call it stayed in.
    await promptPlayed(callId, 'survey-thanks.wav');
    expect(emulator.getCall(callId)).toMatchObject({ state: 'terminated' });
    // What the survey costs in Graph requests: one playPrompt per question and one for the thanks.
    const surveyPrompts = emulator.requests.filter(
      (r) => r.callId === callId && r.path.endsWith('/playPrompt') && JSON.stringify(r.body).includes('survey-'),
    );
    expect(surveyPrompts).toHaveLength(3);
  });

  it('the caller hangs up before the agent: no question is played, and a callerLeft row counts it', async () => {
    const emulator = stack.emulator!;
    emulator.setAgent('cc-agent-1', { onTransfer: 'accept', answerAfterMs: 50, talkMs: 60_000 });
    const { callId } = await emulator.placeCall({
      from: { phone: '+14255550161' },
      applicationInstanceId: LINE,
      hangUpAfterMs: 4000,
    });
    expect(await callResult(stack.client, callId, 60_000)).toMatchObject({ outcome: 'connected' });
    expect(await surveyRows(callId)).toEqual([
      { question_index: 0, queue: 'care', agent_id: 'cc-agent-1', answer: null, status: 'callerLeft' },
    ]);
    const asked = emulator.requests.filter((r) => r.callId === callId && JSON.stringify(r.body).includes('survey-'));
    expect(asked).toEqual([]);
  });
});
