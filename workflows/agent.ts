import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/index.js';
import { INLINE_WRITE, writeInlineFirst } from './inline-write.js';
import { proxyLocalActivitiesInOrder } from './local-activities.js';
import type { AgentStateName } from '../src/db/entities/agent-state.js';
import { isInCall, type TeamsPresence } from '../src/routing/types.js';
import {
  agentAssignedSignal,
  agentAvailabilitySignal,
  agentCallEndedSignal,
  agentOfferOutcomeSignal,
  agentRunStateQuery,
  agentStateQuery,
  configuredQueuesSignal,
  optInSignal,
  optOutSignal,
  presenceSignal,
  queueWorkflowId,
  reservationRefusedSignal,
  reserveForCallSignal,
  reserveUpdate,
  type OfferOutcomeReport,
  type ReservationRefused,
  type ReserveRequest,
} from './messages.js';

export interface AgentStateRow {
  key: string;
  agentId: string;
  state: AgentStateName;
  reason?: string;
  queue?: string;
  callId?: string;
  /** Epoch ms (workflow time). */
  at: number;
}

export interface AgentPublication {
  agentId: string;
  changes: AgentStateRow[];
  live: { state: AgentStateName; since: number; callId?: string };
  /** Queues that must hear the agent's status, and whether the agent is (still) a member. */
  queues: { queue: string; member: boolean }[];
  idleSince: number;
  presence?: TeamsPresence;
  handleSeconds?: number;
}

export interface AgentSnapshot {
  state: AgentStateName;
  since: number;
  configured: string[];
  optedOut: string[];
  optedIn: string[];
  misses: number;
  reservation?: ReserveRequest;
  presence?: TeamsPresence;
  presenceSeen: boolean;
  sawInCall: boolean;
  awayByPresence: boolean;
  idleSince: number;
  onCallSince?: number;
  wrapUpUntil?: number;
  /** The wrap-up the agent's current call earns, from the queue it came through. */
  wrapUpSeconds?: number;
  seq: number;
  /**
   * The latest reservations this agent accepted (kept across continue-as-new): a reserve request repeated after its
   * offer is over (an abandoned activity attempt's request arriving late, after Temporal's own dedup was lost to
   * continue-as-new) is refused instead of reserving the agent for a call that has ended.
   */
  recentReservations?: string[];
  /** Queues left since the last publication, which must still hear that the agent left. */
  left: string[];
  handleSeconds?: number;
}

export interface AgentWorkflowInput {
  agentId: string;
  configuredQueues?: string[];
  /** Teams presence lags up to about 60 s: how long an on-call agent whose presence never showed the call is kept on call. */
  presenceLagSeconds?: number;
  state?: AgentSnapshot;
}

/** Reservation ids an agent remembers, to refuse one repeated after it ended. */
const RECENT_RESERVATIONS = 100;

const AWAY_PRESENCE = new Set(['Away', 'BeRightBack', 'DoNotDisturb', 'Offline']);
const AVAILABLE_PRESENCE = new Set(['Available', 'AvailableIdle']);

/**
 * One agent's state machine (signedOut, available, reserved, onCall, wrapUp, away). Plain class: the rules read
 * without Temporal, and every transition is synchronous so a reservation is decided in one step.
 */
export class AgentState {
  s: AgentSnapshot;
  pending: AgentStateRow[] = [];
  /** Something queues or Postgres must hear about. */
  dirty = false;

  constructor(
    readonly agentId: string,
    readonly keyPrefix: string,
    readonly presenceLagMs: number,
    snapshot: AgentSnapshot | undefined,
    now: number,
  ) {
    this.s = snapshot ?? {
      state: 'signedOut', since: now, configured: [], optedOut: [], optedIn: [], misses: 0,
      presenceSeen: false, sawInCall: false, awayByPresence: false, idleSince: now, seq: 0, left: [],
    };
  }

  get queues(): string[] {
    const all = [...new Set([...this.s.configured, ...this.s.optedIn])];
    return all.filter((q) => !this.s.optedOut.includes(q)).sort();
  }

  private to(state: AgentStateName, now: number, reason: string, extra: { queue?: string; callId?: string } = {}): void {
    this.s.state = state;
    this.s.since = now;
    this.s.seq++;
    this.pending.push({ key: `${this.keyPrefix}:${this.s.seq}`, agentId: this.agentId, state, reason, at: now, ...extra });
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
    if (after.length === 0 && this.s.state !== 'signedOut' && this.s.state !== 'reserved' && this.s.state !== 'onCall') {
      this.to('signedOut', now, 'optOut');
    } else if (after.length > 0 && this.s.state === 'signedOut') {
      this.becomeAvailable(now, 'signIn');
    }
  }

  rejectReservation(req: ReserveRequest): string | undefined {
    if (this.s.reservation?.reservationId === req.reservationId) return undefined; // a retried request
    if (this.s.recentReservations?.includes(req.reservationId)) return `reservation ${req.reservationId} already ended`;
    if (this.s.state !== 'available') return `agent ${this.agentId} is ${this.s.state}`;
    if (!this.queues.includes(req.queue)) return `agent ${this.agentId} is not opted in to queue ${req.queue}`;
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
      this.s.misses = 0;
      this.s.onCallSince = now;
      this.s.sawInCall = isInCall(this.s.presence);
      this.s.wrapUpSeconds = r.wrapUpSeconds;
      this.to('onCall', now, 'connected', { queue: res.queue, callId: res.callId });
      // Without presence readings nothing will tell us the call ended: wrap-up starts now.
      if (!this.s.presenceSeen) this.startWrapUp(now, r.wrapUpSeconds);
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

  private startWrapUp(now: number, seconds: number): void {
    const res = this.s.reservation;
    this.s.wrapUpUntil = now + seconds * 1000;
    this.to('wrapUp', now, 'callEnded', { ...(res ? { queue: res.queue, callId: res.callId } : {}) });
  }

  callEnded(now: number): void {
    if (this.s.state === 'onCall') this.startWrapUp(now, this.s.wrapUpSeconds ?? 0);
  }

  presence(p: TeamsPresence, now: number): void {
    const changed = this.s.presence?.availability !== p.availability || this.s.presence?.activity !== p.activity;
    this.s.presence = p;
    this.s.presenceSeen = true;
    if (changed) this.dirty = true;
    if (this.s.state === 'onCall') {
      if (isInCall(p)) this.s.sawInCall = true;
      else if (this.s.sawInCall) this.callEnded(now);
    } else if (this.s.state === 'available' && AWAY_PRESENCE.has(p.availability)) {
      this.s.awayByPresence = true;
      this.to('away', now, `presence:${p.availability}`);
    } else if (this.s.state === 'away' && this.s.awayByPresence && AVAILABLE_PRESENCE.has(p.availability)) {
      this.s.awayByPresence = false;
      this.becomeAvailable(now, `presence:${p.availability}`);
    }
  }

  setAvailability(state: 'available' | 'away' | 'signedOut', reason: string, now: number): void {
    if (this.s.state === 'reserved' || this.s.state === 'onCall' || this.s.state === state) return;
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
    if (this.s.state === 'onCall' && !this.s.sawInCall && !isInCall(this.s.presence) && now - this.s.since >= this.presenceLagMs) {
      this.callEnded(now);
    }
  }

  nextTimer(now: number): number | undefined {
    if (this.s.state === 'wrapUp') return Math.max(1, (this.s.wrapUpUntil ?? now) - now);
    const lease = this.s.reservation?.leaseSeconds;
    if (this.s.state === 'reserved' && lease !== undefined) return Math.max(1, this.s.since + lease * 1000 - now);
    if (this.s.state === 'onCall' && !this.s.sawInCall) return Math.max(1, this.s.since + this.presenceLagMs - now);
    return undefined;
  }

  publication(): AgentPublication {
    // The queue that reserved the agent marked them reserved when it asked. Telling it again would cost that busy
    // queue a signal and a workflow task per call (issue 9), unless there is more to tell (a handle time).
    const toldAlready = this.s.state === 'reserved' && this.s.handleSeconds === undefined ? this.s.reservation?.queue : undefined;
    const members = this.queues;
    const current = members.filter((queue) => queue !== toldAlready);
    const pub: AgentPublication = {
      agentId: this.agentId,
      changes: this.pending,
      live: { state: this.s.state, since: this.s.since, ...(this.s.reservation ? { callId: this.s.reservation.callId } : {}) },
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

const publish = proxyActivities<AgentActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});
/**
 * Telling the queues is a few signals to Temporal and no Postgres: a local activity, run inside the workflow task
 * that changed the state. It saves an activity task and the workflow task its completion costs per state change
 * (issue 9: 4–5 of each per call), and takes them out of every offer's path (agent free → queue hears of it).
 */
const publishLocal = proxyLocalActivitiesInOrder<AgentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});
/** Runs started after this change publish through the local activity; runs started before keep the activity. */
export const AGENT_LOCAL_PUBLISH_PATCH = 'agent-local-publish';
const record = proxyActivities<AgentActivities>({
  startToCloseTimeout: '15s',
  // Postgres being away must never lose a state change: keep retrying until it is back.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Runs started after this change try each Postgres write first as a local activity, inside the workflow task that
 * changed the state (`writeInlineFirst`): 4–5 activity tasks and workflow tasks fewer per call (issue 9). Runs started
 * before write with the activity only, so their histories replay.
 */
export const AGENT_INLINE_RECORD_PATCH = 'agent-inline-record';
const recordInline = proxyLocalActivitiesInOrder<AgentActivities>(INLINE_WRITE);

/** Continue as new well before 2,000 updates or a large history. */
const MAX_HISTORY_EVENTS = 1500;

/**
 * One entity workflow per agent, the single owner of that agent's state. Queues reserve the agent through the
 * `reserve` Update, whose validator rejects unless the agent is available: Temporal runs one workflow's updates one
 * at a time, so an agent in several queues can never hold two reservations at once.
 */
export async function agentWorkflow(input: AgentWorkflowInput): Promise<void> {
  const info = workflowInfo();
  // Decided once per run, so a run replays with the publishing it started with.
  const { publishAgentState } = patched(AGENT_LOCAL_PUBLISH_PATCH) ? publishLocal : publish;
  const inlineRecord = patched(AGENT_INLINE_RECORD_PATCH);
  const agent = new AgentState(
    input.agentId,
    `${input.agentId}:${info.firstExecutionRunId}`,
    (input.presenceLagSeconds ?? 20) * 1000,
    input.state,
    Date.now(),
  );
  if (!input.state) {
    agent.dirty = true; // queues and Postgres learn of a new agent at once
    if (input.configuredQueues) agent.setQueues(() => (agent.s.configured = [...input.configuredQueues!]), Date.now());
  }

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
  );
  // A queue's reservation by signal: the same rule as the Update above (handlers run one at a time, so two queues can
  // never both have the agent), and the agent hands themself to the call, which saves the queue a hop per offer.
  setHandler(reserveForCallSignal, ({ request, assignment }) => {
    const refuse = (answer: Omit<ReservationRefused, 'reservationId' | 'callWorkflowId' | 'agentId'>) =>
      void getExternalWorkflowHandle(queueWorkflowId(request.queue))
        .signal(reservationRefusedSignal, { reservationId: request.reservationId, callWorkflowId: request.callWorkflowId, agentId: input.agentId, ...answer })
        .catch((err: unknown) => log.warn('could not answer a reservation', { queue: request.queue, callId: request.callId, error: String(err) }));
    const why = agent.rejectReservation(request);
    if (why) return refuse({ reason: why, state: agent.refusedAs(request) });
    if (agent.s.reservation?.reservationId === request.reservationId) return; // a repeated request
    agent.reserve(request, Date.now());
    void getExternalWorkflowHandle(request.callWorkflowId)
      .signal(agentAssignedSignal, assignment)
      .catch((err: unknown) => {
        // Nobody will report this offer's outcome: free the agent now, not when the lease ends, and drop the call.
        log.info('call gone before its offer', { callId: request.callId, callWorkflowId: request.callWorkflowId, error: String(err) });
        agent.offerOutcome({ reservationId: request.reservationId, outcome: 'cancelled', wrapUpSeconds: 0, missesBeforeAway: 1 }, Date.now());
        refuse({ reason: 'call gone', callGone: true });
      });
  });
  setHandler(agentOfferOutcomeSignal, (r) => agent.offerOutcome(r, Date.now()));
  setHandler(agentCallEndedSignal, () => agent.callEnded(Date.now()));
  setHandler(presenceSignal, (p) => agent.presence(p, Date.now()));
  setHandler(agentAvailabilitySignal, ({ state, reason }) => agent.setAvailability(state, reason ?? 'manual', Date.now()));
  setHandler(optInSignal, ({ queue }) =>
    agent.setQueues(() => {
      agent.s.optedOut = agent.s.optedOut.filter((q) => q !== queue);
      if (!agent.s.optedIn.includes(queue)) agent.s.optedIn.push(queue);
    }, Date.now()),
  );
  setHandler(optOutSignal, ({ queue }) =>
    agent.setQueues(() => {
      agent.s.optedIn = agent.s.optedIn.filter((q) => q !== queue);
      if (!agent.s.optedOut.includes(queue)) agent.s.optedOut.push(queue);
    }, Date.now()),
  );
  setHandler(configuredQueuesSignal, ({ queues }) => agent.setQueues(() => (agent.s.configured = [...queues]), Date.now()));
  setHandler(agentStateQuery, () => ({
    agentId: input.agentId,
    state: agent.s.state,
    since: agent.s.since,
    queues: agent.queues,
    optedOut: agent.s.optedOut,
    misses: agent.s.misses,
    ...(agent.s.reservation ? { reservation: agent.s.reservation } : {}),
    ...(agent.s.presence ? { presence: agent.s.presence } : {}),
  }));
  // For `switchboard agents restart`. A query adds no command: histories recorded before it replay as they did.
  setHandler(agentRunStateQuery, () => ({
    agentId: input.agentId,
    ...(input.presenceLagSeconds !== undefined ? { presenceLagSeconds: input.presenceLagSeconds } : {}),
    state: agent.s,
  }));

  // Postgres is written in the background, in order: a database outage delays the history, never routing.
  const unrecorded: AgentStateRow[] = [];
  let live: AgentPublication['live'] | undefined;
  let recording = false;
  void (async () => {
    for (;;) {
      await condition(() => live !== undefined);
      recording = true;
      const batch = unrecorded.splice(0, 200);
      const current = live!;
      live = unrecorded.length ? current : undefined;
      await writeInlineFirst(inlineRecord ? recordInline.recordAgentState : undefined, record.recordAgentState, {
        agentId: input.agentId,
        changes: batch,
        live: current,
      });
      recording = false;
    }
  })();

  for (;;) {
    const timeout = agent.nextTimer(Date.now());
    if (timeout === undefined) await condition(() => agent.dirty);
    else await condition(() => agent.dirty, timeout);
    agent.tick(Date.now());
    if (agent.dirty) {
      const pub = agent.publication();
      unrecorded.push(...pub.changes);
      live = pub.live;
      await publishAgentState({ ...pub, changes: [] });
    }

    const now = workflowInfo();
    if ((now.continueAsNewSuggested || now.historyLength > MAX_HISTORY_EVENTS) && !agent.dirty) {
      await condition(() => allHandlersFinished() && live === undefined && !recording);
      if (agent.dirty) continue;
      await continueAsNew<typeof agentWorkflow>({ ...input, configuredQueues: undefined, state: agent.s });
    }
  }
}
