/**
 * The post-call survey never holds the caller on the line by our database (SURVEY_WRITE_AFTER_CALL_PATCH): with
 * Postgres away (the flow test kit's survey store refusing writes, as Postgres does), the call is hung up after the
 * thanks, and the answers land once Postgres is back; away for longer than SURVEY_WRITE_BOUND (a day, the privacy
 * bound: Temporal keeps a closed call's history RETENTION_DAYS minus one day), the write gives up and the timeline
 * says so without the answers. The shipped care line (flows/care-line.ts) on the time-skipping server.
 */
import { describe, expect, it } from 'vitest';
import { flowTestEachTest } from '../../devkit/flow-testing/each-test.js';
import type { FlowTest, SimulatedCaller } from '../../devkit/flow-testing/index.js';
import { queues } from '../../flows/index.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const [adele] = queues.support!.agents as [string];
const flowTests = flowTestEachTest();

/** Wait (real time) until `check` holds, failing with `what` after 15 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A caller on the care line put through to Adele. */
async function talkingToAdele(t: FlowTest, from: string): Promise<SimulatedCaller> {
  const caller = await t.call({ dial: 'ra-care', from });
  for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
  expect(t.graph.eventTypes(caller.callId)).toContain('conferenced');
  return caller;
}

/** Adele leaves: the caller answers the survey (4, then 1) with Postgres away, and hears the thanks. */
async function surveyWithPostgresAway(t: FlowTest, caller: SimulatedCaller): Promise<void> {
  t.graph.surveyStoreDown = true;
  await t.graph.conference.agentLeaves(caller.callId, adele);
  await caller.answersSurvey([
    { prompt: 'survey-satisfaction.wav', key: '4' },
    { prompt: 'survey-resolved.wav', key: '1' },
  ]);
  await caller.hears('survey-thanks.wav');
}

/** Our own hang-up (Graph's DELETE of the call) has been asked for and Graph says the call is over. */
function hungUpByUs(t: FlowTest, caller: SimulatedCaller): boolean {
  return (
    t.graph.requests.some((r) => r.op === 'delete' && r.callId === caller.callId) &&
    t.graph.stateOf(caller.callId) === 'terminated'
  );
}

describe('post-call survey with Postgres away (FlowTest)', () => {
  it('the caller is hung up after the thanks while the write fails; the answers land when Postgres is back', async () => {
    const t = await flowTests.start();
    const caller = await talkingToAdele(t, '+14255550191');
    const testService = t.env.connection.testService!;
    // Real time from here: the retries come 1, 2, 4… s apart instead of being skipped through to the day's bound.
    await testService.lockTimeSkipping({});
    try {
      await surveyWithPostgresAway(t, caller);
      await until(() => hungUpByUs(t, caller), 'the call to be hung up with the survey write failing');
      expect(t.graph.surveyWriteAttempts).toBeGreaterThanOrEqual(1);
      expect(caller.survey()).toEqual([]);
      // The CDR says the call is over while its answers wait: the outcome is a milestone, written at once.
      await until(() => caller.record()?.outcome === 'connected', 'the CDR to say the call ended');
      t.graph.surveyStoreDown = false;
    } finally {
      await testService.unlockTimeSkipping({});
    }
    // The workflow ends once the answers are in.
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(caller.survey().map((r) => [r.questionIndex, r.status, r.answer])).toEqual([
      [1, 'answered', '4'],
      [2, 'answered', '1'],
    ]);
    expect(caller.timeline().map((e) => e.type)).not.toContain('surveyWriteFailed');
  });

  it('Postgres away for more than a day: the call ends, the write gives up, and the timeline says so without the answers', async () => {
    const t = await flowTests.start();
    const caller = await talkingToAdele(t, '+14255550192');
    await surveyWithPostgresAway(t, caller);
    // The write's retries are skipped through (time-skipping) until its bound.
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: adele });
    expect(t.graph.requests.some((r) => r.op === 'delete' && r.callId === caller.callId)).toBe(true);
    expect(caller.survey()).toEqual([]);
    const timeline = caller.timeline();
    const failed = timeline.filter((e) => e.type === 'surveyWriteFailed');
    expect(failed.map((e) => e.payload)).toEqual([{ rows: 2, failure: 'gaveUp' }]);
    // In workflow time (not a measure of speed), the write gave up at its bound: Temporal stops as soon as the next
    // try would fall after it, so within the last 5-minute interval of the day.
    const surveyEnded = timeline.find((e) => e.type === 'surveyEnded')!;
    const triedForMs = Date.parse(failed[0]!.at) - Date.parse(surveyEnded.at);
    expect(triedForMs).toBeGreaterThan(24 * 3600_000 - 5 * 60_000);
    expect(triedForMs).toBeLessThanOrEqual(24 * 3600_000);
    // The CDR's end is the hang-up, not the write's: the outcome went out at once.
    expect(Date.parse(caller.record()!.endedAt!) - Date.parse(surveyEnded.at)).toBeLessThan(60_000);
    // About 300 tries in the day (every 5 minutes once backed off), not 2,880.
    expect(t.graph.surveyWriteAttempts).toBeGreaterThan(250);
    expect(t.graph.surveyWriteAttempts).toBeLessThan(320);
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(flowTests.replay, ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
