import { ApplicationFailure } from '@temporalio/activity';
import type { LookupActivities } from '../src/contracts/activities/lookups.js';

export type Lookup = (input: unknown) => Promise<unknown>;

/** `call.lookup(name, input)`: runs the named lookup from flows/lookups.ts; the flow bounds it with its timeout. */
export function createLookupActivities(lookups: Record<string, Lookup>): LookupActivities {
  return {
    async lookup(input: { name: string; input: unknown }): Promise<unknown> {
      const fn = Object.hasOwn(lookups, input.name) ? lookups[input.name] : undefined;
      if (!fn)
        throw ApplicationFailure.nonRetryable(
          `unknown lookup '${input.name}' (known: ${Object.keys(lookups).join(', ')})`,
          'UnknownLookup',
        );
      // JSON out, as the flow will see it after the activity boundary (undefined would not survive it).
      return (await fn(input.input)) ?? null;
    },
  };
}
