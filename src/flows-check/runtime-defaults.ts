/**
 * The defaults the flow runtime falls back to (hold music, the callback offer's prompts), read from workflows/flow/
 * so that the check of a verb that leaves them out never drifts from what the call would play.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { literalValue, UNKNOWN } from './ast.js';

/** The prompts of a callback offer, each with a default in workflows/flow/offer-callback.ts. */
export const CALLBACK_PROMPTS = [
  'prompt',
  'confirmPrompt',
  'enterNumberPrompt',
  'invalidNumberPrompt',
  'acceptedPrompt',
] as const;

export interface RuntimeDefaults {
  holdMusic?: string;
  callbackOffer: Partial<Record<(typeof CALLBACK_PROMPTS)[number], string>>;
}

export function readRuntimeDefaults(root: string): RuntimeDefaults {
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
