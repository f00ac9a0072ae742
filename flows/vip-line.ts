import type { FlowDefinition } from '../src/contracts/flow-api.js';
import type { Customer } from './lookups.js';

/**
 * Premium support: the caller's number is looked up in the CRM; VIP customers jump the queue (priority 1) and are
 * tagged, everyone else waits as usual. A CRM that is slow or down never holds a caller up: after 2 s the flow
 * carries on without it.
 */
export const vipLine: FlowDefinition = {
  name: 'vip-line',
  description: 'CRM lookup by caller number; VIPs get priority 1 in the support queue',
  numbers: ['ra-support-vip'],
  country: 'US',
  async run(call) {
    const customer =
      call.from.kind === 'phone'
        ? await call.lookup<Customer | null>(
            'customerByPhone',
            { phone: call.from.id },
            { timeoutSeconds: 2, fallback: null },
          )
        : null;
    if (customer) call.set('customer', customer.name);
    if (customer?.tier === 'vip') {
      call.setPriority(1);
      call.tag('vip');
      await call.play('vip-welcome.wav');
    } else {
      await call.play('greeting.wav');
    }
    await call.queue('support');
  },
};
