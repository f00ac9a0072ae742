/** A menu's options: each key a keypad key, each option leading somewhere (a function that does something). */
import ts from 'typescript';
import { isFunctionLike, isStringLiteralLike, resolveFunction, unwrap } from './ast.js';
import type { Problems } from './problems.js';
import type { FlowsProgram } from './program.js';

const KEYS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);

/** The `options` of a `call.menu(…)` given as an object literal (a variable is checked at run time). */
export function checkMenuOptions(fp: FlowsProgram, problems: Problems, options: ts.Node | undefined): void {
  if (!options) return;
  const obj = ts.isExpression(options) ? unwrap(options) : options;
  if (!ts.isObjectLiteralExpression(obj)) return;
  if (obj.properties.length === 0) problems.report(obj, 'menu has no options: every key would be invalid');
  for (const member of obj.properties) {
    if (ts.isSpreadAssignment(member)) continue;
    const name = member.name;
    const key =
      name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
    if (key !== undefined && !KEYS.has(key))
      problems.report(name!, `menu option '${key}' is not a keypad key (0-9, *, #)`);
    const label = `menu option '${key ?? name?.getText() ?? '?'}'`;
    let target: ts.Node | undefined;
    if (ts.isPropertyAssignment(member)) target = member.initializer;
    else if (ts.isShorthandPropertyAssignment(member)) target = member.name;
    else if (ts.isMethodDeclaration(member)) target = member;
    if (!target) continue;
    const why = leadsNowhere(fp, target);
    if (why) problems.report(member, `${label} leads nowhere: ${why}`);
  }
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
