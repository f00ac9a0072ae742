/** The post-call survey's answers in Postgres (`survey_response`), as the call workflow writes them (activities/survey.ts). */

/**
 * How one survey question went: `answered` (a key it accepts), `noAnswer` (no key in time, or a key it does not
 * accept), `hungUp` (the caller hung up at this question). `callerLeft`, question 0: the caller left the conference
 * before the agent, so no survey was played.
 */
export type SurveyStatus = 'answered' | 'noAnswer' | 'hungUp' | 'callerLeft';

export interface SurveyAnswer {
  /** 1–3: the question's place in the survey; 0 for the call's `callerLeft` row. */
  questionIndex: number;
  status: SurveyStatus;
  /** The key pressed, for `answered`. */
  answer?: string;
  /** ISO, workflow time. */
  at: string;
}

export interface SurveyResponses {
  callId: string;
  queue: string;
  agentId?: string;
  answers: SurveyAnswer[];
}

export interface SurveyActivities {
  /** Idempotent on retry: a row per (call, question) is written once and a repeat replaces it. */
  recordSurveyResponses(input: SurveyResponses): Promise<void>;
}
