import { callPatched } from './call-patches.js';
import { CALL_LOCAL_GRAPH_PATCH } from './patches.js';

/**
 * How this call's run makes its Graph requests and record writes: as local activities (CALL_LOCAL_GRAPH_PATCH) or as
 * ordinary ones. Its own file because the call session and the call recorder both ask, and neither owns the other.
 */

// Module state is per workflow run (the SDK keeps a module cache per workflow), so this is this run's choice.
let local = false;

/** Decide, once, at the start of the call's workflow, whether this run's Graph requests are local activities. */
export function decideGraphDispatch(): void {
  local = callPatched(CALL_LOCAL_GRAPH_PATCH);
}

/** Whether this run makes its requests as local activities (decided by decideGraphDispatch). */
export function localDispatch(): boolean {
  return local;
}
