import type { Call, FlowDefinition, QueueResult } from '../src/contracts/flow-api.js';
import { afterHours } from './after-hours.js';

/**
 * The main number: business hours (with holidays) decide between the menu and after-hours voicemail. The menu
 * sends callers to sales, support or billing; a caller who presses nothing (or the wrong key three times) goes to
 * support rather than being cut off.
 */
export const mainLine: FlowDefinition = {
  name: 'main-line',
  description: 'Business hours and holidays, then a sales/support/billing menu; after hours, voicemail',
  numbers: ['ra-main'],
  // A national line (the demo's numbers are +1 425): a callback number keyed without +1 is read as a US number.
  country: 'US',
  async run(call) {
    const hours = await call.isOpen('main-office');
    if (!hours.open) return afterHours(call, hours);
    await call.menu({
      prompt: { en: 'main-menu.wav', fr: 'main-menu-fr.wav' },
      options: { '1': sales, '2': support, '3': billing },
      invalidPrompt: 'invalid-option.wav',
      noInputPrompt: 'no-input.wav',
      fallback: support,
    });
  },
};

async function sales(call: Call): Promise<void> {
  call.set('department', 'sales');
  await afterQueue(call, await call.queue('sales'), 'sales');
}

async function support(call: Call): Promise<void> {
  call.set('department', 'support');
  await afterQueue(call, await call.queue('support', { offerCallbackAfterSeconds: 120 }), 'support');
}

async function billing(call: Call): Promise<void> {
  call.set('department', 'billing');
  await afterQueue(call, await call.queue('billing', { exits: 'flow' }), 'support');
}

/** A queue that gave up without carrying out an action of its own: the department's voicemail. */
async function afterQueue(call: Call, result: QueueResult, box: string): Promise<void> {
  if (call.hungUp) return;
  const gaveUp = result.outcome === 'timeout' || result.outcome === 'noAgents' || result.outcome === 'overflow';
  if ((gaveUp && !result.handled) || result.outcome === 'unknownQueue') {
    await call.voicemail(box);
    await call.hangup('goodbye.wav');
  }
}
