import { describe, expect, it } from 'vitest';
import { QueueValidationError, validateQueues } from '../../src/routing/validate.js';

// Issue 27, point 6: a queue definition's serviceLevelTarget (the percentage the Erlang C staffing panel plans for)
// is a whole percentage from 1 to 99; anything else stops start-up with a message naming the queue and the field.

const agents = { a1: { name: 'Ann', skills: { english: 5 } } };

function problems(serviceLevelTarget: unknown): string[] {
  try {
    validateQueues(agents, { help: { agents: ['a1'], serviceLevelTarget } as never });
  } catch (err) {
    expect(err).toBeInstanceOf(QueueValidationError);
    return (err as QueueValidationError).problems;
  }
  throw new Error('expected the definition to be rejected');
}

describe('a queue’s service-level target (issue 27, point 6)', () => {
  it('takes a whole percentage from 1 to 99, and leaves it out when the definition does', () => {
    expect(validateQueues(agents, { help: { agents: ['a1'], serviceLevelTarget: 90 } }).help!.serviceLevelTarget).toBe(
      90,
    );
    // Absent: absent (start-up writes the default, 80 %), so definitions without it keep their shape.
    expect(validateQueues(agents, { help: { agents: ['a1'] } }).help).not.toHaveProperty('serviceLevelTarget');
  });

  it('refuses 0, 100, a fraction and a string, naming the queue and the field', () => {
    for (const bad of [0, 100, 87.5]) {
      expect(problems(bad)).toEqual(['queue help: serviceLevelTarget: must be a whole percentage, 1–99']);
    }
    expect(problems('80')).toEqual([expect.stringMatching(/^queue help: serviceLevelTarget: /) as string]);
  });
});
