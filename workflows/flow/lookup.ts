import { proxyActivities } from '@temporalio/workflow';
import type { LookupActivities } from '../../src/contracts/activities/lookups.js';
import { failureDetails } from '../call-session.js';
import type { LookupOptions } from './api.js';
import type { CallContext } from './context.js';
import { clamp } from './limits.js';

/** The lookup verb: a data dip through flows/lookups.ts, run as an activity; a failure gives the flow's fallback. */
export function lookupVerb<T>(ctx: CallContext, name: string, input: unknown, options: LookupOptions<T>): Promise<T> {
  const timeoutSeconds = clamp(options.timeoutSeconds ?? 3, 1, 30);
  return ctx.verb('lookup', { name, input }, async () => {
    const { lookup } = proxyActivities<LookupActivities>({
      // The caller waits in silence meanwhile: one bounded try, then the flow's fallback.
      startToCloseTimeout: `${timeoutSeconds}s`,
      retry: { maximumAttempts: 1 },
    });
    try {
      return (await lookup({ name, input })) as T;
    } catch (err) {
      ctx.recorder.event('lookupFailed', { name, ...failureDetails(err) });
      return options.fallback;
    }
  });
}
