import type { QueueConfig } from '../../src/contracts/queue-config.js';
import { DEFAULT_PRIORITY } from '../../src/contracts/queue-config.js';
import { candidates, mayBeFree } from '../../src/routing/select.js';
import { estimatedWaitSeconds } from '../../src/routing/ewt.js';
import type { AgentStateName } from '../../src/contracts/agent.js';
import type { QueueExit } from '../../src/contracts/call.js';
import type {
  AgentStatus,
  AgentView,
  Offer,
  QueuedCall,
  QueueLiveRow,
  QueuePosition,
  QueueSnapshot,
  ReservationRefused,
  WaitingCall,
} from '../../src/contracts/queue.js';

const STAFFED = new Set(['available', 'reserved', 'onCall', 'wrapUp', 'unknown']);

/** A queue's first run: nobody waiting, no agent heard from yet. */
export function emptyQueueSnapshot(): QueueSnapshot {
  return { waiting: [], agents: {}, missed: {}, offers: {}, lastOffered: -1, handleTimes: [], reservationSeq: 0 };
}

/**
 * The queue's state in a plain class so the rules read without Temporal in the way: priority then first-in-first-out,
 * candidates by the routing method, timeouts, overflow and the no-agents rule.
 */
export class QueueState {
  readonly s: QueueSnapshot;
  /** An agent who refuses a reservation made by signal keeps their turn (QUEUE_REFUSAL_KEEPS_TURN_PATCH). */
  refusalKeepsTurn = false;
  /** The live row's oldest wait leaves out callbacks keeping their place (QUEUE_LIVE_HOLD_ONLY_PATCH). */
  oldestOnHoldOnly = false;

  constructor(
    readonly config: QueueConfig,
    snapshot?: QueueSnapshot,
  ) {
    this.s = snapshot ?? emptyQueueSnapshot();
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
    else if (outcome !== 'cancelled')
      (this.s.missed[callWorkflowId] ??= {})[agentId] = now + this.config.reofferAfterSeconds * 1000;
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
    return this.config.agents.filter(
      (id) =>
        this.s.agents[id]?.member && STAFFED.has(this.s.agents[id].state) && this.s.agents[id].state !== 'unknown',
    ).length;
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
    for (const m of group ?? [{ agentId }])
      this.s.agents[m.agentId] = { ...this.s.agents[m.agentId]!, state: 'reserved' };
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
      if (current?.state === 'reserved' && r.state && !r.callGone)
        this.s.agents[r.agentId] = { ...current, state: r.state };
      return false;
    }
    delete this.s.offers[r.callWorkflowId];
    if (r.callGone) {
      delete this.s.missed[r.callWorkflowId];
      return true;
    }
    // The turn moved to this agent when the reservation was sent; unless a later one moved it on, it goes back, so
    // round robin offers them the next call again (as a refused Update never moved it).
    if (offer.turnBefore !== undefined && this.s.lastOffered === this.config.agents.indexOf(r.agentId))
      this.s.lastOffered = offer.turnBefore;
    this.s.waiting.push(offer.call);
    // Marked reserved when picked: unless a fresher status came since, the refusal says what the agent is.
    if (current && current.version === offer.seen)
      this.s.agents[r.agentId] = { ...current, state: r.state ?? 'reserved' };
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
    const count = (state: string) =>
      this.config.agents.filter((id) => this.s.agents[id]?.member && this.s.agents[id].state === state).length;
    // The longest wait is a caller's on hold: a callback keeps its place with its first enqueue time, which is no
    // one's wait between its attempts (QUEUE_LIVE_HOLD_ONLY_PATCH).
    const onHold = this.oldestOnHoldOnly ? this.s.waiting.filter((w) => !w.callback) : this.s.waiting;
    const oldest = Math.min(...onHold.map((w) => w.enqueuedAt));
    return {
      queue: this.config.name,
      callsWaiting: this.s.waiting.length,
      oldestWaitingSince: onHold.length ? oldest : null,
      agentsAvailable: count('available') + count('unknown'),
      agentsReserved: count('reserved'),
      agentsOnCall: count('onCall'),
      agentsWrapUp: count('wrapUp'),
      agentsAway: count('away'),
      agentsSignedOut: count('signedOut') + this.config.agents.filter((id) => !this.s.agents[id]?.member).length,
    };
  }
}
