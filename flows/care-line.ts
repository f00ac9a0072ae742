import type { FlowDefinition, PostCallSurvey } from '../src/contracts/flow-api.js';

/**
 * The post-call survey this line asks (issue 24, point 5): satisfaction 1–5 (the CSAT panel counts 4 and 5 as
 * satisfied, docs/metrics.md), then whether the question was resolved.
 */
export const CARE_SURVEY: PostCallSurvey = {
  questions: [
    { prompt: 'survey-satisfaction.wav', keys: ['1', '2', '3', '4', '5'] },
    { prompt: 'survey-resolved.wav', keys: ['1', '2'] },
  ],
  thanks: 'survey-thanks.wav',
};

/**
 * Customer care: the support queue with the agent put through by conference, so Switchboard stays in the call and,
 * when the agent hangs up, asks the caller the survey. A caller who hangs up first is not asked (and is counted).
 */
export const careLine: FlowDefinition = {
  name: 'care-line',
  description: 'Greeting, the support queue by conference, then a two-question survey when the agent leaves',
  numbers: ['ra-care'],
  country: 'US',
  async run(call) {
    await call.play('greeting.wav');
    await call.queue('support', { connectBy: 'conference', survey: CARE_SURVEY });
  },
};
