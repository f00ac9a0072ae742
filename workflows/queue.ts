import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { RoutingActivities } from '../activities/index.js';
import type { OfferMode, QueueAction, QueueConfig } from '../src/routing/types.js';
import type { AgentStateName } from '../src/db/entities/agent-state.js';
import { DEFAULT_PRIORITY } from '../src/routing/types.js';
import { ATTENDANT_MAX, candidates, mayBeFree, type AgentView } from '../src/routing/select.js';
import { estimatedWaitSeconds } from '../src/routing/ewt.js';
import {
  agentAssignedSignal,
  agentOfferOutcomeSignal,
  agentStatusSignal,
  agentWorkflowId,
  enqueueSignal,
  leaveQueueSignal,
  offerResultSignal,
  queueExitSignal,
  queuePositionQuery,
  reservationRefusedSignal,
  reserveForCallSignal,
  type AgentAssignment,
  type AgentStatus,
  type ReservationRefused,
  type ReserveRequest,
  type QueueExit,
  type QueuePosition,
  type WaitingCall,
} from './messages.js';

export interface QueueWorkflowInput {
  config: QueueConfig;
  /** Carried over by continue-as-new. */
  state?: QueueSnapshot;
}

export interface QueuedCall extends WaitingCall {
  priority: number;
}

export interface Offer {
  call: QueuedCall;
  agentId: string;
  reservationId: string;
  /** `attendant`: every agent reserved for this offer (agentId first); each is released on its own outcome. */
  group?: { agentId: string; reservationId: string }[];
  /** Reserved by signal: the agent's status version when picked, to judge a refusal against. */
  seen?: number;
  /** Round robin's turn (`lastOffered`) before this reservation moved it, given back if the agent refuses. */
  turnBefore?: number;
}

export interface QueueMember extends AgentView {
  member: boolean;
  /** Bumped by every status from the agent, so a stale rejection never overwrites a fresher status. */
  version?: number;
  /** Epoch ms the agent entered its current state, as the agent reported it. */
  since?: number;
}

export interface QueueSnapshot {
  waiting: QueuedCall[];
  agents: Record<string, QueueMember>;
  /** Per call, the agents who declined or missed it, and until when (epoch ms) they are not offered it again. */
  missed: Record<string, Record<string, number>>;
  offers: Record<string, Offer>;
  /** Index in config.agents of the agent last offered a call; round robin resumes after it. */
  lastOffered: number;
  /** Recent handle times (s) for the wait estimate. */
  handleTimes: number[];
  reservationSeq: number;
}

const STAFFED = new Set(['available', 'reserved', 'onCall', 'wrapUp', 'unknown']);

/**
 * The queue's state in a plain class so the rules read without Temporal in the way: priority then first-in-first-out,
 * candidates by the routing method, timeouts, overflow and the no-agents rule.
 */
export class QueueState {
  readonly s: QueueSnapshot;
  /** An agent who refuses a reservation made by signal keeps their turn (QUEUE_REFUSAL_KEEPS_TURN_PATCH). */
  refusalKeepsTurn = false;

  constructor(
    readonly config: QueueConfig,
    snapshot?: QueueSnapshot,
  ) {
    this.s = snapshot ?? { waiting: [], agents: {}, missed: {}, offers: {}, lastOffered: -1, handleTimes: [], reservationSeq: 0 };
    // Agents the queue hasn't heard from yet may be tried: their workflow's reservation check decides.
    for (const id of config.agents) this.s.agents[id] ??= { state: 'unknown', idleSince: 0, member: true };
  }

  /** Waiting calls in offer order: priority 1 first, then who entered first. */
  ordered(): QueuedCall[] {
    return [...this.s.waiting].sort((a, b) => a.priority - b.priority || a.enqueuedAt - b.enqueuedAt);
  }

  isWaiting(callWorkflowId: string): boolean {
    return this.s.waiting.some((w) => w.callWorkflowId === callWorkflowId);
  }

  /** Returns the reason to turn the caller away instead, if any. */
  enqueue(call: WaitingCall): QueueExit['reason'] | undefined {
    if (this.isWaiting(call.callWorkflowId) || this.s.offers[call.callWorkflowId]) return undefined; // a retried activity
    if (this.s.waiting.length >= this.config.maxCalls) return 'overflow';
    if (!this.staffed()) return 'noAgents';
    this.s.waiting.push({ ...call, priority: call.priority ?? DEFAULT_PRIORITY });
    return undefined;
  }

  /** Removes the call; returns the offer it held, whose reservation the caller must release. */
  leave(callWorkflowId: string): Offer | undefined {
    this.s.waiting = this.s.waiting.filter((w) => w.callWorkflowId !== callWorkflowId);
    delete this.s.missed[callWorkflowId];
    const offer = this.s.offers[callWorkflowId];
    delete this.s.offers[callWorkflowId];
    return offer;
  }

  offerResult(callWorkflowId: string, agentId: string, outcome: string, now: number): void {
    const offer = this.s.offers[callWorkflowId];
    if (offer?.group) {
      // An attendant offer is over when every agent it rang has reported.
      offer.group = offer.group.filter((m) => m.agentId !== agentId);
      if (offer.group.length === 0) delete this.s.offers[callWorkflowId];
    } else if (offer && offer.agentId === agentId) delete this.s.offers[callWorkflowId];
    if (outcome === 'connected') delete this.s.missed[callWorkflowId];
    else if (outcome !== 'cancelled') (this.s.missed[callWorkflowId] ??= {})[agentId] = now + this.config.reofferAfterSeconds * 1000;
  }

  agentStatus(st: AgentStatus): void {
    if (!this.config.agents.includes(st.agentId)) return;
    this.s.agents[st.agentId] = {
      version: (this.s.agents[st.agentId]?.version ?? 0) + 1,
      state: st.state,
      idleSince: st.idleSince,
      ...(st.since !== undefined ? { since: st.since } : {}),
      member: st.member,
      ...(st.presence ? { presence: st.presence } : {}),
    };
    if (st.handleSeconds !== undefined) this.s.handleTimes = [...this.s.handleTimes, st.handleSeconds].slice(-20);
  }

  /** Someone is signed in to take calls: a member not signed out and not away. */
  staffed(): boolean {
    return this.config.agents.some((id) => this.s.agents[id]?.member && STAFFED.has(this.s.agents[id].state));
  }

  staffedCount(): number {
    return this.config.agents.filter((id) => this.s.agents[id]?.member && STAFFED.has(this.s.agents[id].state) && this.s.agents[id].state !== 'unknown').length;
  }

  /** Calls past their maximum wait, removed. */
  takeTimedOut(now: number): QueuedCall[] {
    const limit = this.config.maxWaitSeconds * 1000;
    const out = this.s.waiting.filter((w) => now - w.enqueuedAt >= limit);
    for (const c of out) this.leave(c.callWorkflowId);
    return out;
  }

  /** All waiting calls, when nobody is signed in to take them. */
  takeUnstaffed(): QueuedCall[] {
    if (this.staffed()) return [];
    const out = [...this.s.waiting];
    for (const c of out) this.leave(c.callWorkflowId);
    return out;
  }

  candidatesFor(call: QueuedCall, now: number): string[] {
    const missed = this.s.missed[call.callWorkflowId] ?? {};
    const view: Record<string, AgentView> = {};
    for (const [id, a] of Object.entries(this.s.agents)) if (a.member) view[id] = a;
    return candidates(this.config, view, (id) => (missed[id] ?? 0) > now, this.s.lastOffered, call.skills);
  }

  /**
   * An agent refused a reservation (taken by another queue, paused, signed out): unless their status changed since
   * we picked them (`seen`), they are not free, and their next status tells us when to try again.
   */
  refused(agentId: string, seen: number | undefined, state: AgentStateName | undefined): void {
    const current = this.s.agents[agentId];
    if (current && current.version === seen && mayBeFree(current.state)) {
      this.s.agents[agentId] = { ...current, state: state ?? 'reserved' };
    }
  }

  /** A new reservation's id: unique per queue run and call, so a retried reservation is the same Update. */
  reservationId(call: QueuedCall): string {
    return `${this.config.name}:${call.callWorkflowId}:${++this.s.reservationSeq}`;
  }

  /** When the offer of `agentId` to `call` could have been made: the later of the call queueing and the agent coming free. */
  readyAt(call: QueuedCall, agentId: string): number {
    const known = this.s.agents[agentId];
    return Math.max(call.enqueuedAt, known?.state === 'available' && known.since !== undefined ? known.since : 0);
  }

  reserved(call: QueuedCall, agentId: string, reservationId: string, group?: Offer['group'], seen?: number): void {
    this.s.waiting = this.s.waiting.filter((w) => w.callWorkflowId !== call.callWorkflowId);
    this.s.offers[call.callWorkflowId] = {
      call,
      agentId,
      reservationId,
      ...(group ? { group: [...group] } : {}),
      ...(seen !== undefined ? { seen } : {}),
      ...(this.refusalKeepsTurn ? { turnBefore: this.s.lastOffered } : {}),
    };
    for (const m of group ?? [{ agentId }]) this.s.agents[m.agentId] = { ...this.s.agents[m.agentId]!, state: 'reserved' };
    this.s.lastOffered = this.config.agents.indexOf(agentId);
  }

  /**
   * An agent refused a reservation by signal: the call goes back to its place in the line (its `enqueuedAt` keeps it
   * there), or leaves the queue when the agent found its workflow gone. Returns whether the refusal was current.
   */
  reservationRefused(r: ReservationRefused): boolean {
    const offer = this.s.offers[r.callWorkflowId];
    const current = this.s.agents[r.agentId];
    if (!offer || offer.reservationId !== r.reservationId) {
      // The call left meanwhile (or this is a repeat). The agent was marked reserved when picked, and an agent who
      // refused sends no status to undo that: take their word for their state (a fresher status corrects it).
      if (current?.state === 'reserved' && r.state && !r.callGone) this.s.agents[r.agentId] = { ...current, state: r.state };
      return false;
    }
    delete this.s.offers[r.callWorkflowId];
    if (r.callGone) {
      delete this.s.missed[r.callWorkflowId];
      return true;
    }
    // The turn moved to this agent when the reservation was sent; unless a later one moved it on, it goes back, so
    // round robin offers them the next call again (as a refused Update never moved it).
    if (offer.turnBefore !== undefined && this.s.lastOffered === this.config.agents.indexOf(r.agentId)) this.s.lastOffered = offer.turnBefore;
    this.s.waiting.push(offer.call);
    // Marked reserved when picked: unless a fresher status came since, the refusal says what the agent is.
    if (current && current.version === offer.seen) this.s.agents[r.agentId] = { ...current, state: r.state ?? 'reserved' };
    return true;
  }

  /** The next moment something changes by itself: a call times out or a missed agent may be offered again. */
  nextTimer(now: number): number | undefined {
    const ends: number[] = this.s.waiting.map((w) => w.enqueuedAt + this.config.maxWaitSeconds * 1000);
    for (const call of this.s.waiting) {
      for (const until of Object.values(this.s.missed[call.callWorkflowId] ?? {})) if (until > now) ends.push(until);
    }
    return ends.length ? Math.max(1, Math.min(...ends) - now) : undefined;
  }

  position(callWorkflowId: string): QueuePosition {
    const i = this.ordered().findIndex((w) => w.callWorkflowId === callWorkflowId);
    const position = i + 1;
    return {
      position,
      ewtSeconds: position ? estimatedWaitSeconds(position, this.staffedCount(), this.s.handleTimes) : 0,
      waiting: this.s.waiting.length,
    };
  }

  live(): QueueLiveRow {
    const count = (state: string) => this.config.agents.filter((id) => this.s.agents[id]?.member && this.s.agents[id].state === state).length;
    const oldest = Math.min(...this.s.waiting.map((w) => w.enqueuedAt));
    return {
      queue: this.config.name,
      callsWaiting: this.s.waiting.length,
      oldestWaitingSince: this.s.waiting.length ? oldest : null,
      agentsAvailable: count('available') + count('unknown'),
      agentsReserved: count('reserved'),
      agentsOnCall: count('onCall'),
      agentsWrapUp: count('wrapUp'),
      agentsAway: count('away'),
      agentsSignedOut: count('signedOut') + this.config.agents.filter((id) => !this.s.agents[id]?.member).length,
    };
  }
}

export interface QueueLiveRow {
  queue: string;
  callsWaiting: number;
  /** Epoch ms, or null when nobody waits. */
  oldestWaitingSince: number | null;
  agentsAvailable: number;
  agentsReserved: number;
  agentsOnCall: number;
  agentsWrapUp: number;
  agentsAway: number;
  agentsSignedOut: number;
}

const routing = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/**
 * Runs started after this change reserve agents for every call they can at once (`matchAtOnce`) and send each
 * assignment without waiting for Temporal to confirm it (a call that has gone is handled when the signal fails);
 * runs started before reserve one call at a time and wait, so their histories replay. Reserving stays an activity,
 * not a local one: a local activity holds the queue's workflow task open, and a busy queue's signals pile up behind
 * it until the server fails the task (it buffers about 100 events).
 */
export const QUEUE_RESERVE_AT_ONCE_PATCH = 'queue-reserve-at-once';

/**
 * Runs started after this change reserve by signalling the agent (`reserveForCallSignal`), and the agent hands
 * themself to the call: an offer crosses the agent's, the queue's, the agent's and the call's workflow tasks, with no
 * activity, where the Update needed a `reserveAgent` activity and a second queue task (issue 9: offers with 500
 * calls waiting). The queue counts the agent as reserved from the moment it asks and hears back only on a refusal.
 * Attendant groups keep the Update: the group is handed over only once every member is reserved.
 */
export const QUEUE_RESERVE_BY_SIGNAL_PATCH = 'queue-reserve-by-signal';

/**
 * Runs started after this change give round robin's turn back to an agent who refuses a reservation made by signal
 * (taken by another queue, paused meanwhile): the turn moved to them when it was sent, and they lost it.
 */
export const QUEUE_REFUSAL_KEEPS_TURN_PATCH = 'queue-refusal-keeps-turn';

const liveWriter = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * How long a reservation holds without word of the offer's outcome: the ring, the transfer and a worker outage of a
 * few minutes. Past it the agent frees themself (a lost outcome must never leave an agent reserved for good).
 */
const leaseSeconds = (config: QueueConfig) => config.alertSeconds + 300;

/**
 * Runs started after this change write the queue's live row at most once every `LIVE_ROW_INTERVAL_MS`. Each write is
 * an activity, three history events and a workflow task of its own: under load (issue 9) they were over 40% of the
 * queue's history, and so of how often it continued as new. The live panels refresh every 5 s.
 */
export const QUEUE_LIVE_THROTTLED_PATCH = 'queue-live-throttled';
const LIVE_ROW_INTERVAL_MS = 1000;

/** Continue as new well before the history grows large or nears 10,000 signals. */
const MAX_HISTORY_EVENTS = 4000;

/** A long-lived entity workflow per queue: matches waiting calls to agents by the queue's routing method. */
export async function queueWorkflow(input: QueueWorkflowInput): Promise<void> {
  const { config } = input;
  const queue = new QueueState(config, input.state);
  queue.refusalKeepsTurn = patched(QUEUE_REFUSAL_KEEPS_TURN_PATCH);
  let changed = true;
  const exits: { call: WaitingCall; reason: QueueExit['reason'] }[] = [];
  const cancels: Offer[] = [];
  // Decided once per run, so a run replays with the matching it started with.
  const matching: Matching = {
    atOnce: patched(QUEUE_RESERVE_AT_ONCE_PATCH),
    bySignal: patched(QUEUE_RESERVE_BY_SIGNAL_PATCH),
    cancels,
    inFlight: 0,
    wake: () => (changed = true),
  };

  setHandler(enqueueSignal, (call) => {
    const refused = queue.enqueue(call);
    if (refused) exits.push({ call, reason: refused });
    changed = true;
  });
  setHandler(leaveQueueSignal, ({ callWorkflowId }) => {
    const offer = queue.leave(callWorkflowId);
    if (offer) cancels.push(offer);
    changed = true;
  });
  setHandler(offerResultSignal, ({ callWorkflowId, agentId, outcome }) => {
    queue.offerResult(callWorkflowId, agentId, outcome, Date.now());
    changed = true;
  });
  setHandler(reservationRefusedSignal, (r) => {
    if (queue.reservationRefused(r)) changed = true;
  });
  setHandler(agentStatusSignal, (st) => {
    queue.agentStatus(st);
    changed = true;
  });
  setHandler(queuePositionQuery, (callWorkflowId) => queue.position(callWorkflowId));

  const actionFor = (reason: QueueExit['reason']): QueueAction =>
    reason === 'overflow' ? config.overflowAction : reason === 'timeout' ? config.timeoutAction : config.noAgentsAction;
  let lastLive = '';
  // The live row is written in the background, latest value only: Postgres being away never holds up routing.
  let liveToWrite: QueueLiveRow | undefined;
  const liveThrottled = patched(QUEUE_LIVE_THROTTLED_PATCH);
  let liveWrittenAt = -Infinity;
  void (async () => {
    for (;;) {
      await condition(() => liveToWrite !== undefined);
      if (liveThrottled) {
        // A change after a quiet spell is written at once; a busy queue's changes meanwhile fold into the next write.
        const wait = liveWrittenAt + LIVE_ROW_INTERVAL_MS - Date.now();
        if (wait > 0) await sleep(wait);
        liveWrittenAt = Date.now();
      }
      const row = liveToWrite!;
      liveToWrite = undefined;
      await liveWriter.publishQueueLive(row);
    }
  })();

  for (;;) {
    const timeout = queue.nextTimer(Date.now());
    if (timeout === undefined) await condition(() => changed);
    else await condition(() => changed, timeout);
    changed = false;

    for (const call of queue.takeTimedOut(Date.now())) exits.push({ call, reason: 'timeout' });
    for (const call of queue.takeUnstaffed()) exits.push({ call, reason: 'noAgents' });
    while (exits.length) {
      const { call, reason } = exits.shift()!;
      await getExternalWorkflowHandle(call.callWorkflowId)
        .signal(queueExitSignal, { queue: config.name, reason, action: actionFor(reason) })
        .catch((err: unknown) => log.info('call left before its queue exit', { callId: call.callId, callWorkflowId: call.callWorkflowId, error: String(err) }));
    }
    while (cancels.length) await releaseReservation(cancels.shift()!);

    // A rejected reservation changes what the queue knows (an agent signed out): look again at once.
    if (await match(queue, matching)) changed = true;
    while (cancels.length) await releaseReservation(cancels.shift()!);

    const live = queue.live();
    const liveKey = JSON.stringify(live);
    if (liveKey !== lastLive) {
      lastLive = liveKey;
      liveToWrite = live;
    }

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(() => allHandlersFinished() && matching.inFlight === 0);
      if (exits.length || cancels.length) continue;
      await continueAsNew<typeof queueWorkflow>({ config, state: queue.s });
    }
  }
}

/** What one run's matching needs besides the queue's state. */
interface Matching {
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
async function match(queue: QueueState, m: Matching): Promise<boolean> {
  const { config } = queue;
  let rejected = false;
  const ringAll = config.method === 'attendant' && (config.offerBy ?? 'ring') === 'ring' && patched('attendant-rings-all');
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
  const plan: { call: QueuedCall; agentId: string; reservationId: string; seen: number | undefined; readyAt: number }[] = [];
  for (const call of queue.ordered()) {
    if (taken.size >= free) break;
    // Back in the queue before every agent of its last offer reported: wait for them, never hold two offers for it.
    if (queue.s.offers[call.callWorkflowId]) continue;
    const agentId = queue.candidatesFor(call, now).find((id) => !taken.has(id));
    if (!agentId) continue;
    taken.add(agentId);
    plan.push({ call, agentId, reservationId: queue.reservationId(call), seen: queue.s.agents[agentId]?.version, readyAt: queue.readyAt(call, agentId) });
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
    await handOver(queue, { call: p.call, agentId: p.agentId, reservationId: p.reservationId }, m, { readyAt: p.readyAt, offerBy: config.offerBy ?? 'ring' });
  }
  return rejected;
}

/**
 * `attendant`: reserve the candidates (up to `share` of them) for one call at once, and hand the group to the call, which rings
 * them all. Each reservation still goes through the agent's own workflow, so an agent in several queues is never
 * reserved twice. Returns whether any reservation was rejected.
 */
async function reserveGroup(queue: QueueState, call: QueuedCall, m: Matching, share: number): Promise<boolean> {
  const picks = queue.candidatesFor(call, Date.now()).slice(0, share).map((agentId) => ({
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
function reserveBySignal(queue: QueueState, p: { call: QueuedCall; agentId: string; reservationId: string; seen: number | undefined; readyAt: number }, m: Matching): void {
  const { config } = queue;
  const { call, agentId, reservationId } = p;
  queue.reserved(call, agentId, reservationId, undefined, p.seen);
  m.inFlight++;
  void getExternalWorkflowHandle(agentWorkflowId(agentId))
    .signal(reserveForCallSignal, {
      request: reserveRequest(config, call, reservationId),
      assignment: assignmentFor(config, { call, agentId, reservationId }, { readyAt: p.readyAt, offerBy: config.offerBy ?? 'ring' }),
    })
    .catch(() => {
      // No workflow for the agent: not signed in.
      queue.reservationRefused({ reservationId, callWorkflowId: call.callWorkflowId, agentId, reason: 'agent not signed in', state: 'signedOut' });
      m.wake();
    })
    .finally(() => m.inFlight--);
}

/** What the call is told about the agent (or group) reserved for it. */
function assignmentFor(config: QueueConfig, offer: Offer, how: { readyAt: number; offerBy: OfferMode }): AgentAssignment {
  return {
    queue: config.name,
    agentId: offer.agentId,
    reservationId: offer.reservationId,
    alertSeconds: config.alertSeconds,
    wrapUpSeconds: config.wrapUpSeconds,
    missesBeforeAway: config.missesBeforeAway,
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
  return { reservationId, queue: config.name, callWorkflowId: call.callWorkflowId, callId: call.callId, leaseSeconds: leaseSeconds(config) };
}

/** A reservation accepted: hand the agent (or group) to the call, or release them if the caller hung up meanwhile. */
async function handOver(queue: QueueState, offer: Offer, m: Matching, how: { readyAt: number; offerBy: OfferMode }): Promise<void> {
  if (!queue.isWaiting(offer.call.callWorkflowId)) {
    m.cancels.push(offer);
    return;
  }
  queue.reserved(offer.call, offer.agentId, offer.reservationId, offer.group);
  await assign(queue, offer, m, how);
}

/** Hand the reserved agent (or group) to the call; a call that has left meanwhile has its reservations released. */
async function assign(queue: QueueState, offer: Offer, m: Matching, how: { readyAt: number; offerBy: OfferMode }): Promise<void> {
  const { config } = queue;
  const { call } = offer;
  const sent = getExternalWorkflowHandle(call.callWorkflowId).signal(agentAssignedSignal, assignmentFor(config, offer, how));
  const left = (err: unknown) => {
    log.info('call left before its offer', { callId: call.callId, callWorkflowId: call.callWorkflowId, error: String(err) });
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

async function releaseReservation(offer: Offer): Promise<void> {
  for (const m of offer.group ?? [{ agentId: offer.agentId, reservationId: offer.reservationId }]) {
    await getExternalWorkflowHandle(agentWorkflowId(m.agentId))
      .signal(agentOfferOutcomeSignal, { reservationId: m.reservationId, outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 1 })
      .catch((err: unknown) => log.warn('could not release a reservation', { agentId: m.agentId, callId: offer.call.callId, callWorkflowId: offer.call.callWorkflowId, error: String(err) }));
  }
}
