import type { Key, MenuOptions } from './api.js';
import type { CallContext } from './context.js';
import { clamp } from './limits.js';

/**
 * A menu: prompt, one key, run what it leads to. No input and invalid keys get their prompt and another try, up
 * to `retries`; then the fallback (or nothing). Each try is on the timeline as `verb:menu`, not as a gather.
 */
export async function menuVerb<T>(ctx: CallContext, options: MenuOptions<T>): Promise<T | undefined> {
  const { call, recorder } = ctx;
  const retries = clamp(options.retries ?? 2, 0, 5);
  const keys = Object.keys(options.options);
  for (let attempt = 0; attempt <= retries; attempt++) {
    const input = await ctx.verb('menu', { keys, attempt: attempt + 1 }, () =>
      ctx.steps.gather({
        prompt: options.prompt,
        maxDigits: 1,
        terminator: null,
        timeoutSeconds: clamp(options.timeoutSeconds ?? 5, 1, 60),
      }),
    );
    if (input.status === 'hungUp') return undefined;
    if (input.status === 'digits') {
      const next = options.options[input.digits as Key];
      if (next) {
        recorder.event('verb:menu:choice', { key: input.digits });
        return next(call);
      }
      recorder.event('verb:menu:invalid', { key: input.digits });
      if (options.invalidPrompt !== undefined && attempt < retries) await call.play(options.invalidPrompt);
    } else {
      recorder.event('verb:menu:noInput', {});
      if (options.noInputPrompt !== undefined && attempt < retries) await call.play(options.noInputPrompt);
    }
    if (ctx.session.terminated) return undefined;
  }
  recorder.event('verb:menu:triesUsed', {});
  return options.fallback ? options.fallback(call) : undefined;
}
