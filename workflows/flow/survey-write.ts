import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, log, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { SurveyActivities, SurveyResponses } from '../../src/contracts/activities/survey.js';
import type { CallRecorder } from '../call-recorder.js';

/**
 * How long the survey's write is retried while Postgres is away (SURVEY_WRITE_AFTER_CALL_PATCH). The call workflow
 * stays open until the write ends, and an open run is never aged by Temporal, so its history (which holds the
 * answers, encrypted) would outlive the privacy promise if the write retried without limit. Temporal deletes a closed
 * history RETENTION_DAYS minus one day after it closed (docs/operations.md, "What Temporal keeps"): a call kept open a
 * day at most is gone from Temporal RETENTION_DAYS after it came, as promised. In Postgres the rows go with their call.
 */
export const SURVEY_WRITE_BOUND = '1 day';

/**
 * After the call: the caller has gone, so nobody waits between tries. Every 5 minutes at most once Postgres has been
 * away a while (about 300 tries in a day, where 30 s would make 2,880 history events for one survey).
 */
const surveysAfterCall = proxyActivities<SurveyActivities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: SURVEY_WRITE_BOUND,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/**
 * Write the survey's rows beside the rest of the call: the flow goes on at once (the thanks, the hang-up), and the
 * workflow's last CDR write waits for this one (CallRecorder.beside). A write that fails for good (Postgres away
 * longer than SURVEY_WRITE_BOUND, or refused) is on the timeline and in the log as `surveyWriteFailed`: how many
 * rows were lost and which failure, never the answers.
 */
export function writeSurveyAfterCall(recorder: CallRecorder, responses: SurveyResponses): void {
  recorder.beside(
    surveysAfterCall.recordSurveyResponses(responses).catch((err: unknown) => {
      const failure = { rows: responses.answers.length, failure: failureKind(err) };
      recorder.event('surveyWriteFailed', failure);
      log.warn('post-call survey answers not written', { callId: responses.callId, ...failure });
    }),
  );
}

/**
 * Which failure, not what it said: a Postgres error's message quotes the statement and its values (the answers).
 * `gaveUp` is the bound reached (Temporal stops when the next try would fall after it: the retry state is TIMEOUT,
 * the cause the last try's error); otherwise the error's class or its ApplicationFailure type.
 */
function failureKind(err: unknown): string {
  if (err instanceof ActivityFailure && err.retryState === RetryState.TIMEOUT) return 'gaveUp';
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) return 'gaveUp';
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  return cause instanceof Error ? cause.name : 'unknown';
}
