/**
 * Issue 24, point 5: a queue's post-call survey as `queues validate` (and start-up) checks it: 1 to 3 questions, each
 * a WAV prompt and the keys it takes; only on a queue that connects by conference, since after a transfer Switchboard
 * has left the call and nobody can ask (docs/routing.md). Every problem names the queue and the field.
 */
import { describe, expect, it } from 'vitest';
import { QueueValidationError, validateQueues, type QueueDefinition } from '../../src/routing/validate.js';

const agents = { a1: { name: 'Ann' } };
type Question = NonNullable<QueueDefinition['survey']>['questions'][number];
const rating: Question = { prompt: 'survey-satisfaction.wav', keys: ['1', '2', '3', '4', '5'] };
const resolved: Question = { prompt: 'survey-resolved.wav', keys: ['1', '2'] };

function problems(def: Partial<QueueDefinition>): string[] {
  try {
    validateQueues(agents, { care: { agents: ['a1'], ...def } as QueueDefinition });
  } catch (err) {
    expect(err).toBeInstanceOf(QueueValidationError);
    return (err as QueueValidationError).problems;
  }
  return [];
}

describe('queue survey', () => {
  it('a conference queue takes a survey of 1 to 3 questions, kept as written', () => {
    const survey = { questions: [rating, resolved], thanks: 'thanks.wav' };
    const q = validateQueues(agents, { care: { agents: ['a1'], connectBy: 'conference', survey } as QueueDefinition });
    expect(q.care!.survey).toEqual(survey);
  });

  it('is refused on a queue that puts agents through by transfer (the default), naming why', () => {
    expect(problems({ survey: { questions: [rating] } })).toEqual([
      "queue care: survey: a survey is played by Switchboard after the agent leaves, which needs connectBy 'conference'",
    ]);
    expect(problems({ connectBy: 'transfer', survey: { questions: [rating] } })).toHaveLength(1);
  });

  it('refuses no question, more than 3, a key that is not on a keypad, a key twice, no keys, and a prompt that is not a WAV', () => {
    const conference = { connectBy: 'conference' as const };
    expect(problems({ ...conference, survey: { questions: [] } })).toEqual([
      'queue care: survey.questions: a survey asks 1 to 3 questions',
    ]);
    expect(problems({ ...conference, survey: { questions: [rating, rating, rating, rating] } })).toEqual([
      'queue care: survey.questions: a survey asks 1 to 3 questions',
    ]);
    const bad = (question: unknown) =>
      problems({ ...conference, survey: { questions: [question] } as QueueDefinition['survey'] });
    expect(bad({ prompt: 'q.wav', keys: ['A'] })[0]).toMatch(/^queue care: survey\.questions\.0\.keys\.0: /);
    expect(bad({ prompt: 'q.wav', keys: ['1', '1'] })).toEqual([
      'queue care: survey.questions.0.keys: a key is listed twice',
    ]);
    expect(bad({ prompt: 'q.wav', keys: [] })).toEqual([
      'queue care: survey.questions.0.keys: list the keys that answer this question',
    ]);
    expect(bad({ prompt: 'question.mp3', keys: ['1'] })).toEqual([
      'queue care: survey.questions.0.prompt: a WAV file under flows/prompts/ (name.wav)',
    ]);
  });
});
