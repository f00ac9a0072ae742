/**
 * A post-call survey given by a flow (`call.queue(name, { survey })`, issue 24 point 5): its prompts exist and play,
 * and the wait puts the agent through by conference (the option's `connectBy`, else the queue's), since after a
 * transfer Switchboard has left the call and nobody can ask the questions (docs/routing.md).
 */
import ts from 'typescript';
import { literalValue, optionProperty, UNKNOWN } from './ast.js';
import type { CallSites } from './call-sites.js';
import type { Problems } from './problems.js';
import type { PromptChecker } from './prompts.js';
import type { Registry } from './registries.js';

interface SurveyCheck {
  checker: ts.TypeChecker;
  sites: CallSites;
  problems: Problems;
  prompts: PromptChecker;
  queues: Registry;
}

export function checkQueueSurvey(
  c: SurveyCheck,
  node: ts.CallExpression,
  queueArg: ts.Node | undefined,
  opts: ts.Expression | undefined,
): void {
  const survey = optionProperty(opts, 'survey');
  if (!survey) return;
  const value = literalValue(c.checker, survey);
  if (value !== UNKNOWN && value && typeof value === 'object') {
    const { questions, thanks } = value as { questions?: { prompt?: unknown }[]; thanks?: unknown };
    const files = [...(Array.isArray(questions) ? questions.map((q) => q?.prompt) : []), thanks];
    for (const file of files) {
      const problem = typeof file === 'string' ? c.prompts.problem(file) : undefined;
      if (problem) c.problems.report(survey, `queue survey: ${problem}`);
    }
  }
  const given = optionProperty(opts, 'connectBy');
  const connectBy = given ? literalValue(c.checker, given) : undefined;
  if (connectBy === 'conference' || connectBy === UNKNOWN) return;
  // Not said for this wait: each queue the call may wait in says it.
  const names = queueArg ? c.sites.literals(queueArg).map((l) => l.value) : [];
  const transfers = names.filter((name) => {
    const entry = c.queues.entries?.find((e) => e.name === name);
    const queue = entry ? literalValue(c.checker, entry.value) : UNKNOWN;
    return queue !== UNKNOWN && (queue as { connectBy?: unknown } | null)?.connectBy !== 'conference';
  });
  if (connectBy === 'transfer' || transfers.length > 0)
    c.problems.report(
      survey,
      `queue survey: ${connectBy === 'transfer' ? 'this wait connects' : `queue ${transfers.join(', ')} connects`} by transfer, after which Switchboard has left the call and cannot ask; add connectBy: 'conference'`,
    );
}
