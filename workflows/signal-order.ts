import { patched, setDefaultSignalHandler, setHandler, type SignalDefinition } from '@temporalio/workflow';

/** A signal handed to the run before its handler was set (the run's first workflow task). */
interface EarlySignal {
  name: string;
  args: unknown[];
}

interface Step {
  /** The signal's name, for a signal handler; absent for an Update or a query. */
  signal?: string;
  set(): void;
  run?(args: unknown[]): void;
}

/**
 * Sets a run's handlers so that the signals that reached it before its first workflow task are handled in the order
 * they came, behind the entity's own patch (AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH for agents,
 * QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH for queues).
 *
 * The SDK buffers a signal whose handler is not set yet, and each `setHandler` hands over the buffered signals of its
 * own name at once: in the order the handlers are set, not the order the signals came. A new agent's run gets the
 * worker start-up's `configuredQueues` (signal-with-start) and, when the worker is slow to take the run's first task,
 * a sign-out sent after it; the availability handler was set first, so the sign-out was handled before the queue list
 * that signs a new agent in, and the agent stayed available (the temporal-privacy e2e under load).
 *
 * Handlers are declared in the order they were always set (`signal`, `other`), then `setAll` sets them: a default
 * signal handler set first takes every buffered signal in the order they came. When that order differs from the one
 * the handlers' order gave, the patch decides; a run recorded before it replays in the handlers' order, as it ran.
 * Signals in later tasks reach their handlers directly, as before.
 */
export class HandlersInArrivalOrder {
  private readonly steps: Step[] = [];

  /** `patch`: the id asked when the two orders differ; each workflow type has its own, removable on its own. */
  constructor(private readonly patch: string) {}

  signal<Args extends unknown[]>(def: SignalDefinition<Args>, handler: (...args: Args) => void): void {
    this.steps.push({
      signal: def.name,
      set: () => setHandler(def, handler),
      run: (args) => handler(...(args as Args)),
    });
  }

  /** An Update or query handler, set in its place among the signals' (an Update's buffered calls run when it is). */
  other(set: () => void): void {
    this.steps.push({ set });
  }

  setAll(): void {
    const early: EarlySignal[] = [];
    let collecting = true;
    // Stays set for the run: a signal dispatched after the steps (an interceptor that defers it) still finds its step.
    setDefaultSignalHandler((name: string, ...args: unknown[]) => {
      if (collecting) early.push({ name, args });
      else this.steps.find((s) => s.signal === name)?.run?.(args);
    });
    collecting = false;

    const known = early.filter((e) => this.steps.some((s) => s.signal === e.name));
    const byHandlers = this.steps.flatMap((s) => known.filter((e) => e.name === s.signal));
    // Asked only when the two orders differ: runs whose first task held one signal, or signals already in the
    // handlers' order, make no marker and replay as they did.
    const inArrivalOrder = byHandlers.some((e, i) => e !== known[i]) && patched(this.patch);

    let arrivedRun = false;
    for (const step of this.steps) {
      step.set();
      if (!step.signal) continue;
      if (!inArrivalOrder) {
        for (const e of known) if (e.name === step.signal) step.run!(e.args);
      } else if (!arrivedRun) {
        // Where the first signal handler was set, every early signal, in the order it came.
        arrivedRun = true;
        for (const e of known) this.steps.find((s) => s.signal === e.name)!.run!(e.args);
      }
    }
  }
}
