/** What a flow uses, for `switchboard flows list`: the names its verbs give, through every function it reaches. */
import ts from 'typescript';
import { callVerb, isFunctionLike, optionProperty, resolveFunction, type FunctionLike } from './ast.js';
import type { CallSites } from './call-sites.js';
import type { FlowsProgram } from './program.js';
import type { FlowSummary } from './types.js';

/**
 * What a flow uses: the queues, voicemail boxes, schedules and lookups named by the verbs in its `run` and in every
 * function of flows/ it reaches (sub-flows, menu options), including literals passed to those functions' parameters.
 */
export function flowUsage(
  fp: FlowsProgram,
  sites: CallSites,
  run: FunctionLike,
): Pick<FlowSummary, 'queues' | 'voicemailBoxes' | 'schedules' | 'lookups'> {
  const reachable: FunctionLike[] = [];
  const inFlow = new Set<ts.Node>();
  const discover = (fn: FunctionLike) => {
    if (inFlow.has(fn)) return;
    inFlow.add(fn);
    reachable.push(fn);
    const walk = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        const target = resolveFunction(fp, node);
        if (target) discover(target);
      }
      ts.forEachChild(node, walk);
    };
    if (fn.body) walk(fn.body);
  };
  discover(run);
  const within = (call: ts.CallExpression) => {
    for (let n: ts.Node | undefined = call.parent; n; n = n.parent) if (inFlow.has(n)) return true;
    return false;
  };
  const used = {
    queues: new Set<string>(),
    voicemailBoxes: new Set<string>(),
    schedules: new Set<string>(),
    lookups: new Set<string>(),
  };
  const add = (set: Set<string>, expr: ts.Node | undefined) => {
    if (expr) for (const lit of sites.literals(expr, within)) set.add(lit.value);
  };
  for (const fn of reachable) {
    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const [a0] = node.arguments;
        switch (callVerb(fp.checker, node)) {
          case 'queue':
            add(used.queues, a0);
            break;
          case 'transfer':
            add(used.queues, optionProperty(a0, 'queue'));
            break;
          case 'voicemail':
            add(used.voicemailBoxes, a0);
            break;
          case 'isOpen':
            add(used.schedules, a0);
            break;
          case 'lookup':
            add(used.lookups, a0);
            break;
        }
      }
      // Nested functions are walked as part of the one they are in; a reachable nested one only once.
      if (node !== fn && isFunctionLike(node) && reachable.includes(node)) return;
      ts.forEachChild(node, walk);
    };
    walk(fn);
  }
  return {
    queues: [...used.queues],
    voicemailBoxes: [...used.voicemailBoxes],
    schedules: [...used.schedules],
    lookups: [...used.lookups],
  };
}
