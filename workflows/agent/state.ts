import type { CallWorkflowStatus } from '../../src/contracts/activities/agents.js';
import type {
  AgentPublication,
  AgentSnapshot,
  AgentStateName,
  AgentStateRow,
  OfferOutcomeReport,
  ReserveRequest,
  TeamsPresence,
} from '../../src/contracts/agent.js';
import { EXTEND_WRAP_UP_MAX_SECONDS } from '../../src/contracts/agent.js';

/** Reservation ids an agent remembers, to refuse one repeated after it ended. */
const RECENT_RESERVATIONS = 100;

const AWAY_PRESENCE = new Set(['Away', 'BeRightBack', 'DoNotDisturb', 'Offline']);
const AVAILABLE_PRESENCE = new Set(['Available', 'AvailableIdle']);

/**
 * How often an agent on a call whose end only its call workflow reports (a conference) asks whether that workflow is
 * still running. A long check: a talk seldom outlasts it, so most calls end before the first (no workflow task for it),
 * and an agent whose call workflow died is free at most this long after.
 */
export const CALL_CHECK_MS = 10 * 60_000;

/** Teams tells that someone is on a call by their activity, whatever their availability says. */
const isInCall = (p: TeamsPresence | undefined): boolean =>
  p !== undefined && (p.activity === 'InACall' || p.activity === 'InAConferenceCall' || p.activity === 'Presenting');

/**
 * One agent's state machine (signedOut, available, reserved, onCall, wrapUp, away). Plain class: the rules read
 * without Temporal, and every transition is synchronous so a reservation is decided in one step.
 */
export class AgentState {
  s: AgentSnapshot;
  pending: AgentStateRow[] = [];
  /** Something queues or Postgres must hear about. */
  dirty = false;
  /**
   * Whether a signed-out agent whose queue list changes, but was not empty, stays signed out. Asked only then, so the
   * workflow decides it by its patch there (AGENT_SIGN_IN_FROM_NO_QUEUES_PATCH); without a workflow, always.
   */
  staysSignedOut: () => boolean = () => true;
  /**
   * Whether a call's end that arrives while the agent is still reserved for it is kept for its `connected` outcome.
   * Asked only then (AGENT_EARLY_CALL_END_PATCH); without a workflow, always.
   */
  keepsEarlyEnd: () => boolean = () => true;
  // These four are asked only where they decide something, each its own patch (workflows/patches.ts); without a
  // workflow, always true.
  /** A sign-out or away asked for while reserved or on a call is kept for its end (AGENT_SIGN_OUT_AFTER_CALL_PATCH). */
  keepsAskForAfterCall: () => boolean = () => true;
  /** An on-call agent whose end the call workflow reports checks, every CALL_CHECK_MS, that it still runs. */
  checksCallWorkflow: () => boolean = () => true; // AGENT_CALL_WORKFLOW_GONE_PATCH
  /** A call's end that names another reservation than the current one ends nothing. */
  ignoresOtherCallsEnd: () => boolean = () => true; // AGENT_CALL_END_OWN_RESERVATION_PATCH
  /** In wrap-up, a new ask replaces a sign-out or away kept from the call (AGENT_KEPT_ASK_REPLACED_PATCH). */
  newAskReplacesKept: () => boolean = () => true;

  constructor(
    readonly agentId: string,
    readonly keyPrefix: string,
    readonly presenceLagMs: number,
    snapshot: AgentSnapshot | undefined,
    now: number,
  ) {
    this.s = snapshot ?? {
      state: 'signedOut',
      since: now,
      configured: [],
      optedOut: [],
      optedIn: [],
      misses: 0,
      presenceSeen: false,
      sawInCall: false,
      awayByPresence: false,
      idleSince: now,
      seq: 0,
      left: [],
    };
  }

  get queues(): string[] {
    const all = [...new Set([...this.s.configured, ...this.s.optedIn])];
    return all.filter((q) => !this.s.optedOut.includes(q)).sort();
  }

  private to(
    state: AgentStateName,
    now: number,
    reason: string,
    extra: { queue?: string; callId?: string } = {},
  ): void {
    // Where an offer or a call leaves the agent free (available, or away from missed offers), a sign-out or away they
    // asked for meanwhile is what they become. Any state but those of a call ends the request.
    const asked = this.s.afterCall;
    if (asked && state !== 'reserved' && state !== 'onCall' && state !== 'wrapUp') {
      this.s.afterCall = undefined;
      if (state === 'available' || state === 'away') {
        state = asked.state;
        reason = asked.reason;
        this.s.awayByPresence = false;
      }
    }
    this.s.state = state;
    this.s.since = now;
    this.s.seq++;
    this.pending.push({
      key: `${this.keyPrefix}:${this.s.seq}`,
      agentId: this.agentId,
      state,
      reason,
      at: now,
      ...extra,
    });
    this.dirty = true;
  }

  private becomeAvailable(now: number, reason: string): void {
    // Idle time counts from the end of the last call's wrap-up, or from signing in; a missed offer doesn't reset it.
    if (this.s.state !== 'reserved') this.s.idleSince = now;
    this.s.reservation = undefined;
    this.to('available', now, reason);
  }

  setQueues(change: () => void, now: number): void {
    const before = this.queues;
    change();
    const after = this.queues;
    this.s.left = [...new Set([...this.s.left, ...before.filter((q) => !after.includes(q))])];
    this.dirty = true;
    if (
      after.length === 0 &&
      this.s.state !== 'signedOut' &&
      this.s.state !== 'reserved' &&
      this.s.state !== 'onCall'
    ) {
      this.to('signedOut', now, 'optOut');
    } else if (after.length > 0 && this.s.state === 'signedOut' && (before.length === 0 || !this.staysSignedOut())) {
      // Signed in by getting a first queue (a new agent, or one who had opted out of every queue opting back in), not
      // by being told queues they had: every worker start tells each agent their configured queues again, and an
      // agent who signed out and went home must not be offered calls after a deploy.
      this.becomeAvailable(now, 'signIn');
    }
  }

  rejectReservation(req: ReserveRequest): string | undefined {
    if (this.s.reservation?.reservationId === req.reservationId) return undefined; // a retried request
    if (this.s.recentReservations?.includes(req.reservationId)) return `reservation ${req.reservationId} already ended`;
    if (this.s.state !== 'available') return `agent ${this.agentId} is ${this.s.state}`;
    if (!req.direct && !this.queues.includes(req.queue))
      return `agent ${this.agentId} is not opted in to queue ${req.queue}`;
    return undefined;
  }

  /** The state a queue should take this agent to be in after `rejectReservation` said why. */
  refusedAs(req: ReserveRequest): AgentStateName {
    return this.queues.includes(req.queue) ? this.s.state : 'signedOut';
  }

  reserve(req: ReserveRequest, now: number): void {
    if (this.s.reservation?.reservationId === req.reservationId) return;
    this.s.reservation = req;
    this.remember(req.reservationId);
    this.to('reserved', now, 'offer', { queue: req.queue, callId: req.callId });
  }

  private remember(reservationId: string): void {
    if (this.s.recentReservations?.includes(reservationId)) return;
    this.s.recentReservations = [...(this.s.recentReservations ?? []), reservationId].slice(-RECENT_RESERVATIONS);
  }

  offerOutcome(r: OfferOutcomeReport, now: number): void {
    const res = this.s.reservation;
    if (!res || res.reservationId !== r.reservationId || this.s.state !== 'reserved') {
      // A release that overtook its reservation request (two signals from one queue need not arrive in order): the
      // request, when it comes, is refused instead of reserving the agent for a call that has gone.
      if (r.outcome === 'cancelled' && res?.reservationId !== r.reservationId) this.remember(r.reservationId);
      return; // stale or duplicate
    }
    if (r.outcome === 'connected') {
      const handledAt = now;
      now = this.reportedTime(r.at, now);
      this.s.misses = 0;
      this.s.onCallSince = now;
      this.s.sawInCall = isInCall(this.s.presence);
      this.s.endReported = r.endReported === true;
      this.s.callCheckAt = undefined;
      this.s.wrapUpSeconds = r.wrapUpSeconds;
      this.to('onCall', now, 'connected', { queue: res.queue, callId: res.callId });
      const early = this.s.endedEarly;
      this.s.endedEarly = undefined;
      // The end came first: without this, an agent whose end only their call workflow reports stays on call for good.
      if (early?.reservationId === res.reservationId)
        this.startWrapUp(this.reportedTime(early.at, handledAt), r.wrapUpSeconds);
      // Without presence readings nothing will tell us the call ended (unless its workflow will): wrap-up starts now.
      else if (!this.s.presenceSeen && !this.s.endReported) this.startWrapUp(now, r.wrapUpSeconds);
      return;
    }
    if (r.outcome === 'missed') {
      this.s.misses++;
      if (this.s.misses >= r.missesBeforeAway) {
        this.s.reservation = undefined;
        this.s.awayByPresence = false;
        this.to('away', now, 'missedOffers', { queue: res.queue, callId: res.callId });
        return;
      }
      this.becomeAvailable(now, 'missedOffer');
      return;
    }
    this.becomeAvailable(now, 'offerCancelled');
  }

  private startWrapUp(now: number, seconds: number, reason = 'callEnded'): void {
    const res = this.s.reservation;
    this.s.wrapUpUntil = now + seconds * 1000;
    this.s.callCheckAt = undefined;
    this.to('wrapUp', now, reason, { ...(res ? { queue: res.queue, callId: res.callId } : {}) });
  }

  /** On a call whose end only its call workflow will report (a conference, a colleague's transfer). */
  private awaitsReportedEnd(): boolean {
    return this.s.state === 'onCall' && this.s.endReported === true && this.s.reservation !== undefined;
  }

  private callCheckAt(): number {
    return this.s.callCheckAt ?? this.s.since + CALL_CHECK_MS;
  }

  /** The reservation whose call workflow is to be asked about now, if a check is due. */
  callToCheck(now: number): ReserveRequest | undefined {
    if (!this.awaitsReportedEnd() || now < this.callCheckAt() || !this.checksCallWorkflow()) return undefined;
    return this.s.reservation;
  }

  /**
   * What Temporal said of the call workflow (undefined: it could not be asked). Still running: ask again in
   * CALL_CHECK_MS. Closed or not found: it will never report the end, so the talk ends, at its close if known (the
   * latest the talk can have lasted), and wrap-up follows. True when it ended the talk.
   */
  callChecked(reservationId: string, answer: CallWorkflowStatus | undefined, now: number): boolean {
    if (!this.awaitsReportedEnd() || this.s.reservation?.reservationId !== reservationId) return false; // ended meanwhile
    if (answer === undefined || answer.open) {
      this.s.callCheckAt = now + CALL_CHECK_MS;
      return false;
    }
    this.startWrapUp(this.reportedTime(answer.closedAt, now), this.s.wrapUpSeconds ?? 0, 'callWorkflowGone');
    return true;
  }

  /** Why an extension of the wrap-up is refused, or undefined when it may go ahead. */
  rejectWrapUpExtension(seconds: number): string | undefined {
    if (this.s.state !== 'wrapUp') return `agent ${this.agentId} is ${this.s.state}, not in wrap-up`;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > EXTEND_WRAP_UP_MAX_SECONDS)
      return `seconds must be a whole number from 1 to ${EXTEND_WRAP_UP_MAX_SECONDS}`;
    return undefined;
  }

  /** Moves the end of wrap-up; the loop's next timer follows it (nextTimer reads wrapUpUntil). */
  extendWrapUp(seconds: number, now: number): number {
    this.s.wrapUpUntil = Math.max(this.s.wrapUpUntil ?? now, now) + seconds * 1000;
    return this.s.wrapUpUntil;
  }

  /**
   * `endedAt`: when the call's roster showed the talk over (a conference), which the signal reports after the fact.
   * `reservationId`: the call whose talk ended (absent from presence, and from calls from before it was sent). One that
   * names another reservation than the agent's current one is an earlier call's end coming late (a retried signal, a
   * transfer's first leg, a call workflow reset): it ends nothing, and 'otherCall' says so, for the log. While
   * reserved, only the current reservation's end is kept for its `connected` (the same rule).
   */
  callEnded(now: number, endedAt?: string, reservationId?: string): 'otherCall' | undefined {
    const current = this.s.reservation?.reservationId;
    const other = reservationId !== undefined && current !== undefined && reservationId !== current;
    if (this.s.state === 'onCall') {
      if (other && this.ignoresOtherCallsEnd()) return 'otherCall';
      this.startWrapUp(this.reportedTime(endedAt, now), this.s.wrapUpSeconds ?? 0);
    } else if (this.s.state === 'reserved' && reservationId !== undefined) {
      if (reservationId !== current) return other ? 'otherCall' : undefined;
      if (this.keepsEarlyEnd())
        this.s.endedEarly = { reservationId, ...(endedAt !== undefined ? { at: endedAt } : {}) };
    }
    return undefined;
  }

  /**
   * The time a call workflow reported for a step (Graph's moment, recorded in the signal, so replay reads the same),
   * within what this agent's timeline allows: not before its current state began, not after now. Without one, now.
   */
  private reportedTime(at: string | undefined, now: number): number {
    const t = at === undefined ? NaN : Date.parse(at);
    return Number.isFinite(t) ? Math.min(now, Math.max(this.s.since, t)) : now;
  }

  presence(p: TeamsPresence, now: number): void {
    const changed = this.s.presence?.availability !== p.availability || this.s.presence?.activity !== p.activity;
    this.s.presence = p;
    this.s.presenceSeen = true;
    if (changed) this.dirty = true;
    if (this.s.state === 'onCall') {
      if (isInCall(p)) this.s.sawInCall = true;
      else if (this.s.sawInCall && !this.s.endReported) this.callEnded(now);
    } else if (this.s.state === 'available' && AWAY_PRESENCE.has(p.availability)) {
      this.s.awayByPresence = true;
      this.to('away', now, `presence:${p.availability}`);
    } else if (this.s.state === 'away' && this.s.awayByPresence && AVAILABLE_PRESENCE.has(p.availability)) {
      this.s.awayByPresence = false;
      this.becomeAvailable(now, `presence:${p.availability}`);
    }
  }

  setAvailability(state: 'available' | 'away' | 'signedOut', reason: string, now: number): void {
    if (this.s.state === 'reserved' || this.s.state === 'onCall') {
      // The offer or the call goes on. A sign-out or away is kept for its end: it was dropped, and the agent who had
      // signed out was offered calls again after it. `available` takes back one kept.
      if (state === 'available') this.s.afterCall = undefined;
      else if (this.keepsAskForAfterCall()) this.s.afterCall = { state, reason };
      return;
    }
    // In wrap-up the agent's newer ask wins: an available (or away) there became the sign-out kept from the call.
    if (this.s.afterCall && this.newAskReplacesKept()) this.s.afterCall = undefined;
    if (this.s.state === state) return;
    if (state === 'available') {
      if (this.queues.length === 0) return;
      this.s.misses = 0;
      this.s.awayByPresence = false;
      this.becomeAvailable(now, reason);
    } else {
      this.s.awayByPresence = false;
      this.to(state, now, reason);
    }
  }

  /** Ends what ends by itself: wrap-up, and an on-call whose presence never showed the call within the lag. */
  tick(now: number): void {
    const lease = this.s.reservation?.leaseSeconds;
    if (this.s.state === 'reserved' && lease !== undefined && now - this.s.since >= lease * 1000) {
      // The offer's outcome never came (a lost signal): free the agent rather than hold them for good.
      this.becomeAvailable(now, 'reservationExpired');
    }
    if (this.s.state === 'wrapUp' && (this.s.wrapUpUntil ?? 0) <= now) {
      this.s.handleSeconds = this.s.onCallSince !== undefined ? (now - this.s.onCallSince) / 1000 : undefined;
      // An agent who opted out of every queue during the call signs out when it's done.
      if (this.queues.length === 0) this.to('signedOut', now, 'optOut');
      else this.becomeAvailable(now, 'wrapUpEnded');
    }
    if (
      this.s.state === 'onCall' &&
      !this.s.sawInCall &&
      !this.s.endReported &&
      !isInCall(this.s.presence) &&
      now - this.s.since >= this.presenceLagMs
    ) {
      this.callEnded(now);
    }
  }

  nextTimer(now: number): number | undefined {
    if (this.s.state === 'wrapUp') return Math.max(1, (this.s.wrapUpUntil ?? now) - now);
    const lease = this.s.reservation?.leaseSeconds;
    if (this.s.state === 'reserved' && lease !== undefined) return Math.max(1, this.s.since + lease * 1000 - now);
    if (this.s.state === 'onCall' && !this.s.sawInCall && !this.s.endReported)
      return Math.max(1, this.s.since + this.presenceLagMs - now);
    if (this.awaitsReportedEnd() && this.checksCallWorkflow()) return Math.max(1, this.callCheckAt() - now);
    return undefined;
  }

  publication(): AgentPublication {
    // The queue that reserved the agent marked them reserved when it asked. Telling it again would cost that busy
    // queue a signal and a workflow task per call (issue 9), unless there is more to tell (a handle time).
    const toldAlready =
      this.s.state === 'reserved' && this.s.handleSeconds === undefined ? this.s.reservation?.queue : undefined;
    const members = this.queues;
    const current = members.filter((queue) => queue !== toldAlready);
    const pub: AgentPublication = {
      agentId: this.agentId,
      changes: this.pending,
      live: {
        state: this.s.state,
        since: this.s.since,
        ...(this.s.reservation ? { callId: this.s.reservation.callId } : {}),
      },
      queues: [
        ...current.map((queue) => ({ queue, member: true })),
        ...this.s.left.filter((q) => !members.includes(q)).map((queue) => ({ queue, member: false })),
      ],
      idleSince: this.s.idleSince,
      ...(this.s.presence ? { presence: this.s.presence } : {}),
      ...(this.s.handleSeconds !== undefined ? { handleSeconds: this.s.handleSeconds } : {}),
    };
    this.pending = [];
    this.s.left = [];
    this.s.handleSeconds = undefined;
    this.dirty = false;
    return pub;
  }
}
