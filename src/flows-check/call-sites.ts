/**
 * Which literals reach a verb's argument: a literal, a const, both branches of a conditional, or what the callers of a
 * flows/ function pass to the parameter the verb is given.
 */
import ts from 'typescript';
import {
  isFunctionLike,
  isStringLiteralLike,
  resolveFunction,
  resolveSymbol,
  unwrap,
  type FunctionLike,
} from './ast.js';
import type { FlowsProgram } from './program.js';

/** A string literal found for an argument, and the node to report a problem at. */
export interface LiteralString {
  value: string;
  node: ts.Node;
  /** Set when the literal was passed to a sub-flow's parameter: "as afterQueue's box". */
  via?: string;
}

/**
 * Index of the calls to each function declared in flows/, so that a verb given one of the function's parameters
 * (`call.voicemail(box)` in `afterQueue(call, result, box)`) is checked with the literals its callers pass.
 */
export class CallSites {
  private readonly sites = new Map<FunctionLike, ts.CallExpression[]>();

  constructor(private readonly fp: FlowsProgram) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const fn = resolveFunction(fp, node.expression);
        if (fn) {
          const list = this.sites.get(fn) ?? [];
          list.push(node);
          this.sites.set(fn, list);
        }
      }
      ts.forEachChild(node, visit);
    };
    for (const file of fp.files) visit(file);
  }

  of(fn: FunctionLike): readonly ts.CallExpression[] {
    return this.sites.get(fn) ?? [];
  }

  /**
   * The string literals an expression can be: a literal, both branches of `c ? 'a' : 'b'`, or, for a parameter of
   * a function in flows/, what its callers pass (only callers inside `within`, when given). Anything else: none —
   * it is checked at run time.
   */
  literals(
    expr: ts.Node,
    within?: (call: ts.CallExpression) => boolean,
    seen: Set<ts.Node> = new Set(),
  ): LiteralString[] {
    const e = ts.isExpression(expr) ? unwrap(expr) : expr;
    if (seen.has(e)) return [];
    seen.add(e);
    if (isStringLiteralLike(e)) return [{ value: e.text, node: e }];
    if (ts.isConditionalExpression(e))
      return [...this.literals(e.whenTrue, within, seen), ...this.literals(e.whenFalse, within, seen)];
    if (!ts.isIdentifier(e)) return [];
    const symbol = resolveSymbol(this.fp.checker, e);
    const decl = symbol?.valueDeclaration;
    if (decl && ts.isParameter(decl) && ts.isIdentifier(decl.name) && isFunctionLike(decl.parent)) {
      const fn = decl.parent;
      const index = fn.parameters.indexOf(decl);
      const fnName =
        fn.name && ts.isIdentifier(fn.name)
          ? fn.name.text
          : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)
            ? fn.parent.name.text
            : 'a function';
      const out: LiteralString[] = [];
      for (const site of this.of(fn)) {
        if (within && !within(site)) continue;
        const arg = site.arguments[index];
        if (!arg) continue;
        for (const lit of this.literals(arg, within, seen))
          out.push({ ...lit, via: lit.via ?? `as ${fnName}'s ${decl.name.text}` });
      }
      return out;
    }
    if (
      decl &&
      ts.isVariableDeclaration(decl) &&
      decl.initializer &&
      ts.isVariableDeclarationList(decl.parent) &&
      decl.parent.flags & ts.NodeFlags.Const
    ) {
      return this.literals(decl.initializer, within, seen);
    }
    return [];
  }
}
