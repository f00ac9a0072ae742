/**
 * `switchboard flows validate` and `switchboard flows list` (issue 5, point 3): type-checks flows/ and checks, from
 * the AST, that every prompt, queue, voicemail box, schedule and lookup a flow names with a literal exists (prompts:
 * 16 kHz 16-bit mono PCM WAV under flows/prompts/), that every menu option leads somewhere, and that the flow table
 * in flows/flows.ts is consistent. Arguments that are not literals are checked by the flow runtime when the call
 * reaches them. The checker takes the root directory (the one holding flows/), so tests run it on a copy.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describeWavFormat, isGraphPromptFormat, parseWav } from '../media/wav.js';
import { validateSchedules } from '../schedules/evaluate.js';
import type { ScheduleDefinition } from '../schedules/types.js';
import {
  CallSites,
  callVerb,
  constInitializer,
  createFlowsProgram,
  isFunctionLike,
  isStringLiteralLike,
  literalValue,
  objectProperties,
  optionProperty,
  position,
  registryEntries,
  resolveFunction,
  resolveSymbol,
  unwrap,
  UNKNOWN,
  type FlowsProgram,
  type FunctionLike,
  type LiteralString,
  type RegistryEntry,
} from './ast.js';

export interface FlowProblem {
  /** Relative to the root, with forward slashes. */
  file: string;
  line: number;
  col: number;
  message: string;
  kind: 'type' | 'flow';
}

export interface FlowSummary {
  /** undefined when the entry of callFlows is not an object literal validate can read. */
  name: string | undefined;
  description: string | undefined;
  numbers: string[];
  /** Where the definition is (file:line). */
  at: string;
  queues: string[];
  voicemailBoxes: string[];
  schedules: string[];
  lookups: string[];
}

export interface FlowsCheck {
  problems: FlowProblem[];
  flows: FlowSummary[];
}

const KEYS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);
const CALLBACK_PROMPTS = [
  'prompt',
  'confirmPrompt',
  'enterNumberPrompt',
  'invalidNumberPrompt',
  'acceptedPrompt',
] as const;

interface Registry {
  label: string;
  plural: string;
  /** flows/<file>.ts */
  file: string;
  names: Set<string> | undefined;
  entries: RegistryEntry[] | undefined;
  /** Why names is undefined. */
  missing?: string;
}

/** Runtime defaults the flow runtime falls back to, read from workflows/flow/ so they never drift. */
interface RuntimeDefaults {
  holdMusic?: string;
  callbackOffer: Partial<Record<(typeof CALLBACK_PROMPTS)[number], string>>;
}

function readRuntimeDefaults(root: string): RuntimeDefaults {
  const read = (rel: string, name: string): unknown => {
    const file = path.join(root, 'workflows', 'flow', rel);
    if (!existsSync(file)) return undefined;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of sf.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && decl.name.text === name && decl.initializer) {
          const v = literalValue(undefined, decl.initializer);
          return v === UNKNOWN ? undefined : v;
        }
      }
    }
    return undefined;
  };
  const holdMusic = read('hold-music.ts', 'HOLD_MUSIC');
  const offer = read('offer-callback.ts', 'DEFAULT_CALLBACK_OFFER');
  const callbackOffer: RuntimeDefaults['callbackOffer'] = {};
  if (offer && typeof offer === 'object') {
    for (const k of CALLBACK_PROMPTS) {
      const v = (offer as Record<string, unknown>)[k];
      if (typeof v === 'string') callbackOffer[k] = v;
    }
  }
  return { holdMusic: typeof holdMusic === 'string' ? holdMusic : undefined, callbackOffer };
}

function quoteList(names: Iterable<string>): string {
  const list = [...names];
  return list.length ? list.join(', ') : 'none';
}

/** Runs every check; `typeCheck: false` skips the compiler diagnostics (for `flows list`). */
export async function checkFlows(
  rootDir: string,
  { typeCheck = true }: { typeCheck?: boolean } = {},
): Promise<FlowsCheck> {
  const fp = createFlowsProgram(rootDir);
  const { root, flowsDir, program, checker } = fp;
  const problems: FlowProblem[] = [];
  const seen = new Set<string>();
  const push = (p: FlowProblem) => {
    const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  const report = (node: ts.Node, message: string) => push({ ...position(root, node), message, kind: 'flow' });
  const reportFile = (rel: string, message: string) => push({ file: rel, line: 1, col: 1, message, kind: 'flow' });

  if (!existsSync(flowsDir) || !statSync(flowsDir).isDirectory()) {
    reportFile('flows', `no flows/ directory in ${root}`);
    return { problems, flows: [] };
  }

  // 1. The compiler's diagnostics, only those in flows/.
  if (typeCheck) {
    for (const d of fp.configErrors) {
      push({
        file: 'tsconfig.json',
        line: 1,
        col: 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
        kind: 'type',
      });
    }
    for (const sf of fp.files) {
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const text = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ');
        push({
          file: position(root, sf).file,
          line: line + 1,
          col: character + 1,
          message: `error TS${d.code}: ${text}`,
          kind: 'type',
        });
      }
    }
  }

  // 2. Prompts: existence and format, each file read once.
  const promptsDir = path.join(flowsDir, 'prompts');
  const promptResults = new Map<string, string | undefined>();
  const promptProblem = (file: string): string | undefined => {
    if (promptResults.has(file)) return promptResults.get(file);
    let problem: string | undefined;
    const full = path.resolve(promptsDir, file);
    const rel = path.relative(promptsDir, full);
    if (file === '' || path.isAbsolute(file) || rel.startsWith('..') || path.isAbsolute(rel)) {
      problem = `prompt '${file}' must be a file inside flows/prompts/`;
    } else if (!existsSync(full) || !statSync(full).isFile()) {
      problem = `prompt '${file}' not found in flows/prompts/`;
    } else {
      try {
        const info = parseWav(readFileSync(full));
        if (!isGraphPromptFormat(info)) {
          problem = `prompt '${file}' is ${describeWavFormat(info)}; Graph plays only PCM 16000 Hz 16-bit mono WAV`;
        }
      } catch (err) {
        problem = `prompt '${file}' is not a usable WAV file: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    promptResults.set(file, problem);
    return problem;
  };
  const checkPromptLiteral = (lit: LiteralString, context?: string) => {
    const problem = promptProblem(lit.value);
    if (problem) report(lit.node, `${context ? `${context}: ` : ''}${problem}${lit.via ? ` (${lit.via})` : ''}`);
  };

  const sites = new CallSites(fp);

  /** A Prompt | Prompt[] expression: literals, language variants `{ en: 'a.wav', fr: 'b.wav' }`, arrays of those. */
  const checkPromptExpr = (expr: ts.Node | undefined, context?: string, depth = 0): void => {
    if (!expr || depth > 20) return;
    const e = ts.isExpression(expr) ? unwrap(expr) : expr;
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) if (!ts.isSpreadElement(el)) checkPromptExpr(el, context, depth + 1);
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      if (e.properties.length === 0)
        report(e, `${context ? `${context}: ` : ''}a prompt with no language variants plays nothing`);
      for (const member of e.properties) {
        if (ts.isPropertyAssignment(member)) checkPromptExpr(member.initializer, context, depth + 1);
      }
      return;
    }
    // `const MENU = { en: …, fr: … }` or a const array of prompts, named by a verb.
    const init = ts.isIdentifier(e) ? constInitializer(checker, e) : undefined;
    if (init && (ts.isArrayLiteralExpression(unwrap(init)) || ts.isObjectLiteralExpression(unwrap(init)))) {
      checkPromptExpr(init, context, depth + 1);
      return;
    }
    for (const lit of sites.literals(e)) checkPromptLiteral(lit, context);
  };

  // 3. What the flows can name.
  const registry = async (
    fileName: string,
    exportName: string,
    label: string,
    plural = `${label}s`,
  ): Promise<Registry> => {
    const rel = `flows/${fileName}`;
    const full = path.join(flowsDir, fileName);
    const sf = program.getSourceFile(full);
    if (!sf) return { label, plural, file: rel, names: undefined, entries: undefined, missing: `${rel} not found` };
    const entries = registryEntries(checker, sf, exportName);
    if (entries) return { label, plural, file: rel, names: new Set(entries.map((e) => e.name)), entries };
    // Built some other way than an object literal: ask the module itself.
    try {
      const mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
      const value = mod[exportName];
      if (!value || typeof value !== 'object') throw new Error(`it exports no \`${exportName}\` object`);
      return { label, plural, file: rel, names: new Set(Object.keys(value)), entries: undefined };
    } catch (err) {
      reportFile(
        rel,
        `cannot read the ${label} names from \`${exportName}\`: ${err instanceof Error ? err.message : String(err)}`,
      );
      return { label, plural, file: rel, names: undefined, entries: undefined, missing: `${rel} could not be read` };
    }
  };
  const queues = await registry('index.ts', 'queues', 'queue');
  const boxes = await registry('voicemail-boxes.ts', 'voicemailBoxes', 'voicemail box', 'voicemail boxes');
  const schedules = await registry('schedules.ts', 'schedules', 'schedule');
  const lookups = await registry('lookups.ts', 'lookups', 'lookup');

  const checkName = (reg: Registry, lit: LiteralString, context?: string) => {
    if (reg.names?.has(lit.value)) return;
    const where = reg.names ? `${reg.plural} in ${reg.file}: ${quoteList(reg.names)}` : reg.missing;
    report(
      lit.node,
      `${context ? `${context}: ` : ''}unknown ${reg.label} '${lit.value}' (${where})${lit.via ? `, ${lit.via}` : ''}`,
    );
  };

  // 3a. Voicemail greetings.
  for (const entry of boxes.entries ?? []) {
    const value = ts.isExpression(entry.value) ? unwrap(entry.value) : entry.value;
    if (ts.isObjectLiteralExpression(value))
      checkPromptExpr(objectProperties(value).get('greeting')?.value, `voicemail box '${entry.name}' greeting`);
  }

  // 3b. Queue actions: their prompts, mailboxes and queues.
  for (const entry of queues.entries ?? []) {
    const def = ts.isExpression(entry.value) ? unwrap(entry.value) : entry.value;
    if (!ts.isObjectLiteralExpression(def)) continue;
    for (const [field, prop] of objectProperties(def)) {
      if (!field.endsWith('Action') || !ts.isExpression(prop.value)) continue;
      const action = unwrap(prop.value);
      if (!ts.isObjectLiteralExpression(action)) continue;
      const props = objectProperties(action);
      const context = `queue '${entry.name}' ${field}`;
      checkPromptExpr(props.get('prompt')?.value, context);
      const mailbox = props.get('mailbox')?.value;
      if (mailbox) for (const lit of sites.literals(mailbox)) checkName(boxes, lit, context);
      const target = props.get('queue')?.value;
      const type = props.get('type')?.value;
      if (target && type && literalValue(checker, type) === 'queue')
        for (const lit of sites.literals(target)) checkName(queues, lit, context);
    }
  }

  // 3c. Schedules: validateSchedules, each error at the field it is about.
  if (schedules.entries || schedules.names) {
    let defs: Record<string, ScheduleDefinition> | undefined;
    const entries = schedules.entries;
    if (entries) {
      const values = entries.map((e) => literalValue(checker, e.value));
      if (!values.includes(UNKNOWN))
        defs = Object.fromEntries(entries.map((e, i) => [e.name, values[i]])) as Record<string, ScheduleDefinition>;
    }
    if (!defs) {
      try {
        const mod = (await import(pathToFileURL(path.join(flowsDir, 'schedules.ts')).href)) as {
          schedules?: Record<string, ScheduleDefinition>;
        };
        defs = mod.schedules;
      } catch (err) {
        reportFile(schedules.file, `cannot load the schedules: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const e of defs ? validateSchedules(defs) : []) {
      const entry = entries?.find((x) => x.name === e.schedule);
      const message = `schedule '${e.schedule}': ${e.field}: ${e.message}`;
      if (entry) report(e.field === '(name)' ? entry.nameNode : locateField(entry.value, e.field), message);
      else reportFile(schedules.file, message);
    }
  }

  // 4. Every verb called with literals, in every file under flows/.
  const defaults = readRuntimeDefaults(root);
  const checkCallbackOffer = (offer: ts.Node | undefined, at: ts.Node, context: string) => {
    const e = offer && ts.isExpression(offer) ? unwrap(offer) : offer;
    if (e && !ts.isObjectLiteralExpression(e)) return; // a variable: checked at run time
    const props = e ? objectProperties(e) : new Map<string, { value: ts.Node }>();
    for (const field of CALLBACK_PROMPTS) {
      const given = props.get(field)?.value;
      if (given) checkPromptExpr(given, context);
      else {
        const fallback = defaults.callbackOffer[field];
        const problem = fallback === undefined ? undefined : promptProblem(fallback);
        if (problem) report(at, `${context}: default ${field}: ${problem}`);
      }
    }
  };
  const checkMenuOptions = (options: ts.Node | undefined) => {
    if (!options) return;
    const obj = ts.isExpression(options) ? unwrap(options) : options;
    if (!ts.isObjectLiteralExpression(obj)) return;
    if (obj.properties.length === 0) report(obj, 'menu has no options: every key would be invalid');
    for (const member of obj.properties) {
      if (ts.isSpreadAssignment(member)) continue;
      const name = member.name;
      const key =
        name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))
          ? name.text
          : undefined;
      if (key !== undefined && !KEYS.has(key)) report(name!, `menu option '${key}' is not a keypad key (0-9, *, #)`);
      const label = `menu option '${key ?? name?.getText() ?? '?'}'`;
      let target: ts.Node | undefined;
      if (ts.isPropertyAssignment(member)) target = member.initializer;
      else if (ts.isShorthandPropertyAssignment(member)) target = member.name;
      else if (ts.isMethodDeclaration(member)) target = member;
      if (!target) continue;
      const why = leadsNowhere(fp, target);
      if (why) report(member, `${label} leads nowhere: ${why}`);
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const verb = callVerb(checker, node);
      const [a0, a1] = node.arguments;
      switch (verb) {
        case 'play':
        case 'hangup':
          checkPromptExpr(a0);
          break;
        case 'gather':
          checkPromptExpr(optionProperty(a0, 'prompt'));
          break;
        case 'menu':
          for (const field of ['prompt', 'invalidPrompt', 'noInputPrompt']) checkPromptExpr(optionProperty(a0, field));
          checkMenuOptions(optionProperty(a0, 'options'));
          break;
        case 'queue': {
          if (a0) for (const lit of sites.literals(a0)) checkName(queues, lit);
          const opts = a1 ? unwrap(a1) : undefined;
          if (opts && !ts.isObjectLiteralExpression(opts)) break; // options in a variable: checked at run time
          const holdMusic = optionProperty(opts, 'holdMusic');
          if (holdMusic) checkPromptExpr(holdMusic);
          else if (defaults.holdMusic) {
            const problem = promptProblem(defaults.holdMusic);
            if (problem) report(node, `queue: default hold music: ${problem}`);
          }
          const offer = optionProperty(opts, 'callbackOffer');
          if (offer || optionProperty(opts, 'offerCallbackAfterSeconds'))
            checkCallbackOffer(offer, node, 'queue callback offer');
          break;
        }
        case 'offerCallback':
          if (a0) checkCallbackOffer(a0, node, 'offerCallback');
          break;
        case 'transfer': {
          const target = optionProperty(a0, 'queue');
          if (target) for (const lit of sites.literals(target)) checkName(queues, lit);
          break;
        }
        case 'voicemail':
          if (a0) for (const lit of sites.literals(a0)) checkName(boxes, lit);
          break;
        case 'isOpen':
          if (a0) for (const lit of sites.literals(a0)) checkName(schedules, lit);
          break;
        case 'lookup':
          if (a0) for (const lit of sites.literals(a0)) checkName(lookups, lit);
          break;
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const sf of fp.files) visit(sf);

  // 5. The flow table.
  const flows = readFlowTable(fp, sites, report, reportFile);

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { problems, flows };
}

/** Why a menu option's value leads nowhere, or undefined when it leads somewhere. */
function leadsNowhere(fp: FlowsProgram, target: ts.Node): string | undefined {
  const e = ts.isExpression(target) ? unwrap(target) : target;
  if (e.kind === ts.SyntaxKind.NullKeyword) return 'its value is null';
  if (ts.isIdentifier(e) && e.text === 'undefined') return 'its value is undefined';
  if (ts.isVoidExpression(e)) return 'its value is undefined';
  const fn = isFunctionLike(e) ? e : resolveFunction(fp, e);
  if (fn) {
    if (fn.body && ts.isBlock(fn.body) && fn.body.statements.length === 0) {
      return fn === e ? 'the function is empty' : `${e.getText()} is an empty function`;
    }
    return undefined;
  }
  if (
    isStringLiteralLike(e) ||
    ts.isNumericLiteral(e) ||
    ts.isObjectLiteralExpression(e) ||
    ts.isArrayLiteralExpression(e)
  )
    return `${e.getText()} is not a function`;
  const type = fp.checker.getTypeAtLocation(e);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void))
    return `${e.getText()} is ${fp.checker.typeToString(type)}`;
  if (type.getCallSignatures().length > 0) return undefined;
  if (type.isUnion() && type.types.some((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) {
    return `${e.getText()} may be ${type.types.some((t) => t.flags & ts.TypeFlags.Null) ? 'null' : 'undefined'}`;
  }
  return `${e.getText()} is not a function (${fp.checker.typeToString(type)})`;
}

/** The node of `field` ('holidays[3].date', 'weekly.mon[0]') inside an object literal; the closest one found. */
function locateField(value: ts.Node, field: string): ts.Node {
  let node: ts.Node = value;
  for (const part of field.match(/[^.[\]]+/g) ?? []) {
    const e = ts.isExpression(node) ? unwrap(node) : node;
    let next: ts.Node | undefined;
    if (ts.isObjectLiteralExpression(e)) next = objectProperties(e).get(part)?.value;
    else if (ts.isArrayLiteralExpression(e) && /^\d+$/.test(part)) next = e.elements[Number(part)];
    if (!next) break;
    node = next;
  }
  return node;
}

type Report = (node: ts.Node, message: string) => void;

function readFlowTable(
  fp: FlowsProgram,
  sites: CallSites,
  report: Report,
  reportFile: (rel: string, m: string) => void,
): FlowSummary[] {
  const { checker, root } = fp;
  const file = fp.program.getSourceFile(path.join(fp.flowsDir, 'flows.ts'));
  if (!file) {
    reportFile('flows/flows.ts', 'not found: it must export `callFlows`, the flows and the numbers they answer');
    return [];
  }
  let decl: ts.VariableDeclaration | undefined;
  for (const s of file.statements) {
    if (ts.isVariableStatement(s))
      decl ??= s.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === 'callFlows');
  }
  const list = decl?.initializer ? unwrap(decl.initializer) : undefined;
  if (!decl || !list || !ts.isArrayLiteralExpression(list)) {
    if (!decl) reportFile('flows/flows.ts', 'no `callFlows` array');
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
      if (other) report(f.nameNode, `flow name '${f.name}' is used twice (also at ${other})`);
      else names.set(f.name, f.at);
    }
    for (const n of f.numberNodes) {
      if (n.value === 'default') {
        defaults.push(n);
        continue;
      }
      const other = numbers.get(n.value);
      if (other) report(n.node, `number '${n.value}' is answered by two flows: '${f.name ?? '?'}' and ${other}`);
      else numbers.set(n.value, `'${f.name ?? '?'}'`);
    }
  }
  const unreadable = flows.some((f) => f.name === undefined);
  if (defaults.length === 0 && !unreadable)
    report(decl.name, "no flow answers 'default': calls to any other number would have no flow");
  for (const extra of defaults.slice(1)) {
    const first = position(root, defaults[0]!.node);
    report(extra.node, `more than one flow answers 'default' (also at ${first.file}:${first.line})`);
  }
  return flows.map(({ nameNode: _n, numberNodes: _nn, ...f }) => f);
}

/**
 * What a flow uses: the queues, voicemail boxes, schedules and lookups named by the verbs in its `run` and in every
 * function of flows/ it reaches (sub-flows, menu options), including literals passed to those functions' parameters.
 */
function flowUsage(
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

/** `file:line:col: message` lines and the summary, as `switchboard flows validate` prints them. */
export function formatCheck(check: FlowsCheck): { text: string; ok: boolean } {
  const { problems, flows } = check;
  if (problems.length === 0) {
    const numbers = new Set(flows.flatMap((f) => f.numbers).filter((n) => n !== 'default'));
    return { text: `flows OK: ${flows.length} flows, ${numbers.size} numbers\n`, ok: true };
  }
  const types = problems.filter((p) => p.kind === 'type').length;
  const structural = problems.length - types;
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(problems.length, 'problem')} in flows/ (${plural(types, 'type error')}, ${plural(structural, 'flow problem')})`,
  );
  return { text: `${lines.join('\n')}\n`, ok: false };
}

/** The `switchboard flows list` text. */
export function formatList(flows: readonly FlowSummary[]): string {
  const blocks = flows.map((f) => {
    const lines = [f.name ?? `(not a literal FlowDefinition, ${f.at})`];
    const row = (label: string, values: readonly string[] | string | undefined) =>
      lines.push(
        `  ${`${label}:`.padEnd(17)}${Array.isArray(values) ? (values.length ? values.join(', ') : '-') : (values ?? '-')}`,
      );
    row('numbers', f.numbers);
    row('description', f.description);
    row('queues', f.queues);
    row('voicemail boxes', f.voicemailBoxes);
    row('schedules', f.schedules);
    row('lookups', f.lookups);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
