import { setHandler } from '@temporalio/workflow';
import type { QueueExit } from '../../src/contracts/call.js';
import {
  agentStatusSignal,
  enqueueSignal,
  leaveQueueSignal,
  offerResultSignal,
  queuePositionQuery,
  reservationRefusedSignal,
  type Offer,
  type WaitingCall,
} from '../../src/contracts/queue.js';
import { QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH } from '../patches.js';
import { HandlersInArrivalOrder } from '../signal-order.js';
import type { QueueState } from './state.js';

/**
 * What the queue's message handlers leave for its loop (workflows/queue/workflow.ts). Handlers only change the state,
 * synchronously; every command (signals to calls and agents, activities) is the loop's, so they go out in one order.
 */
export interface QueueInbox {
  /** Calls to send on by the queue's action (refused at entry: the queue is full). */
  exits: { call: WaitingCall; reason: QueueExit['reason'] }[];
  /** Offers whose call left: their reservations are to be released. */
  cancels: Offer[];
  /** Something changed: the loop matches again. */
  changed: boolean;
}

export function setQueueHandlers(queue: QueueState, inbox: QueueInbox): void {
  // Declared in the order they were always set; signals from before the run's first task (its first call, each
  // continue-as-new) are handled as they came: a failed offer's report before the call's new enqueue, an agent's
  // sign-in before the caller who came after it (QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH).
  const handlers = new HandlersInArrivalOrder(QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH);
  handlers.signal(enqueueSignal, (call) => {
    const refused = queue.enqueue(call);
    if (refused) inbox.exits.push({ call, reason: refused });
    inbox.changed = true;
  });
  handlers.signal(leaveQueueSignal, ({ callWorkflowId }) => {
    const offer = queue.leave(callWorkflowId);
    if (offer) inbox.cancels.push(offer);
    inbox.changed = true;
  });
  handlers.signal(offerResultSignal, ({ callWorkflowId, agentId, outcome }) => {
    queue.offerResult(callWorkflowId, agentId, outcome, Date.now());
    inbox.changed = true;
  });
  handlers.signal(reservationRefusedSignal, (r) => {
    if (queue.reservationRefused(r)) inbox.changed = true;
  });
  handlers.signal(agentStatusSignal, (st) => {
    queue.agentStatus(st);
    inbox.changed = true;
  });
  handlers.other(() => setHandler(queuePositionQuery, (callWorkflowId) => queue.position(callWorkflowId)));
  handlers.setAll();
}
