import { condition } from '@temporalio/workflow';
import type { GatherOptions, GatherResult } from './api.js';
import type { CallContext } from './context.js';
import { clamp } from './limits.js';

/**
 * The gather verb, on the timeline as `verb:gather`. Its result there says how many keys were typed, never which:
 * a flow gathers account numbers, dates of birth, PINs, and the timeline is stored in clear. The flow has the digits.
 */
export function gatherVerb(ctx: CallContext, options: GatherOptions): Promise<GatherResult> {
  ctx.recorder.event('verb:gather', options);
  return collectKeys(ctx, options).then((result) => {
    ctx.recorder.event('verb:gather:done', keysTyped(result));
    return result;
  });
}

/** A gather's result as the timeline keeps it: `{ status: 'digits', count }` instead of the digits. */
export function keysTyped(result: GatherResult): unknown {
  return result.status === 'digits' ? { status: 'digits', count: result.digits.length } : result;
}

/**
 * Collect DTMF keys. A key pressed during the prompt stops it (barge-in) and counts. Keys pressed before the
 * gather started (type-ahead) count too: callers who know the menu don't wait for it.
 */
export async function collectKeys(ctx: CallContext, options: GatherOptions): Promise<GatherResult> {
  const { session } = ctx;
  const maxDigits = clamp(options.maxDigits ?? 1, 1, 32);
  const terminator = options.terminator === undefined ? '#' : options.terminator;
  const firstKeyMs = clamp(options.timeoutSeconds ?? 5, 1, 60) * 1000;
  const nextKeyMs = clamp(options.interDigitSeconds ?? 3, 1, 30) * 1000;
  if (session.terminated) return { status: 'hungUp' };

  if (options.prompt !== undefined && session.keys.length === 0) {
    await session.play(ctx.promptUris(options.prompt), 'gather', () => session.keys.length > 0);
  }
  let digits = '';
  for (;;) {
    const wait = digits === '' ? firstKeyMs : nextKeyMs;
    const got = await condition(() => session.keys.length > 0 || session.terminated, wait);
    if (session.terminated) return { status: 'hungUp' };
    if (!got) break;
    const key = session.keys.shift()!;
    if (terminator !== null && key === terminator) break;
    digits += key;
    if (digits.length >= maxDigits) break;
  }
  return digits === '' ? { status: 'noInput' } : { status: 'digits', digits };
}
