import { patched, proxyActivities } from '@temporalio/workflow';
import type { SurveyActivities, SurveyAnswer, SurveyResponses } from '../../src/contracts/activities/survey.js';
import type { SurveyConfig } from '../../src/contracts/queue-config.js';
import { POST_CALL_SURVEY_PATCH, SURVEY_WRITE_AFTER_CALL_PATCH } from '../patches.js';
import type { CallContext } from './context.js';
import { writeSurveyAfterCall } from './survey-write.js';

/**
 * The post-call survey (issue 24, point 5). Only a conference leaves Switchboard in the call after the agent hangs
 * up (connectBy 'conference'): then it plays each question (1–3) and takes one key. A caller who left before the
 * agent gets no survey; that is written too (`callerLeft`, question 0), so the surveys not offered are counted.
 */

/** Before SURVEY_WRITE_AFTER_CALL_PATCH: awaited before the call went on, and retried without limit (kept for replay). */
const surveys = proxyActivities<SurveyActivities>({
  startToCloseTimeout: '15s',
  // As the CDR's writes: Postgres being away never loses an answer; the call's row may land first (foreign key).
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Seconds a question waits for its key once its prompt has played. */
const ANSWER_SECONDS = 8;

/** Who took the call, for the rows. */
export interface SurveyedCall {
  queue: string;
  agentId: string;
}

/**
 * After a conference's talk: the survey when the agent left and the caller is still there, else `callerLeft`. Who
 * left first is the CDR's `talkEndedBy`, which the conference set from the roster (conference.ts).
 */
export async function postCallSurvey(
  ctx: CallContext,
  call: SurveyedCall,
  survey: SurveyConfig | undefined,
): Promise<void> {
  if (!survey || survey.questions.length === 0 || !patched(POST_CALL_SURVEY_PATCH)) return;
  const { session, recorder } = ctx;
  const endedBy = recorder.record.talkEndedBy;
  // The caller is never held by our database: the answers are written beside the rest of the call (survey-write.ts).
  const afterCall = patched(SURVEY_WRITE_AFTER_CALL_PATCH);
  const write = async (answers: SurveyAnswer[]) => {
    const responses: SurveyResponses = { callId: recorder.record.callId, ...call, answers };
    if (afterCall) writeSurveyAfterCall(recorder, responses);
    else await surveys.recordSurveyResponses(responses);
  };
  if (endedBy !== 'agent' || session.terminated) {
    recorder.event('surveyNotOffered', { reason: 'callerLeft', endedBy });
    await write([{ questionIndex: 0, status: 'callerLeft', at: new Date().toISOString() }]);
    return;
  }
  recorder.event('surveyStarted', { questions: survey.questions.length });
  // Keys pressed while talking to the agent are not answers: the first question starts with none waiting.
  session.keys.length = 0;
  const answers: SurveyAnswer[] = [];
  for (const [i, question] of survey.questions.entries()) {
    const got = await ctx.steps.gather({
      prompt: question.prompt,
      maxDigits: 1,
      terminator: null,
      timeoutSeconds: ANSWER_SECONDS,
    });
    const at = new Date().toISOString();
    const key = got.status === 'digits' ? got.digits : undefined;
    if (got.status === 'hungUp') {
      answers.push({ questionIndex: i + 1, status: 'hungUp', at });
      break;
    }
    // A key the question does not take is no answer: the rating scale is the admin's, not the caller's guess.
    if (key !== undefined && (question.keys as string[]).includes(key))
      answers.push({ questionIndex: i + 1, status: 'answered', answer: key, at });
    else answers.push({ questionIndex: i + 1, status: 'noAnswer', at });
  }
  // The answers themselves stay out of the timeline: only how many were given (and each key press is a `tone` entry
  // without its key, call-session.ts), so a rating is in survey_response alone.
  const answered = answers.filter((a) => a.status === 'answered').length;
  recorder.event('surveyEnded', { questions: answers.length, answered });
  if (survey.thanks && !session.terminated) await session.play(ctx.promptUris(survey.thanks), 'survey-thanks');
  await write(answers);
}

/** A survey with a transfer: Switchboard left the call with the caller, so nobody can ask (docs/routing.md). */
function surveyNotPossible(ctx: CallContext, survey: SurveyConfig | undefined): void {
  if (survey) ctx.recorder.event('surveyNotPossible', { reason: 'transferred' });
}

/**
 * The queue verb's hook once an agent took the call and the talk is over: the flow's survey for this wait, else the
 * queue's (in the assignment of the agent who took it). A conference stays in the call and can ask; a transfer cannot.
 */
export async function afterConnected(ctx: CallContext, agentId: string, flowSurvey: SurveyConfig | undefined) {
  const { recorder, session } = ctx;
  const survey = flowSurvey ?? session.assignment?.survey;
  if (recorder.record.connectedBy !== 'conference') return surveyNotPossible(ctx, survey);
  await postCallSurvey(ctx, { queue: recorder.record.queue ?? session.assignment?.queue ?? '', agentId }, survey);
}
