/**
 * The static reading of the flows from their AST: expressions unwrapped, object literals' properties, symbols and
 * functions resolved through imports, plain data evaluated from literals, the names defined in flows/index.ts,
 * voicemail-boxes.ts, schedules.ts and lookups.ts, and which `Call` verb a call invokes. Nothing here runs the
 * admins' code.
 */
import ts from 'typescript';
import { isUnder, type FlowsProgram } from './program.js';

/** `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x` → x. */
export function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isTypeAssertionExpression(e)
    )
      e = e.expression;
    else return e;
  }
}

export function isStringLiteralLike(e: ts.Node): e is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e);
}

/** A property's name as written, when it is a plain name, string or number (not computed). */
export function propertyName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  if (
    ts.isIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNumericLiteral(name) ||
    ts.isNoSubstitutionTemplateLiteral(name)
  )
    return name.text;
  if (ts.isPrivateIdentifier(name)) return undefined;
  return undefined;
}

/** The value expression of each plain property of an object literal (shorthand: the identifier; method: the method). */
export function objectProperties(
  obj: ts.ObjectLiteralExpression,
): Map<string, { name: ts.Node; value: ts.Node; member: ts.ObjectLiteralElementLike }> {
  const props = new Map<string, { name: ts.Node; value: ts.Node; member: ts.ObjectLiteralElementLike }>();
  for (const member of obj.properties) {
    if (ts.isPropertyAssignment(member)) {
      const key = propertyName(member.name);
      if (key !== undefined) props.set(key, { name: member.name, value: member.initializer, member });
    } else if (ts.isShorthandPropertyAssignment(member)) {
      props.set(member.name.text, { name: member.name, value: member.name, member });
    } else if (ts.isMethodDeclaration(member)) {
      const key = propertyName(member.name);
      if (key !== undefined) props.set(key, { name: member.name, value: member, member });
    }
  }
  return props;
}

/** The property `name` of an options argument, when that argument is an object literal. */
export function optionProperty(arg: ts.Expression | undefined, name: string): ts.Node | undefined {
  if (!arg) return undefined;
  const e = unwrap(arg);
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  return objectProperties(e).get(name)?.value;
}

/** The symbol an identifier names, through imports and re-exports. */
export function resolveSymbol(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  let symbol = checker.getSymbolAtLocation(node);
  if (!symbol && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) {
    symbol = checker.getShorthandAssignmentValueSymbol(node.parent);
  }
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol;
}

export type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

export function isFunctionLike(node: ts.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isMethodDeclaration(node)
  );
}

/** The function an expression refers to, when it is declared in flows/ (`sales`, `afterHours` imported, …). */
export function resolveFunction(fp: FlowsProgram, expr: ts.Node): FunctionLike | undefined {
  const e = ts.isExpression(expr) ? unwrap(expr) : expr;
  if (isFunctionLike(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const symbol = resolveSymbol(fp.checker, e);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!decl || !isUnder(fp.flowsDir, decl.getSourceFile().fileName)) return undefined;
  if (ts.isFunctionDeclaration(decl) && decl.body) return decl;
  if (ts.isVariableDeclaration(decl) && decl.initializer) {
    const init = unwrap(decl.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/** The initializer of a `const` declared in the same file (`const ADELE = '…'`, `const queueDefinitions = {…}`). */
export function constInitializer(checker: ts.TypeChecker, id: ts.Identifier): ts.Expression | undefined {
  const symbol = resolveSymbol(checker, id);
  const decl = symbol?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  const list = decl.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
  return decl.initializer;
}

/** The exported `const name = …` of a file. */
export function exportedConst(file: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (ts.isIdentifier(decl.name) && decl.name.text === name) return decl;
    }
  }
  return undefined;
}

export const UNKNOWN: unique symbol = Symbol('not a literal');

/** Evaluates plain data written as literals (objects, arrays, strings, numbers, consts); UNKNOWN for anything else. */
export function literalValue(checker: ts.TypeChecker | undefined, node: ts.Node, depth = 0): unknown {
  if (depth > 50) return UNKNOWN;
  const e = ts.isExpression(node) ? unwrap(node) : node;
  if (isStringLiteralLike(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand))
    return -Number(e.operand.text);
  if (ts.isIdentifier(e)) {
    if (e.text === 'undefined') return undefined;
    const init = checker ? constInitializer(checker, e) : undefined;
    return init ? literalValue(checker, init, depth + 1) : UNKNOWN;
  }
  if (ts.isArrayLiteralExpression(e)) {
    const out: unknown[] = [];
    for (const el of e.elements) {
      const v = ts.isSpreadElement(el) ? UNKNOWN : literalValue(checker, el, depth + 1);
      if (v === UNKNOWN) return UNKNOWN;
      out.push(v);
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, unknown> = {};
    for (const member of e.properties) {
      if (!ts.isPropertyAssignment(member)) return UNKNOWN;
      const key = propertyName(member.name);
      if (key === undefined) return UNKNOWN;
      const v = literalValue(checker, member.initializer, depth + 1);
      if (v === UNKNOWN) return UNKNOWN;
      out[key] = v;
    }
    return out;
  }
  return UNKNOWN;
}

/** One entry of a registry object (`queues`, `voicemailBoxes`, `schedules`, `lookups`): its key and value nodes. */
export interface RegistryEntry {
  name: string;
  nameNode: ts.Node;
  value: ts.Node;
}

/**
 * The entries of an exported registry object, read statically: `export const x = { … }` (with `as`/`satisfies`),
 * `export const x = someConst`, or `export const x = validate(…, definitions)` (its last argument, as
 * `validateQueues(agents, queueDefinitions)` in flows/index.ts). undefined when it is built some other way.
 */
export function registryEntries(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  exportName: string,
): RegistryEntry[] | undefined {
  const decl = exportedConst(file, exportName);
  if (!decl?.initializer) return undefined;
  const seen = new Set<ts.Node>();
  let e: ts.Expression | undefined = unwrap(decl.initializer);
  while (e && !seen.has(e)) {
    seen.add(e);
    if (ts.isObjectLiteralExpression(e)) {
      const entries: RegistryEntry[] = [];
      for (const member of e.properties) {
        if (ts.isSpreadAssignment(member)) return undefined;
        const key = ts.isShorthandPropertyAssignment(member) ? member.name.text : propertyName(member.name);
        if (key === undefined) return undefined;
        const value = ts.isPropertyAssignment(member)
          ? member.initializer
          : ts.isShorthandPropertyAssignment(member)
            ? member.name
            : member;
        entries.push({ name: key, nameNode: member.name ?? member, value });
      }
      return entries;
    }
    if (ts.isIdentifier(e)) {
      const init = constInitializer(checker, e);
      e = init ? unwrap(init) : undefined;
    } else if (ts.isCallExpression(e) && e.arguments.length > 0) {
      e = unwrap(e.arguments[e.arguments.length - 1]!);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The `Call` verb a call expression invokes (`call.play(…)` → 'play'), checked through the type checker. */
export function callVerb(checker: ts.TypeChecker, call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const symbol = checker.getSymbolAtLocation(callee.name);
  for (const decl of symbol?.declarations ?? []) {
    if (
      ts.isMethodSignature(decl) &&
      ts.isInterfaceDeclaration(decl.parent) &&
      decl.parent.name.text === 'Call' &&
      decl.getSourceFile().fileName.replace(/\\/g, '/').endsWith('/src/contracts/flow-api.ts')
    ) {
      return callee.name.text;
    }
  }
  return undefined;
}
