import { condition } from '@temporalio/workflow';
import type { CallSession } from '../call-session.js';

/**
 * What a waiting caller hears: the shipped track and how it is played in rounds, and the loops that keep it going
 * while agents ring or a person called back waits for one. Answering pre-fetches the track, the queue plays it, the
 * offer and the callback keep it up.
 */

/** `flows validate` reads it from this file, to check the prompt exists. */
export const HOLD_MUSIC = 'hold-music.wav';
/** A hold-music completion that never comes must not leave the caller in silence: replay after this. */
export const HOLD_MUSIC_MAX = '5m';
/**
 * Graph plays up to 20 prompts in one playPrompt, so a round of the shipped 8-second track is that track 20 times
 * (160 s, inside HOLD_MUSIC_MAX). Every round costs a Graph request, a completion notification and workflow work:
 * one play per round would have 500 waiting callers start 60 rounds a second between them. An admin's own hold music
 * (usually minutes long, and of a length the workflow cannot know) is played once per round. Announcements and
 * offers still cut a round short.
 */
export const SHIPPED_HOLD_MUSIC_REPEAT = 20;

/** Keep hold music going on the caller while agents ring (it continues the prompt already playing, if any). */
export async function holdMusicWhile(
  target: CallSession,
  hold: { music: string[]; playing?: string },
  ringing: () => boolean,
): Promise<void> {
  let op = hold.playing;
  for (let round = 1; ringing() && !target.terminated; round++) {
    if (op === undefined || target.operations.has(op)) {
      op = await target.startPrompt(hold.music, `hold-ringing-${round}`);
      if (op === undefined) return; // Graph would not play it: quiet is better than a loop of errors
    }
    const current = op;
    await condition(() => !ringing() || target.terminated || target.operations.has(current));
  }
}

/** Hold music on a leg until `done` (the next agent, a queue exit, a hang-up). */
export async function holdUntil(leg: CallSession, holdMusic: string[], done: () => boolean): Promise<void> {
  for (let round = 1; !done(); round++) {
    const opId = await leg.startPrompt(holdMusic, `hold-callback-${round}`);
    if (opId === undefined) {
      await condition(done);
      return;
    }
    await condition(() => leg.operations.has(opId) || done(), '5m');
    if (done() && !leg.operations.has(opId) && !leg.terminated) await leg.cancelMedia('offer');
  }
}
