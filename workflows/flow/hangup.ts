import type { Prompt } from './api.js';
import type { CallContext } from './context.js';

/** The hangup verb: a goodbye if asked for and the caller is still there, then the end of the call. */
export async function hangupVerb(ctx: CallContext, prompt?: Prompt): Promise<void> {
  const { session } = ctx;
  await ctx.verb('hangup', prompt ? { prompt: ctx.promptFile(prompt) } : undefined, async () => {
    if (prompt && !session.terminated) await session.play(ctx.promptUris(prompt), 'goodbye');
    ctx.outcome ??= 'ended';
    await session.hangUpQuietly();
  });
}
