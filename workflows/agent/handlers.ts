import { getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import {
  agentAvailabilitySignal,
  agentCallEndedSignal,
  agentOfferOutcomeSignal,
  agentRunStateQuery,
  agentStateQuery,
  configuredQueuesSignal,
  extendWrapUpUpdate,
  optInSignal,
  optOutSignal,
  presenceSignal,
  reserveForCallSignal,
  reserveUpdate,
  type AgentWorkflowInput,
} from '../../src/contracts/agent.js';
import { agentAssignedSignal } from '../../src/contracts/call.js';
import { queueWorkflowId, reservationRefusedSignal, type ReservationRefused } from '../../src/contracts/queue.js';
import {
  AGENT_CALL_END_OWN_RESERVATION_PATCH,
  AGENT_EXTEND_WRAP_UP_PATCH,
  AGENT_KEPT_ASK_REPLACED_PATCH,
  AGENT_SIGN_OUT_AFTER_CALL_PATCH,
} from '../patches.js';
import { HandlersInArrivalOrder } from './signal-order.js';
import type { AgentState } from './state.js';

/**
 * The agent's message handlers. Each changes the state synchronously, so a reservation is decided in one step; the
 * loop (workflow.ts) publishes what changed. A reservation by signal answers the queue or hands the agent to the call
 * from here, as the queue waits on neither.
 */
export function setAgentHandlers(agent: AgentState, input: AgentWorkflowInput): void {
  // Declared in the order they were always set; signals from before the run's first task are handled as they came.
  const handlers = new HandlersInArrivalOrder();
  handlers.other(() =>
    setHandler(
      reserveUpdate,
      (req) => {
        agent.reserve(req, Date.now());
        return { reservationId: req.reservationId };
      },
      {
        validator: (req) => {
          const why = agent.rejectReservation(req);
          if (why) throw new Error(why);
        },
      },
    ),
  );
  // A queue's reservation by signal: the same rule as the Update above (handlers run one at a time, so two queues can
  // never both have the agent), and the agent hands themself to the call, which saves the queue a hop per offer.
  handlers.signal(reserveForCallSignal, ({ request, assignment }) => {
    const refuse = (answer: Omit<ReservationRefused, 'reservationId' | 'callWorkflowId' | 'agentId'>) =>
      void getExternalWorkflowHandle(queueWorkflowId(request.queue))
        .signal(reservationRefusedSignal, {
          reservationId: request.reservationId,
          callWorkflowId: request.callWorkflowId,
          agentId: input.agentId,
          ...answer,
        })
        .catch((err: unknown) =>
          log.warn('could not answer a reservation', {
            queue: request.queue,
            callId: request.callId,
            error: String(err),
          }),
        );
    const why = agent.rejectReservation(request);
    if (why) return refuse({ reason: why, state: agent.refusedAs(request) });
    if (agent.s.reservation?.reservationId === request.reservationId) return; // a repeated request
    agent.reserve(request, Date.now());
    void getExternalWorkflowHandle(request.callWorkflowId)
      .signal(agentAssignedSignal, assignment)
      .catch((err: unknown) => {
        // Nobody will report this offer's outcome: free the agent now, not when the lease ends, and drop the call.
        log.info('call gone before its offer', {
          callId: request.callId,
          callWorkflowId: request.callWorkflowId,
          error: String(err),
        });
        agent.offerOutcome(
          { reservationId: request.reservationId, outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 1 },
          Date.now(),
        );
        refuse({ reason: 'call gone', callGone: true });
      });
  });
  // The agent asks for more after-call time. The validator refuses outside wrap-up, so an Update that comes late
  // never lands in history; an accepted one moves wrapUpUntil, and the loop's next timer reads it.
  handlers.other(() =>
    setHandler(
      extendWrapUpUpdate,
      ({ seconds }) => {
        const wrapUpUntil = patched(AGENT_EXTEND_WRAP_UP_PATCH)
          ? agent.extendWrapUp(seconds, Date.now())
          : (agent.s.wrapUpUntil ?? Date.now());
        return { wrapUpUntil };
      },
      {
        validator: ({ seconds }) => {
          const why = agent.rejectWrapUpExtension(seconds);
          if (why) throw new Error(why);
        },
      },
    ),
  );
  handlers.signal(agentOfferOutcomeSignal, (r) => agent.offerOutcome(r, Date.now()));
  agent.ignoresOtherCallsEnd = () => patched(AGENT_CALL_END_OWN_RESERVATION_PATCH);
  handlers.signal(agentCallEndedSignal, ({ at, reservationId }) => {
    // An earlier call's end, late (a retried signal, a transfer's first leg, a reset call workflow): the talk goes on.
    if (agent.callEnded(Date.now(), at, reservationId) === 'otherCall')
      log.info("ignored the end of another call than the agent's current one", {
        reservationId,
        currentReservationId: agent.s.reservation?.reservationId,
        state: agent.s.state,
      });
  });
  handlers.signal(presenceSignal, (p) => agent.presence(p, Date.now()));
  agent.keepsAskForAfterCall = () => patched(AGENT_SIGN_OUT_AFTER_CALL_PATCH);
  agent.newAskReplacesKept = () => patched(AGENT_KEPT_ASK_REPLACED_PATCH);
  handlers.signal(agentAvailabilitySignal, ({ state, reason }) =>
    agent.setAvailability(state, reason ?? 'manual', Date.now()),
  );
  handlers.signal(optInSignal, ({ queue }) =>
    agent.setQueues(() => {
      agent.s.optedOut = agent.s.optedOut.filter((q) => q !== queue);
      if (!agent.s.optedIn.includes(queue)) agent.s.optedIn.push(queue);
    }, Date.now()),
  );
  handlers.signal(optOutSignal, ({ queue }) =>
    agent.setQueues(() => {
      agent.s.optedIn = agent.s.optedIn.filter((q) => q !== queue);
      if (!agent.s.optedOut.includes(queue)) agent.s.optedOut.push(queue);
    }, Date.now()),
  );
  handlers.signal(configuredQueuesSignal, ({ queues }) =>
    agent.setQueues(() => (agent.s.configured = [...queues]), Date.now()),
  );
  setHandler(agentStateQuery, () => ({
    agentId: input.agentId,
    state: agent.s.state,
    since: agent.s.since,
    queues: agent.queues,
    optedOut: agent.s.optedOut,
    misses: agent.s.misses,
    ...(agent.s.reservation ? { reservation: agent.s.reservation } : {}),
    ...(agent.s.presence ? { presence: agent.s.presence } : {}),
    // A sign-out or away kept for the end of the offer or the call (AGENT_SIGN_OUT_AFTER_CALL_PATCH): a query reads
    // the state only, so runs replay as they did.
    ...(agent.s.afterCall ? { pendingAvailability: agent.s.afterCall.state } : {}),
  }));
  // For `switchboard agents restart`. A query adds no command: histories recorded before it replay as they did.
  setHandler(agentRunStateQuery, () => ({
    agentId: input.agentId,
    ...(input.presenceLagSeconds !== undefined ? { presenceLagSeconds: input.presenceLagSeconds } : {}),
    state: agent.s,
  }));
  handlers.setAll();
}
