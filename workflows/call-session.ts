import { ActivityFailure, ApplicationFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { GraphActivities } from '../src/contracts/activities/graph.js';
import type { QueueActivities } from '../src/contracts/activities/queueing.js';
import type { AgentAssignment, QueueExit } from '../src/contracts/call.js';
import type {
  CallNotification,
  CallRoute,
  CallState,
  ResultInfo,
  RosterParticipant,
} from '../src/contracts/graph-call.js';
import type { CallRecorder } from './call-recorder.js';
import { proxyLocalActivitiesInOrder } from './local-activities.js';
import { localDispatch } from './call-dispatch.js';
import { OperationMap } from './operation-ids.js';
import { NOTIFICATION_READING_PATCH } from './patches.js';
import { callPatched } from './call-patches.js';

/** Activities of type T as this run makes them: local or ordinary, with the same timeouts and retries. */
export function callActivities<T extends object>(options: ActivityOptions & LocalActivityOptions): T {
  const remote = proxyActivities<T>(options);
  const inline = proxyLocalActivitiesInOrder<T>({
    ...options,
    retry: { ...options.retry, maximumAttempts: attemptsWithin(options) },
  });
  return new Proxy({} as T, { get: (_, name) => Reflect.get(localDispatch() ? inline : remote, name) });
}

/**
 * The attempts a retry policy starts within the schedule-to-close budget. The Core SDK (1.24) does not end a local
 * activity's retries at its schedule-to-close timeout (a Graph answer refused with 503 was retried for minutes), so
 * local activities get the same budget as a number of attempts. Without a budget: the policy's own limit.
 */
export function attemptsWithin(options: ActivityOptions): number | undefined {
  const max = options.retry?.maximumAttempts;
  if (options.scheduleToCloseTimeout === undefined) return max;
  const budget = msToNumber(options.scheduleToCloseTimeout);
  let interval = msToNumber(options.retry?.initialInterval ?? '1s');
  const cap = options.retry?.maximumInterval !== undefined ? msToNumber(options.retry.maximumInterval) : 100 * interval;
  let attempts = 1;
  for (let at = interval; at < budget && attempts < (max || Infinity); at += interval) {
    attempts++;
    interval = Math.min(cap, interval * (options.retry?.backoffCoefficient ?? 2));
  }
  return attempts;
}

// Graph must see the answer within 15 s of the incoming notification; retries stay inside that window.
export const answerActivity = callActivities<GraphActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '14s',
  retry: { initialInterval: '300ms', backoffCoefficient: 2, maximumInterval: '3s' },
});
export const graph = callActivities<GraphActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
});
export const queueing = callActivities<QueueActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * Notifications kept for calls this workflow placed, before it knows their id (bounded: a stray id can't grow it).
 * An attendant offer places up to 25 rings at once, whose notifications may all come before Graph's answers do.
 */
const EARLY_CALLS_MAX = 30;
const EARLY_NOTIFICATIONS_MAX = 20;

/** How long we wait for a notification before asking Graph directly with GET (notifications can be lost). */
export const ESTABLISH_WAIT = '15s';
/** The longest a prompt may take before we stop waiting for its completion notification. */
export const PROMPT_MAX = '2m';
/** Graph gives up on an unanswered transfer by itself; this is only the fallback if that notification is lost. */
export const TRANSFER_MAX = '3m';

/** Graph's tone names → the key the caller pressed. */
const KEYS: Record<string, string> = {
  tone0: '0',
  tone1: '1',
  tone2: '2',
  tone3: '3',
  tone4: '4',
  tone5: '5',
  tone6: '6',
  tone7: '7',
  tone8: '8',
  tone9: '9',
  star: '*',
  pound: '#',
  a: 'A',
  b: 'B',
  c: 'C',
  d: 'D',
};

/** What the workflow knows about its call, kept up to date by the notification handler. */
export class CallSession {
  state: CallState = 'incoming';
  resultInfo?: ResultInfo;
  /** Operation ids whose completion notification has arrived, with how they ended. */
  readonly operations = new OperationMap<{ status: string; completionReason?: string; payload: unknown }>(
    () => this.readsLikeGraph,
  );
  assignment?: AgentAssignment;
  exit?: QueueExit;
  transferAccepted = false;
  transferFailed = false;
  /** The caller took a callback and hung up: agents the queue reserves now are for the call back. */
  awaitingCallback = false;
  /** How Graph retargeted this call (`callRoutes`): a ring that the person's call forwarding sent elsewhere. */
  routes?: CallRoute[];
  /** Who is in the call, from its last roster notification or listing (a group call: conference mode, issue 24). */
  roster?: RosterParticipant[];
  /** Keys pressed and not yet read by a verb (DTMF arrives only after subscribeToTone). */
  keys: string[] = [];
  private readonly toneSequences = new Set<number>();
  /** The sequence ids of the keys still in `keys`, in the same order (verbs take keys from the front). */
  private keySequences: number[] = [];
  /**
   * NOTIFICATION_READING_PATCH: operation ids compared regardless of case and dashes, keys put in sequenceId order,
   * and a late `establishing` after `established` left out of the timeline. Decided once per call; its legs follow.
   */
  private readsLikeGraph = false;
  /** Other calls this workflow placed (a callback's outbound call): their notifications go to their own session. */
  private readonly legs = new Map<string, CallSession>();
  /** Notifications for a call placed by this workflow that arrived before Graph's answer to createCall did. */
  private readonly early = new Map<string, CallNotification[]>();

  constructor(
    readonly callId: string,
    readonly recorder: CallRecorder,
    /** A call this workflow placed (a callback, a ring to an agent): its end is not the call's end. */
    readonly isLeg = false,
  ) {
    if (!isLeg) this.readsLikeGraph = callPatched(NOTIFICATION_READING_PATCH);
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  /**
   * Apply a notification; false when it told us nothing new (a repeat: redelivered after a web process died before
   * answering, or sent twice by Graph), so the caller can leave it out of the timeline.
   */
  apply(n: CallNotification): boolean {
    if (n.callId !== this.callId) {
      // Only a call this workflow placed has its notifications routed here (callbackUri ?workflowId=).
      const leg = this.legs.get(n.callId);
      if (leg) return leg.apply(n);
      if (!this.early.has(n.callId) && this.early.size >= EARLY_CALLS_MAX)
        this.early.delete(this.early.keys().next().value!);
      const pending = this.early.get(n.callId) ?? [];
      if (pending.length < EARLY_NOTIFICATIONS_MAX) pending.push(n);
      this.early.set(n.callId, pending);
      return true;
    }
    if (n.kind === 'operation') {
      if (this.operations.get(n.operationId)?.status === n.status) return false;
      this.operations.set(n.operationId, {
        status: n.status,
        completionReason: n.completionReason,
        payload: n.payload,
      });
      return true;
    }
    if (n.kind === 'tone') {
      // The sequence id tells a repeat from a second press of the same key.
      if (this.toneSequences.has(n.sequenceId)) return false;
      this.toneSequences.add(n.sequenceId);
      const key = KEYS[n.tone];
      if (key && this.readsLikeGraph) this.insertKey(key, n.sequenceId);
      else if (key) this.keys.push(key);
      return true;
    }
    if (n.kind === 'participants') return this.applyRoster(n);
    if (n.kind !== 'state') return true;
    if (this.terminated) return false; // nothing comes back from terminated
    if (n.routes?.length) this.routes = n.routes;
    // Graph may deliver `establishing` after `established` (and more than once): it tells nothing, and is left out.
    if (this.readsLikeGraph && n.state === 'establishing' && this.state === 'established') return false;
    if (
      n.state === this.state &&
      n.resultInfo?.code === this.resultInfo?.code &&
      n.resultInfo?.subcode === this.resultInfo?.subcode
    )
      return false;
    this.applyState(n.state, n.resultInfo);
    return true;
  }

  /**
   * A roster notification (a group call: conference mode, issue 24): `updated` carries the roster, `deleted` those
   * who left. Notifications from before rosters were read carry none and change nothing.
   */
  private applyRoster(n: Extract<CallNotification, { kind: 'participants' }>): boolean {
    if (!n.roster) return true;
    const gone = n.roster;
    if (n.removed)
      this.roster = (this.roster ?? []).filter((p) => !gone.some((g) => g.id !== undefined && g.id === p.id));
    else this.roster = n.roster;
    return true;
  }

  /**
   * A key in the order the caller pressed it: Graph numbers tones (toneInfo.sequenceId), and notifications can arrive
   * out of order. A key goes before the unread keys pressed after it; one already read stays read.
   */
  private insertKey(key: string, sequenceId: number): void {
    // Verbs take keys from the front: drop the sequence ids of the keys they took.
    this.keySequences.splice(0, this.keySequences.length - this.keys.length);
    let at = this.keys.length;
    while (at > 0 && this.keySequences[at - 1]! > sequenceId) at--;
    this.keys.splice(at, 0, key);
    this.keySequences.splice(at, 0, sequenceId);
  }

  /**
   * A session for another call this workflow placed (createCall), fed by this session's notification handler from
   * now on; notifications that raced Graph's answer to createCall are applied first.
   */
  attachLeg(callId: string): CallSession {
    const leg = new CallSession(callId, this.recorder, true);
    leg.readsLikeGraph = this.readsLikeGraph;
    this.legs.set(callId, leg);
    for (const n of this.early.get(callId) ?? []) leg.apply(n);
    this.early.delete(callId);
    return leg;
  }

  /** The calls this workflow holds up now: its own, unless it has ended, and every leg it placed that has not. */
  heldCalls(): string[] {
    const legs = [...this.legs.values()].filter((l) => !l.terminated).map((l) => l.callId);
    return this.terminated ? legs : [this.callId, ...legs];
  }

  /**
   * A call this workflow placed but never attached (a ring placed twice: its request was made again after Graph's
   * answer to the first was lost) that has been answered and is still up: the person rung took that one.
   */
  answeredStray(): string | undefined {
    for (const [id, ns] of this.early) if (reached(ns, 'established') && !reached(ns, 'terminated')) return id;
    return undefined;
  }

  /**
   * Calls that told this workflow about themselves but were never attached: a ring whose createCall was retried
   * after its answer was lost (a worker died mid-request). Returned once, for the caller to hang up.
   */
  takeStrayCalls(): string[] {
    const ids = [...this.early.entries()].filter(([, ns]) => !reached(ns, 'terminated')).map(([id]) => id);
    this.early.clear();
    return ids;
  }

  applyState(state: CallState, resultInfo?: ResultInfo): void {
    // Graph sometimes delivers `establishing` after `established`; never move backwards to it.
    if (state === 'establishing' && this.state === 'established') return;
    if (state === 'transferAccepted') this.transferAccepted = true;
    // A transfer that fails goes back to established (Graph: 500/7000 or 7700), which undoes an acceptance too.
    if ((this.state === 'transferring' || this.state === 'transferAccepted') && state === 'established') {
      this.transferFailed = true;
      this.transferAccepted = false;
    }
    if (state === 'terminated' && resultInfo?.subcode === 7015) this.transferAccepted = true;
    this.state = state;
    if (resultInfo) this.resultInfo = resultInfo;
    // The moment we learn the call is over is its end, whatever the flow is doing then.
    if (state === 'terminated' && !this.isLeg && !this.recorder.record.endedAt)
      this.recorder.set({ endedAt: new Date().toISOString() });
  }

  /** Start prompts; undefined when Graph would not play them (recorded). */
  async startPrompt(promptUris: string[], clientContext: string): Promise<string | undefined> {
    try {
      const { operationId } = await graph.playPrompt({ callId: this.callId, promptUris, clientContext });
      this.recorder.event('promptStarted', { operationId, clientContext, promptUris });
      return operationId;
    } catch (err) {
      this.recorder.event('promptFailed', { clientContext, ...failureDetails(err) });
      return undefined;
    }
  }

  /** Play prompts and wait for their completion notification (or `until`, which cancels them). */
  async play(
    promptUris: string[],
    context: string,
    until: () => boolean = () => false,
  ): Promise<'completed' | 'failed' | 'timeout' | 'interrupted'> {
    const opId = await this.startPrompt(promptUris, context);
    if (opId === undefined) return 'failed';
    if (!(await condition(() => this.operations.has(opId) || this.terminated || until(), PROMPT_MAX))) {
      this.recorder.event('promptNoCompletion', { operationId: opId, context });
      await this.refreshFromGraph();
      return 'timeout';
    }
    if (!this.operations.has(opId)) {
      if (!this.terminated) await this.cancelMedia(context);
      return 'interrupted';
    }
    return this.operations.get(opId)?.status === 'completed' ? 'completed' : 'failed';
  }

  async cancelMedia(clientContext: string): Promise<void> {
    await graph
      .cancelMediaProcessing({ callId: this.callId, clientContext })
      .catch((err: unknown) => this.recorder.event('cancelMediaFailed', failureDetails(err)));
  }

  /** Ask Graph where the call stands, for when an expected notification never arrived. */
  async refreshFromGraph(): Promise<void> {
    try {
      const current = await graph.getCallState({ callId: this.callId });
      this.recorder.event('stateFetched', current);
      if (current.state === 'gone') this.applyState('terminated', this.resultInfo);
      else this.applyState(current.state, current.resultInfo);
    } catch (err) {
      this.recorder.event('stateFetchFailed', failureDetails(err));
    }
  }

  async hangUpQuietly(): Promise<void> {
    if (!this.terminated) {
      await graph
        .hangUp({ callId: this.callId })
        .catch((err: unknown) => this.recorder.event('hangUpFailed', failureDetails(err)));
    }
  }
}

/** Whether these notifications of one call include its reaching `state`. */
function reached(notifications: CallNotification[], state: CallState): boolean {
  return notifications.some((n) => n.kind === 'state' && n.state === state);
}

export function notificationEventType(n: CallNotification): string {
  switch (n.kind) {
    case 'state':
      return `state:${n.state}`;
    case 'operation':
      return `${n.operationType}:${n.status}`;
    case 'tone':
      // Never the key: what a caller types (a callback number, an account number, a survey answer) is personal data,
      // and the timeline is stored in clear. The verb that reads the keys records what it needs (a menu's choice).
      return 'tone';
    default:
      return 'participants';
  }
}

export function failureDetails(err: unknown): Record<string, unknown> {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { error: cause.message, type: cause.type, details: cause.details };
  }
  return { error: err instanceof Error ? err.message : String(err) };
}
