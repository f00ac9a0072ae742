import type { FlowDefinition } from '../src/contracts/flow-api.js';

/** The support line: greeting, then the support queue, with a callback offered after 2 minutes on hold. */
export const supportLine: FlowDefinition = {
  name: 'support-line',
  description: 'Greeting, the support queue, a callback offered after 2 minutes',
  numbers: ['ra-support'],
  // A US line: the callback number a caller keys (`4255550100`) is read as a US number (docs/flows.md).
  country: 'US',
  async run(call) {
    await call.play('greeting.wav');
    await call.queue('support', { offerCallbackAfterSeconds: 120 });
  },
};

/** Every number without a flow of its own: greeting, then the support queue. A caller is never dropped. */
export const defaultLine: FlowDefinition = {
  name: 'default',
  description: 'Any other number: greeting, then the support queue',
  numbers: ['default'],
  // No country: any number may land here, so a national number is read in PHONE_REGION, else the caller's country.
  async run(call) {
    await call.play('greeting.wav');
    await call.queue('support');
  },
};

/** The sales line: straight to the sales queue after the greeting. */
export const salesLine: FlowDefinition = {
  name: 'sales-line',
  description: 'Greeting, then the sales queue',
  numbers: ['ra-sales'],
  country: 'US',
  async run(call) {
    await call.play('greeting.wav');
    await call.queue('sales');
  },
};
