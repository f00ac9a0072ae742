import { getExternalWorkflowHandle, log, patched, proxyActivities } from '@temporalio/workflow';
import type { OfferMode, QueueConfig } from '../../src/contracts/queue-config.js';
import { ATTENDANT_MAX, mayBeFree } from '../../src/routing/select.js';
import type { RoutingActivities } from '../../src/contracts/activities/queueing.js';
import {
  agentOfferOutcomeSignal,
  agentWorkflowId,
  reserveForCallSignal,
  type ReserveRequest,
} from '../../src/contracts/agent.js';
import { agentAssignedSignal, type AgentAssignment } from '../../src/contracts/call.js';
import type { Offer, QueuedCall } from '../../src/contracts/queue.js';
import { ATTENDANT_RINGS_ALL_PATCH } from '../patches.js';
import type { QueueState } from './state.js';

const routing = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/**
 * How long a reservation holds without word of the offer's outcome: the ring, the transfer and a worker outage of a
 * few minutes. Past it the agent frees themself (a lost outcome must never leave an agent reserved for good).
 */
const leaseSeconds = (config: QueueConfig) => config.alertSeconds + 300;

/** What one run's matching needs besides the queue's state. */
export interface Matching {
  /** QUEUE_RESERVE_AT_ONCE_PATCH: reserve for all calls at once, assign without waiting for Temporal's confirmation. */
  atOnce: boolean;
  /** QUEUE_RESERVE_BY_SIGNAL_PATCH: reserve by signalling the agent, who hands themself to the call. */
  bySignal: boolean;
  /** Offers whose call left before or while it was assigned: their reservations are to be released. */
  cancels: Offer[];
  /** Assignments and reservation requests sent and not yet confirmed; a run continues as new only when there are none. */
  inFlight: number;
  /** Wakes the main loop: an assignment failed and left an offer to release. */
  wake: () => void;
}

/** Reserve agents for waiting calls, best call first, and hand each reserved agent to its call. */
export async function match(queue: QueueState, m: Matching): Promise<boolean> {
  const { config } = queue;
  let rejected = false;
  const ringAll =
    config.method === 'attendant' && (config.offerBy ?? 'ring') === 'ring' && patched(ATTENDANT_RINGS_ALL_PATCH);
  // Attendant rings every free agent for a lone caller; when several wait, the free agents are shared out so each
  // caller at the front rings some of them, rather than the first one ringing everybody while the rest wait.
  let share = ATTENDANT_MAX;
  if (ringAll) {
    const waiting = queue.ordered().filter((c) => !queue.s.offers[c.callWorkflowId]);
    const free = waiting.length ? queue.candidatesFor(waiting[0]!, Date.now()).length : 0;
    share = Math.min(ATTENDANT_MAX, Math.max(1, Math.floor(free / Math.max(1, waiting.length))));
  }
  if (m.atOnce && !ringAll) return matchAtOnce(queue, m);
  for (const call of queue.ordered()) {
    if (!queue.isWaiting(call.callWorkflowId)) continue; // left while we were reserving for an earlier call
    // Back in the queue before every agent of its last offer reported: wait for them, never hold two offers for it.
    if (queue.s.offers[call.callWorkflowId]) continue;
    if (ringAll) {
      if (await reserveGroup(queue, call, m, share)) rejected = true;
      continue;
    }
    for (const agentId of queue.candidatesFor(call, Date.now())) {
      const reservationId = queue.reservationId(call);
      const seen = queue.s.agents[agentId]?.version;
      const readyAt = queue.readyAt(call, agentId);
      const result = await reserve(queue, call, agentId, reservationId);
      if (!result.accepted) {
        rejected = true;
        queue.refused(agentId, seen, result.state);
        continue;
      }
      await handOver(queue, { call, agentId, reservationId }, m, { readyAt, offerBy: config.offerBy ?? 'ring' });
      break;
    }
  }
  return rejected;
}

/**
 * Every waiting call that can have an agent now gets one in the same round. The pairs are chosen first, best call
 * first, each agent for one call (as reserving one call after another would choose them), and then all reserved at
 * once: a burst of agents coming free costs one round trip to their workflows, not one per call (issue 9: with a
 * reservation at a time, the last of 100 agents freed together waited minutes for their offer). A call whose
 * reservation is refused waits for the next round, which follows at once.
 */
async function matchAtOnce(queue: QueueState, m: Matching): Promise<boolean> {
  const { config } = queue;
  const now = Date.now();
  // Nobody can be picked twice: once as many agents are picked as could be free, the rest of the line waits.
  const free = config.agents.filter((id) => {
    const a = queue.s.agents[id];
    return a?.member && mayBeFree(a.state);
  }).length;
  const taken = new Set<string>();
  const lastOffered = queue.s.lastOffered;
  const plan: {
    call: QueuedCall;
    agentId: string;
    reservationId: string;
    seen: number | undefined;
    readyAt: number;
  }[] = [];
  for (const call of queue.ordered()) {
    if (taken.size >= free) break;
    // Back in the queue before every agent of its last offer reported: wait for them, never hold two offers for it.
    if (queue.s.offers[call.callWorkflowId]) continue;
    const agentId = queue.candidatesFor(call, now).find((id) => !taken.has(id));
    if (!agentId) continue;
    taken.add(agentId);
    plan.push({
      call,
      agentId,
      reservationId: queue.reservationId(call),
      seen: queue.s.agents[agentId]?.version,
      readyAt: queue.readyAt(call, agentId),
    });
    // Round robin picks the next call's agent after this one, as it would after reserving them.
    queue.s.lastOffered = config.agents.indexOf(agentId);
  }
  // By Update, only a reservation accepted moves round robin on (`reserved`): an agent who refused keeps their turn.
  // By signal the turn moves when the request is sent, as the queue does not wait for the answer.
  queue.s.lastOffered = lastOffered;
  if (m.bySignal) {
    for (const p of plan) reserveBySignal(queue, p, m);
    return false;
  }
  const results = await Promise.all(plan.map((p) => reserve(queue, p.call, p.agentId, p.reservationId)));
  let rejected = false;
  for (const [i, p] of plan.entries()) {
    const result = results[i]!;
    if (!result.accepted) {
      rejected = true;
      queue.refused(p.agentId, p.seen, result.state);
      continue;
    }
    await handOver(queue, { call: p.call, agentId: p.agentId, reservationId: p.reservationId }, m, {
      readyAt: p.readyAt,
      offerBy: config.offerBy ?? 'ring',
    });
  }
  return rejected;
}

/**
 * `attendant`: reserve the candidates (up to `share` of them) for one call at once, and hand the group to the call, which rings
 * them all. Each reservation still goes through the agent's own workflow, so an agent in several queues is never
 * reserved twice. Returns whether any reservation was rejected.
 */
async function reserveGroup(queue: QueueState, call: QueuedCall, m: Matching, share: number): Promise<boolean> {
  const picks = queue
    .candidatesFor(call, Date.now())
    .slice(0, share)
    .map((agentId) => ({
      agentId,
      reservationId: queue.reservationId(call),
      seen: queue.s.agents[agentId]?.version,
    }));
  if (picks.length === 0) return false;
  const results = await Promise.all(picks.map((p) => reserve(queue, call, p.agentId, p.reservationId)));
  let rejected = false;
  const group: { agentId: string; reservationId: string }[] = [];
  results.forEach((result, i) => {
    const p = picks[i]!;
    if (result.accepted) return group.push({ agentId: p.agentId, reservationId: p.reservationId });
    rejected = true;
    queue.refused(p.agentId, p.seen, result.state);
  });
  if (group.length === 0) return rejected;
  const first = group[0]!;
  const since = (id: string) => {
    const known = queue.s.agents[id];
    return known?.since ?? 0;
  };
  await handOver(queue, { call, agentId: first.agentId, reservationId: first.reservationId, group }, m, {
    // The offer could have been made once the call queued and the first of the group was free.
    readyAt: Math.max(call.enqueuedAt, Math.min(...group.map((m) => since(m.agentId)))),
    offerBy: 'ring',
  });
  return rejected;
}

/**
 * Ask the agent's workflow to take the call (QUEUE_RESERVE_BY_SIGNAL_PATCH). The call counts as offered from now on;
 * a refusal (`reservationRefusedSignal`) puts it back in its place. Not awaited, like an assignment.
 */
function reserveBySignal(
  queue: QueueState,
  p: { call: QueuedCall; agentId: string; reservationId: string; seen: number | undefined; readyAt: number },
  m: Matching,
): void {
  const { config } = queue;
  const { call, agentId, reservationId } = p;
  queue.reserved(call, agentId, reservationId, undefined, p.seen);
  m.inFlight++;
  void getExternalWorkflowHandle(agentWorkflowId(agentId))
    .signal(reserveForCallSignal, {
      request: reserveRequest(config, call, reservationId),
      assignment: assignmentFor(
        config,
        { call, agentId, reservationId },
        { readyAt: p.readyAt, offerBy: config.offerBy ?? 'ring' },
      ),
    })
    .catch(() => {
      // No workflow for the agent: not signed in.
      queue.reservationRefused({
        reservationId,
        callWorkflowId: call.callWorkflowId,
        agentId,
        reason: 'agent not signed in',
        state: 'signedOut',
      });
      m.wake();
    })
    .finally(() => m.inFlight--);
}

/** What the call is told about the agent (or group) reserved for it. */
function assignmentFor(
  config: QueueConfig,
  offer: Offer,
  how: { readyAt: number; offerBy: OfferMode },
): AgentAssignment {
  return {
    queue: config.name,
    agentId: offer.agentId,
    reservationId: offer.reservationId,
    alertSeconds: config.alertSeconds,
    wrapUpSeconds: config.wrapUpSeconds,
    missesBeforeAway: config.missesBeforeAway,
    ...(config.confirm !== undefined ? { confirm: config.confirm } : {}),
    ...(config.confirmSeconds !== undefined ? { confirmSeconds: config.confirmSeconds } : {}),
    ...(config.connectBy !== undefined ? { connectBy: config.connectBy } : {}),
    ...(config.survey !== undefined ? { survey: config.survey } : {}),
    ...how,
    ...(offer.group ? { group: offer.group } : {}),
  };
}

/** Reserve one agent for a call, through the agent's own workflow (its `reserve` Update). */
function reserve(queue: QueueState, call: QueuedCall, agentId: string, reservationId: string) {
  const { config } = queue;
  return routing.reserveAgent({ agentId, request: reserveRequest(config, call, reservationId) });
}

/** What the agent's workflow is asked, by Update or by signal. */
function reserveRequest(config: QueueConfig, call: QueuedCall, reservationId: string): ReserveRequest {
  return {
    reservationId,
    queue: config.name,
    callWorkflowId: call.callWorkflowId,
    callId: call.callId,
    leaseSeconds: leaseSeconds(config),
  };
}

/** A reservation accepted: hand the agent (or group) to the call, or release them if the caller hung up meanwhile. */
async function handOver(
  queue: QueueState,
  offer: Offer,
  m: Matching,
  how: { readyAt: number; offerBy: OfferMode },
): Promise<void> {
  if (!queue.isWaiting(offer.call.callWorkflowId)) {
    m.cancels.push(offer);
    return;
  }
  queue.reserved(offer.call, offer.agentId, offer.reservationId, offer.group);
  await assign(queue, offer, m, how);
}

/** Hand the reserved agent (or group) to the call; a call that has left meanwhile has its reservations released. */
async function assign(
  queue: QueueState,
  offer: Offer,
  m: Matching,
  how: { readyAt: number; offerBy: OfferMode },
): Promise<void> {
  const { config } = queue;
  const { call } = offer;
  const sent = getExternalWorkflowHandle(call.callWorkflowId).signal(
    agentAssignedSignal,
    assignmentFor(config, offer, how),
  );
  const left = (err: unknown) => {
    log.info('call left before its offer', {
      callId: call.callId,
      callWorkflowId: call.callWorkflowId,
      error: String(err),
    });
    queue.leave(call.callWorkflowId);
    m.cancels.push(offer);
  };
  if (!m.atOnce) {
    try {
      await sent;
    } catch (err) {
      left(err);
    }
    return;
  }
  // Not awaited: the next reservation goes out in this same workflow task, and the signal with its completion.
  m.inFlight++;
  void sent
    .catch((err: unknown) => {
      left(err);
      m.wake();
    })
    .finally(() => m.inFlight--);
}

/** Tell every agent of an offer whose call has gone that they are free again. */
export async function releaseReservation(offer: Offer): Promise<void> {
  for (const m of offer.group ?? [{ agentId: offer.agentId, reservationId: offer.reservationId }]) {
    await getExternalWorkflowHandle(agentWorkflowId(m.agentId))
      .signal(agentOfferOutcomeSignal, {
        reservationId: m.reservationId,
        outcome: 'cancelled',
        wrapUpSeconds: 0,
        missesBeforeAway: 1,
      })
      .catch((err: unknown) =>
        log.warn('could not release a reservation', {
          agentId: m.agentId,
          callId: offer.call.callId,
          callWorkflowId: offer.call.callWorkflowId,
          error: String(err),
        }),
      );
  }
}
