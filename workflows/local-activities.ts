/* eslint-disable no-restricted-imports -- the one place local activities are made */
import {
  CancellationScope,
  condition,
  proxyLocalActivities,
  type ActivityInterfaceFor,
  type LocalActivityOptions,
} from '@temporalio/workflow';
/* eslint-enable no-restricted-imports */

/**
 * Local activities whose results reach the workflow one at a time, in the order Temporal delivers them. Every local
 * activity in workflows/ goes through here (eslint forbids `proxyLocalActivities` elsewhere).
 *
 * Why (issue 28). When a workflow has two local activities in flight at once, the first execution gets each result in
 * an activation of its own, as it finishes, and the code waiting on it runs to its next command before the next
 * result arrives. A replay gets all of a task's results in one activation (in marker order, which is completion
 * order), and the waiting code of each runs interleaved, microtask by microtask: whichever has the shorter promise
 * chain makes its command first. The agent workflow's Postgres write failed fast (Postgres still starting after a
 * SIGKILL) while its publish was in flight: the first execution scheduled the write's fallback activity and then the
 * publish's timer; the replay made the timer first, and every later task of that agent failed with a nondeterminism
 * error. The call workflow has the same pair (its record write beside a Graph request).
 *
 * Handing results on one per condition round, in arrival order, lets each waiting continuation make its commands
 * before the next result is handed on, on a first execution and on replay alike. It adds no command, so histories
 * written before it replay unchanged, and the history in issue 28 replays (test/histories/agents/2026-11-29-sigkill-local-activities/).
 */
export function proxyLocalActivitiesInOrder<A extends object>(options: LocalActivityOptions): ActivityInterfaceFor<A> {
  const activities = proxyLocalActivities<A>(options) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return new Proxy({} as ActivityInterfaceFor<A>, {
    get: (_, name) => {
      if (typeof name !== 'string') return undefined;
      return (...args: unknown[]) => inArrivalOrder(activities[name]!(...args));
    },
  });
}

// Module state is per workflow run (the SDK keeps a module cache per workflow), so these count this run's results.
/** Results that have arrived. */
let arrived = 0;
/** Results handed on to the code waiting for them. */
let handedOn = 0;

/** `result`, settled only after every local activity result that arrived before it has been handed on. */
function inArrivalOrder<T>(result: Promise<T>): Promise<T> {
  // The reaction runs in delivery order: the SDK settles a local activity's promise in its resolution job, at the
  // same promise depth whether it succeeded or failed.
  return result.then(
    async (value) => {
      await turn();
      return value;
    },
    async (err: unknown) => {
      await turn();
      throw err;
    },
  );
}

async function turn(): Promise<void> {
  const ticket = arrived++;
  // Not cancellable: a waiting caller whose scope was cancelled must still pass its turn on, or nothing follows it.
  await CancellationScope.nonCancellable(async () => {
    await condition(() => handedOn === ticket);
    // The next result waits for the next condition round: by then this one's continuation has run (microtasks are
    // drained before conditions are checked again) and made its commands.
    void nextConditionRound().then(() => handedOn++);
  });
}

/** Resolves at the next time the SDK checks blocked conditions (never at once, as a true condition would). */
function nextConditionRound(): Promise<void> {
  let checkedOnce = false;
  return condition(() => {
    const due = checkedOnce;
    checkedOnce = true;
    return due;
  });
}
