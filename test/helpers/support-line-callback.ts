import type { SimulatedCaller } from '../../devkit/flow-testing/simulated-caller.js';

/**
 * A caller on the shipped support line (flows/support-line.ts) who holds until its callback offer at 120 s, takes it
 * with 1, and is asked whether to use the number they call from. The tests go on from that question.
 */
export async function untilCallbackConfirm(caller: SimulatedCaller): Promise<void> {
  await caller.hears('greeting.wav');
  await caller.hears('hold-music.wav');
  await caller.waits('2m');
  await caller.hears('callback-offer.wav');
  await caller.press('1');
  await caller.hears('callback-confirm.wav');
}
