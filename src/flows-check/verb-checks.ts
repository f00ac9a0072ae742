/**
 * Every `Call` verb called in flows/ with literals: its prompts exist and play, and the queues, voicemail boxes,
 * schedules and lookups it names exist. Where a verb leaves a prompt out, the runtime's default is checked instead.
 */
import ts from 'typescript';
import { callVerb, objectProperties, optionProperty, unwrap } from './ast.js';
import type { CallSites } from './call-sites.js';
import { checkMenuOptions } from './menu-options.js';
import type { Problems } from './problems.js';
import type { FlowsProgram } from './program.js';
import type { PromptChecker } from './prompts.js';
import { checkName, type Registries } from './registries.js';
import { checkQueueSurvey } from './survey-checks.js';
import { CALLBACK_PROMPTS, type RuntimeDefaults } from './runtime-defaults.js';

export interface VerbCheckContext {
  fp: FlowsProgram;
  sites: CallSites;
  problems: Problems;
  prompts: PromptChecker;
  registries: Registries;
  defaults: RuntimeDefaults;
}

/** A callback offer's prompts: those given, and the runtime's defaults for those left out. */
function checkCallbackOffer(ctx: VerbCheckContext, offer: ts.Node | undefined, at: ts.Node, context: string): void {
  const e = offer && ts.isExpression(offer) ? unwrap(offer) : offer;
  if (e && !ts.isObjectLiteralExpression(e)) return; // a variable: checked at run time
  const props = e ? objectProperties(e) : new Map<string, { value: ts.Node }>();
  for (const field of CALLBACK_PROMPTS) {
    const given = props.get(field)?.value;
    if (given) ctx.prompts.check(given, context);
    else {
      const fallback = ctx.defaults.callbackOffer[field];
      const problem = fallback === undefined ? undefined : ctx.prompts.problem(fallback);
      if (problem) ctx.problems.report(at, `${context}: default ${field}: ${problem}`);
    }
  }
}

function checkVerbCall(ctx: VerbCheckContext, node: ts.CallExpression): void {
  const { fp, sites, problems, prompts, registries, defaults } = ctx;
  const { queues, boxes, schedules, lookups } = registries;
  const verb = callVerb(fp.checker, node);
  const [a0, a1] = node.arguments;
  switch (verb) {
    case 'play':
    case 'hangup':
      prompts.check(a0);
      break;
    case 'gather':
      prompts.check(optionProperty(a0, 'prompt'));
      break;
    case 'menu':
      for (const field of ['prompt', 'invalidPrompt', 'noInputPrompt']) prompts.check(optionProperty(a0, field));
      checkMenuOptions(fp, problems, optionProperty(a0, 'options'));
      break;
    case 'queue': {
      if (a0) for (const lit of sites.literals(a0)) checkName(problems, queues, lit);
      const opts = a1 ? unwrap(a1) : undefined;
      if (opts && !ts.isObjectLiteralExpression(opts)) break; // options in a variable: checked at run time
      const holdMusic = optionProperty(opts, 'holdMusic');
      if (holdMusic) prompts.check(holdMusic);
      else if (defaults.holdMusic) {
        const problem = prompts.problem(defaults.holdMusic);
        if (problem) problems.report(node, `queue: default hold music: ${problem}`);
      }
      const offer = optionProperty(opts, 'callbackOffer');
      if (offer || optionProperty(opts, 'offerCallbackAfterSeconds'))
        checkCallbackOffer(ctx, offer, node, 'queue callback offer');
      checkQueueSurvey({ checker: fp.checker, sites, problems, prompts, queues }, node, a0, opts);
      break;
    }
    case 'offerCallback':
      if (a0) checkCallbackOffer(ctx, a0, node, 'offerCallback');
      break;
    case 'transfer': {
      const target = optionProperty(a0, 'queue');
      if (target) for (const lit of sites.literals(target)) checkName(problems, queues, lit);
      break;
    }
    case 'voicemail':
      if (a0) for (const lit of sites.literals(a0)) checkName(problems, boxes, lit);
      break;
    case 'isOpen':
      if (a0) for (const lit of sites.literals(a0)) checkName(problems, schedules, lit);
      break;
    case 'lookup':
      if (a0) for (const lit of sites.literals(a0)) checkName(problems, lookups, lit);
      break;
  }
}

/** Walks every file under flows/ and checks each verb call. */
export function checkVerbCalls(ctx: VerbCheckContext): void {
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) checkVerbCall(ctx, node);
    ts.forEachChild(node, visit);
  };
  for (const sf of ctx.fp.files) visit(sf);
}
