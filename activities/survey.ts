import type { MikroORM } from '@mikro-orm/postgresql';
import type { SurveyActivities, SurveyResponses } from '../src/contracts/activities/survey.js';

/** The post-call survey's answers (issue 24, point 5): one `survey_response` row per question, keyed by call. */
export function createSurveyActivities(orm: MikroORM): SurveyActivities {
  return {
    /**
     * The call's CDR row must exist first (the rows go with their call on erasure and retention): the recorder
     * writes it at the call's first milestone, long before a survey, and until it lands this insert fails on the
     * foreign key and the activity is retried.
     */
    async recordSurveyResponses(input: SurveyResponses): Promise<void> {
      if (input.answers.length === 0) return;
      const rows = input.answers.map((a) => ({
        call_id: input.callId,
        question_index: a.questionIndex,
        queue: input.queue,
        agent_id: input.agentId ?? null,
        answer: a.answer ?? null,
        status: a.status,
        answered_at: new Date(a.at),
      }));
      await orm.em.getKnex()('survey_response').insert(rows).onConflict(['call_id', 'question_index']).merge();
    },
  };
}
