import { condition } from '@temporalio/workflow';
import type { GatherOptions, GatherResult, Key, MenuOptions } from './api.js';
import type { CallRuntime } from './runtime.js';

const clamp = (v: number | undefined, dflt: number, min: number, max: number) => Math.min(max, Math.max(min, v ?? dflt));

/**
 * Collect DTMF keys. A key pressed during the prompt stops it (barge-in) and counts. Keys pressed before the
 * gather started (type-ahead) count too: callers who know the menu don't wait for it.
 */
export async function gather(rt: CallRuntime, options: GatherOptions): Promise<GatherResult> {
  const { session } = rt;
  const maxDigits = clamp(options.maxDigits, 1, 1, 32);
  const terminator = options.terminator === undefined ? '#' : options.terminator;
  const firstKeyMs = clamp(options.timeoutSeconds, 5, 1, 60) * 1000;
  const nextKeyMs = clamp(options.interDigitSeconds, 3, 1, 30) * 1000;
  if (session.terminated) return { status: 'hungUp' };

  if (options.prompt !== undefined && session.keys.length === 0) {
    await session.play(rt.promptUris(options.prompt), 'gather', () => session.keys.length > 0);
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

/**
 * A menu: prompt, one key, run what it leads to. No input and invalid keys get their prompt and another try, up
 * to `retries`; then the fallback (or nothing).
 */
export async function menu<T>(
  rt: CallRuntime,
  options: MenuOptions<T>,
  verb: <R>(name: string, args: unknown, run: () => Promise<R>) => Promise<R>,
): Promise<T | undefined> {
  const retries = clamp(options.retries, 2, 0, 5);
  const keys = Object.keys(options.options);
  for (let attempt = 0; attempt <= retries; attempt++) {
    const input = await verb('menu', { keys, attempt: attempt + 1 }, () =>
      gather(rt, { prompt: options.prompt, maxDigits: 1, terminator: null, timeoutSeconds: clamp(options.timeoutSeconds, 5, 1, 60) }),
    );
    if (input.status === 'hungUp') return undefined;
    if (input.status === 'digits') {
      const next = options.options[input.digits as Key];
      if (next) {
        rt.recorder.event('verb:menu:choice', { key: input.digits });
        return next(rt);
      }
      rt.recorder.event('verb:menu:invalid', { key: input.digits });
      if (options.invalidPrompt !== undefined && attempt < retries) await rt.play(options.invalidPrompt);
    } else {
      rt.recorder.event('verb:menu:noInput', {});
      if (options.noInputPrompt !== undefined && attempt < retries) await rt.play(options.noInputPrompt);
    }
    if (rt.session.terminated) return undefined;
  }
  rt.recorder.event('verb:menu:triesUsed', {});
  return options.fallback ? options.fallback(rt) : undefined;
}
