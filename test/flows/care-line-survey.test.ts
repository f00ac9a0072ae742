/**
 * Issue 24, points 5 and 7: the shipped care line (flows/care-line.ts) asks a post-call survey. The flow test kit
 * drives it: the test makes the agent leave the group call (graph.conference), the caller answers each question as
 * its prompt plays (SimulatedCaller.answersSurvey), and the rows the survey activity writes are read back
 * (SimulatedCaller.survey). One FlowTest for the file, on the time-skipping server; every history replays at the end.
 */
import { describe, expect, it } from 'vitest';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import type { FlowTest, SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { queues } from '../../flows/index.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const [adele] = queues.support!.agents as [string];
// One FlowTest per test: a test's leftovers (an agent's wrap-up, a queue's state) never decide the next one's call.
const flowTests = flowTestEachTest();
let t: FlowTest;

/** Let workflow time pass (the agent's ring, the whisper and its key) until the caller is put through. */
async function conferenced(caller: SimulatedCaller): Promise<void> {
  for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
  expect(t.graph.eventTypes(caller.callId)).toContain('conferenced');
}

/** A caller on the care line, talking to Adele, on a FlowTest of its own. */
async function talkingToAdele(from: string): Promise<SimulatedCaller> {
  t = await flowTests.start();
  const caller = await t.call({ dial: 'ra-care', from });
  await conferenced(caller);
  return caller;
}

describe('care line: post-call survey (FlowTest)', () => {
  it('the agent leaves: the caller hears both questions, presses 4 and 1, and both answers are written', async () => {
    const caller = await talkingToAdele('+14255550181');
    await t.graph.conference.agentLeaves(caller.callId, adele);
    await caller.answersSurvey([
      { prompt: 'survey-satisfaction.wav', key: '4' },
      { prompt: 'survey-resolved.wav', key: '1' },
    ]);
    await caller.hears('survey-thanks.wav');
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(
      caller.survey().map(({ questionIndex, status, answer, queue, agentId }) => ({
        questionIndex,
        status,
        answer,
        queue,
        agentId,
      })),
    ).toEqual([
      { questionIndex: 1, status: 'answered', answer: '4', queue: 'support', agentId: adele },
      { questionIndex: 2, status: 'answered', answer: '1', queue: 'support', agentId: adele },
    ]);
    // The timeline says a survey ran and how many answers it got, never the keys.
    const ended = caller.timeline().find((e) => e.type === 'surveyEnded');
    expect(ended?.payload).toEqual({ questions: 2, answered: 2 });
  });

  it('a key the question does not take, and no key at all, are written as noAnswer', async () => {
    const caller = await talkingToAdele('+14255550182');
    await t.graph.conference.agentLeaves(caller.callId, adele);
    await caller.answersSurvey([
      { prompt: 'survey-satisfaction.wav', key: '9' },
      { prompt: 'survey-resolved.wav', key: null },
    ]);
    await caller.result();
    expect(caller.survey().map((r) => [r.questionIndex, r.status, r.answer])).toEqual([
      [1, 'noAnswer', undefined],
      [2, 'noAnswer', undefined],
    ]);
  });

  it('the caller hangs up before the agent: no survey is played, and that is counted (callerLeft)', async () => {
    const caller = await talkingToAdele('+14255550183');
    await t.graph.conference.callerLeaves(caller.callId);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(caller.heard()).not.toContain('survey-satisfaction.wav');
    expect(caller.survey().map((r) => [r.questionIndex, r.status, r.queue])).toEqual([[0, 'callerLeft', 'support']]);
  });

  it('the caller hangs up at the first question: that question is hungUp and the rest are not asked', async () => {
    const caller = await talkingToAdele('+14255550184');
    await t.graph.conference.agentLeaves(caller.callId, adele);
    await caller.hears('survey-satisfaction.wav');
    await caller.hangUp();
    await caller.result();
    expect(caller.survey().map((r) => [r.questionIndex, r.status])).toEqual([[1, 'hungUp']]);
    expect(caller.heard()).not.toContain('survey-resolved.wav');
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
