import { AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH } from '../patches.js';
import { HandlersInArrivalOrder as InArrivalOrder } from '../signal-order.js';

/**
 * The agent's early signals in arrival order, behind AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH (the temporal-privacy e2e's
 * sign-out handled before the start-up's queue list that came first). The mechanism is workflows/signal-order.ts,
 * shared with the queue workflow, which has its own patch.
 */
export class HandlersInArrivalOrder extends InArrivalOrder {
  constructor() {
    super(AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH);
  }
}
