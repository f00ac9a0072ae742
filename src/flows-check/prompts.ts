/**
 * Prompts a flow names: each must be a file inside flows/prompts/ that Graph can play (16 kHz 16-bit mono PCM WAV).
 * Each file is read once per check.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describeWavFormat, isGraphPromptFormat, parseWav } from '../media/wav.js';
import { constInitializer, unwrap } from './ast.js';
import type { CallSites, LiteralString } from './call-sites.js';
import type { Problems } from './problems.js';
import type { FlowsProgram } from './program.js';

export class PromptChecker {
  private readonly promptsDir: string;
  private readonly results = new Map<string, string | undefined>();

  constructor(
    private readonly fp: FlowsProgram,
    private readonly sites: CallSites,
    private readonly problems: Problems,
  ) {
    this.promptsDir = path.join(fp.flowsDir, 'prompts');
  }

  /** What is wrong with the prompt file `file` (relative to flows/prompts/), or undefined when Graph can play it. */
  problem(file: string): string | undefined {
    if (this.results.has(file)) return this.results.get(file);
    let problem: string | undefined;
    const full = path.resolve(this.promptsDir, file);
    const rel = path.relative(this.promptsDir, full);
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
    this.results.set(file, problem);
    return problem;
  }

  private checkLiteral(lit: LiteralString, context?: string): void {
    const problem = this.problem(lit.value);
    if (problem)
      this.problems.report(lit.node, `${context ? `${context}: ` : ''}${problem}${lit.via ? ` (${lit.via})` : ''}`);
  }

  /** A Prompt | Prompt[] expression: literals, language variants `{ en: 'a.wav', fr: 'b.wav' }`, arrays of those. */
  check(expr: ts.Node | undefined, context?: string, depth = 0): void {
    if (!expr || depth > 20) return;
    const e = ts.isExpression(expr) ? unwrap(expr) : expr;
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) if (!ts.isSpreadElement(el)) this.check(el, context, depth + 1);
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      if (e.properties.length === 0)
        this.problems.report(e, `${context ? `${context}: ` : ''}a prompt with no language variants plays nothing`);
      for (const member of e.properties) {
        if (ts.isPropertyAssignment(member)) this.check(member.initializer, context, depth + 1);
      }
      return;
    }
    // `const MENU = { en: …, fr: … }` or a const array of prompts, named by a verb.
    const init = ts.isIdentifier(e) ? constInitializer(this.fp.checker, e) : undefined;
    if (init && (ts.isArrayLiteralExpression(unwrap(init)) || ts.isObjectLiteralExpression(unwrap(init)))) {
      this.check(init, context, depth + 1);
      return;
    }
    for (const lit of this.sites.literals(e)) this.checkLiteral(lit, context);
  }
}
