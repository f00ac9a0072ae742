import type { Prompt } from './api.js';
import type { CallContext } from './context.js';

/** The play verb: prompts in order, until they finish; what the flow sees of a failure is `failed`, not an error. */
export function playVerb(ctx: CallContext, prompt: Prompt | Prompt[]): Promise<'completed' | 'failed' | 'hungUp'> {
  const { session } = ctx;
  const files = (Array.isArray(prompt) ? prompt : [prompt]).map((p) => ctx.promptFile(p));
  return ctx.verb('play', { prompts: files }, async () => {
    if (session.terminated) return 'hungUp';
    const context = files[0]!.replace(/\.wav$/, '').replace(/[^A-Za-z0-9-]/g, '-');
    const result = await session.play(
      files.map((f) => ctx.promptUri(f)),
      context,
    );
    if (session.terminated) return 'hungUp';
    return result === 'completed' ? 'completed' : 'failed';
  });
}
