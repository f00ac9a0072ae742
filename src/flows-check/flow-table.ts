/**
 * The flow table, flows/flows.ts's `callFlows`: a summary of each flow, names unique, numbers unique across flows,
 * exactly one flow answering 'default'.
 */
import path from 'node:path';
import ts from 'typescript';
import {
  isFunctionLike,
  literalValue,
  objectProperties,
  resolveFunction,
  resolveSymbol,
  unwrap,
  UNKNOWN,
} from './ast.js';
import type { CallSites, LiteralString } from './call-sites.js';
import { flowUsage } from './flow-usage.js';
import type { Problems } from './problems.js';
import { position, type FlowsProgram } from './program.js';
import type { FlowSummary } from './types.js';
import { isPhoneCountry } from '../phone/number.js';

export function readFlowTable(fp: FlowsProgram, sites: CallSites, problems: Problems): FlowSummary[] {
  const { checker, root } = fp;
  const file = fp.program.getSourceFile(path.join(fp.flowsDir, 'flows.ts'));
  if (!file) {
    problems.reportFile(
      'flows/flows.ts',
      'not found: it must export `callFlows`, the flows and the numbers they answer',
    );
    return [];
  }
  let decl: ts.VariableDeclaration | undefined;
  for (const s of file.statements) {
    if (ts.isVariableStatement(s))
      decl ??= s.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === 'callFlows');
  }
  const list = decl?.initializer ? unwrap(decl.initializer) : undefined;
  if (!decl || !list || !ts.isArrayLiteralExpression(list)) {
    if (!decl) problems.reportFile('flows/flows.ts', 'no `callFlows` array');
    return [];
  }

  const flows: Array<FlowSummary & { nameNode?: ts.Node; numberNodes: LiteralString[] }> = [];
  for (const element of list.elements) {
    let obj: ts.Expression | undefined = ts.isSpreadElement(element) ? undefined : unwrap(element);
    if (obj && ts.isIdentifier(obj)) {
      const d = resolveSymbol(checker, obj)?.valueDeclaration;
      obj = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
    }
    const at = position(root, obj ?? element);
    if (!obj || !ts.isObjectLiteralExpression(obj)) {
      flows.push({
        name: undefined,
        description: undefined,
        numbers: [],
        at: `${at.file}:${at.line}`,
        queues: [],
        voicemailBoxes: [],
        schedules: [],
        lookups: [],
        numberNodes: [],
      });
      continue;
    }
    const props = objectProperties(obj);
    const str = (key: string) => {
      const v = props.get(key) ? literalValue(checker, props.get(key)!.value) : UNKNOWN;
      return typeof v === 'string' ? v : undefined;
    };
    const numbersNode = props.get('numbers')?.value;
    const numberNodes: LiteralString[] = [];
    const numbersExpr = numbersNode && ts.isExpression(numbersNode) ? unwrap(numbersNode) : undefined;
    if (numbersExpr && ts.isArrayLiteralExpression(numbersExpr)) {
      for (const el of numbersExpr.elements) {
        const v = ts.isSpreadElement(el) ? UNKNOWN : literalValue(checker, el);
        if (typeof v === 'string') numberNodes.push({ value: v, node: el });
      }
    }
    // The line's country reads the numbers callers key (src/phone/number.ts): a code libphonenumber does not know
    // would silently read them in the caller's country instead.
    const countryNode = props.get('country')?.value;
    const country = countryNode ? literalValue(checker, countryNode) : UNKNOWN;
    if (countryNode && typeof country === 'string' && !isPhoneCountry(country))
      problems.report(
        countryNode,
        `country '${country}' is not a country code libphonenumber knows: use ISO 3166-1 alpha-2, upper case (e.g. 'GB', 'US', 'FR', 'DE')`,
      );
    const runNode = props.get('run')?.value;
    const run = runNode ? (isFunctionLike(runNode) ? runNode : resolveFunction(fp, runNode)) : undefined;
    const used = run ? flowUsage(fp, sites, run) : { queues: [], voicemailBoxes: [], schedules: [], lookups: [] };
    flows.push({
      name: str('name'),
      nameNode: props.get('name')?.value,
      description: str('description'),
      numbers: numberNodes.map((n) => n.value),
      numberNodes,
      at: `${at.file}:${at.line}`,
      ...used,
    });
  }

  // Names unique; numbers unique across flows; exactly one default.
  const names = new Map<string, string>();
  const numbers = new Map<string, string>();
  const defaults: LiteralString[] = [];
  for (const f of flows) {
    if (f.name !== undefined && f.nameNode) {
      const other = names.get(f.name);
      if (other) problems.report(f.nameNode, `flow name '${f.name}' is used twice (also at ${other})`);
      else names.set(f.name, f.at);
    }
    for (const n of f.numberNodes) {
      if (n.value === 'default') {
        defaults.push(n);
        continue;
      }
      const other = numbers.get(n.value);
      if (other)
        problems.report(n.node, `number '${n.value}' is answered by two flows: '${f.name ?? '?'}' and ${other}`);
      else numbers.set(n.value, `'${f.name ?? '?'}'`);
    }
  }
  const unreadable = flows.some((f) => f.name === undefined);
  if (defaults.length === 0 && !unreadable)
    problems.report(decl.name, "no flow answers 'default': calls to any other number would have no flow");
  for (const extra of defaults.slice(1)) {
    const first = position(root, defaults[0]!.node);
    problems.report(extra.node, `more than one flow answers 'default' (also at ${first.file}:${first.line})`);
  }
  return flows.map(({ nameNode: _n, numberNodes: _nn, ...f }) => f);
}
