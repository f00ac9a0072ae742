import { describe, expect, it } from 'vitest';
import { QueueValidationError, validateQueues } from '../../src/routing/validate.js';

// Issue 26, point 1: a queue action that transfers to a phone number names it in E.164, checked by libphonenumber-js
// (src/phone/number.ts): Graph's transfer takes identity.phone.id in E.164 (call-transfer.md).
const agents = { a1: { name: 'Adele' } };
const withTimeoutTransfer = (phone: string) =>
  validateQueues(agents, { q: { agents: ['a1'], timeoutAction: { type: 'transfer', phone } } });

describe('a queue transferring to a phone number', () => {
  it.each(['+14255550199', '+442079460958', '+33142685300', '+493012345678'])('takes %s', (phone) => {
    expect(withTimeoutTransfer(phone).q!.timeoutAction).toEqual({ type: 'transfer', phone });
  });

  it.each(['+4420', '+9991234567', '02079460958', '+44 20 7946 0958'])('refuses %s, naming the queue', (phone) => {
    expect(() => withTimeoutTransfer(phone)).toThrow(QueueValidationError);
    expect(() => withTimeoutTransfer(phone)).toThrow(/queue q: timeoutAction/);
  });
});
