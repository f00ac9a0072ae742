import { describe, expect, it } from 'vitest';
import { QueueValidationError, validateQueues, type QueueDefinition } from '../../src/routing/validate.js';

// Issue 24, point 1: a queue's connectBy. Conference moves the agent's answered ring into the caller's call, so it
// needs rings (offerBy 'ring'); a blind transfer has no ring of ours to move.
const agents = { a1: { name: 'Ann' } };

function problems(def: Partial<QueueDefinition>): string[] {
  try {
    validateQueues(agents, { q: { agents: ['a1'], ...def } });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(QueueValidationError);
    return (err as QueueValidationError).problems;
  }
}

describe('connectBy', () => {
  it('is absent unless given (transfer, as before), and takes conference', () => {
    expect(validateQueues(agents, { q: { agents: ['a1'] } }).q!.connectBy).toBeUndefined();
    expect(validateQueues(agents, { q: { agents: ['a1'], connectBy: 'conference' } }).q!.connectBy).toBe('conference');
  });

  it('refuses conference with blind-transfer offers, and an unknown mode, naming the queue and field', () => {
    expect(problems({ connectBy: 'conference', offerBy: 'transfer' })).toEqual([
      "queue q: connectBy: conference invites the agent's answered ring into the call, which needs offerBy 'ring'",
    ]);
    expect(problems({ connectBy: 'bridge' as never })[0]).toMatch(/^queue q: connectBy: /);
  });
});
