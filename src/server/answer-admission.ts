/**
 * Admission control for incoming calls (issue 25, point 2). Graph fails a call the bot has not answered within 15 s
 * of the incoming notification. A saturated worker answers late: every new call's first workflow task waits behind
 * the work of the calls already in progress, so past saturation every caller waits longer, until calls fail at
 * Graph's deadline one after another. Refusing the excess instead (POST …/reject with reason `busy`,
 * api-reference/v1.0/api/call-reject.md) costs one Graph request and no workflow, gives the caller a busy tone at
 * once, and lets the worker catch up with the calls it took.
 *
 * The measure is this web process's own: the incoming calls it received and is starting or has handed to Temporal,
 * and whose answer it has not yet seen. Graph tells the webhook of the answer (the call's next state notification, `establishing` or `established`,
 * or its end), so no other process is asked. A call is refused when LATE_CALLS calls still waiting for their answer
 * have waited longer than `maxAnswerWaitMs` (more than one, so that one call whose notifications were lost does not
 * turn callers away), or when `maxUnanswered` calls wait at once. A call whose later notifications never come here is
 * forgotten after Graph's 15 s, when Graph would have ended it anyway. With several web processes behind a load
 * balancer that spreads a call's notifications among them, each sees only part of the answers: there the limits are
 * set explicitly or not at all (web-role.ts).
 */
export interface AdmissionLimits {
  /** Refuse while the oldest unanswered call has waited longer than this (ms); 0: never on age. */
  maxAnswerWaitMs: number;
  /** Refuse while this many calls wait for their answer at once; 0: no limit on the count. */
  maxUnanswered: number;
}

/** Graph's answer deadline: a call not answered by then has been ended by Graph (the emulator's answerTimeoutMs). */
const GRAPH_ANSWER_DEADLINE_MS = 15_000;
/** How many calls must be late before new calls are refused. */
const LATE_CALLS = 3;
/**
 * The longest calls answered late (or never) keep the door shut after their answer. Without it, the moment the late
 * calls were answered (or ended by Graph) the backlog that made them late was invisible again, and a new burst of
 * callers was let in behind it: at rate 20 on the loaded machine 136 of 200 admitted calls failed that way. Each late
 * call keeps it shut for as long as it was late (its wait less `maxAnswerWaitMs`: the backlog it waited behind), up
 * to this: a fixed 10 s after any late answer refused 280 of 600 callers at rate 10 while the calls it took were
 * answered within 6.2 s (p99), far inside Graph's 15 s, and the machine served 3.4 calls/s of the 6.2 it could.
 */
const LATE_MEMORY_MS = 10_000;
/** How long a refused call's own notifications (its `terminated`) are acknowledged without a workflow to signal. */
const REFUSED_MEMORY_MS = 60_000;

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = { maxAnswerWaitMs: 3_000, maxUnanswered: 100 };

export type AdmissionDecision =
  { admit: true } | { admit: false; reason: 'answerWait' | 'unanswered'; oldestWaitMs: number; unanswered: number };

export class AnswerAdmission {
  /** Call id → when its start was accepted. A Map keeps insertion order: the first entry is the oldest. */
  private readonly unanswered = new Map<string, number>();
  private readonly refused = new Map<string, number>();
  /**
   * Until when each recent call that waited past the limit keeps counting as late after it stopped waiting (answered
   * late, ended, or forgotten): as long again as it was late, at most LATE_MEMORY_MS.
   */
  private lateUntil: number[] = [];

  constructor(
    readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a new incoming call may start now. */
  decide(): AdmissionDecision {
    const now = this.now();
    this.forgetOld(now);
    const oldest = this.unanswered.values().next();
    const oldestWaitMs = oldest.done ? 0 : now - oldest.value;
    const count = this.unanswered.size;
    if (this.limits.maxAnswerWaitMs > 0 && this.lateCalls(now) + this.lateUntil.length >= LATE_CALLS)
      return { admit: false, reason: 'answerWait', oldestWaitMs, unanswered: count };
    if (this.limits.maxUnanswered > 0 && count >= this.limits.maxUnanswered)
      return { admit: false, reason: 'unanswered', oldestWaitMs, unanswered: count };
    return { admit: true };
  }

  /**
   * The call's incoming notification arrived and is being started: it waits for its answer from now (a duplicate
   * keeps its first time).
   */
  started(callId: string): void {
    if (!this.unanswered.has(callId)) this.unanswered.set(callId, this.now());
  }

  /** Graph told us of the call after its incoming notification (answered, or ended): it waits no more. */
  settled(callId: string): void {
    const at = this.unanswered.get(callId);
    if (at === undefined) return;
    this.unanswered.delete(callId);
    const now = this.now();
    this.rememberIfLate(now, now - at);
  }

  /** The call was refused: its remaining notifications have no workflow to go to. */
  refusedCall(callId: string): void {
    this.refused.set(callId, this.now());
  }

  wasRefused(callId: string): boolean {
    return this.refused.has(callId);
  }

  /** Calls waiting for their answer now (for tests and the log). */
  get waiting(): number {
    return this.unanswered.size;
  }

  /** Calls waiting longer than the limit, counted from the oldest up to LATE_CALLS. */
  private lateCalls(now: number): number {
    let late = 0;
    for (const at of this.unanswered.values()) {
      if (now - at <= this.limits.maxAnswerWaitMs || late >= LATE_CALLS) break;
      late++;
    }
    return late;
  }

  /** A call that stopped waiting after `waitedMs`: late, it keeps the door shut as long again as it was late. */
  private rememberIfLate(now: number, waitedMs: number): void {
    const lateBy = waitedMs - this.limits.maxAnswerWaitMs;
    if (this.limits.maxAnswerWaitMs > 0 && lateBy > 0) this.lateUntil.push(now + Math.min(lateBy, LATE_MEMORY_MS));
  }

  private forgetOld(now: number): void {
    for (const [id, at] of this.unanswered) {
      if (now - at <= GRAPH_ANSWER_DEADLINE_MS) break;
      this.unanswered.delete(id);
      this.rememberIfLate(now, now - at);
    }
    if (this.lateUntil.some((t) => t <= now)) this.lateUntil = this.lateUntil.filter((t) => t > now);
    for (const [id, at] of this.refused) {
      if (now - at <= REFUSED_MEMORY_MS) break;
      this.refused.delete(id);
    }
  }
}

/**
 * The limits from ADMISSION_ANSWER_WAIT_MS and ADMISSION_MAX_UNANSWERED (src/config.ts checks them: whole numbers, 0
 * turns that rule off), each defaulting when unset. undefined when neither is set and this is one of several web
 * processes (see above): no admission control there unless asked for.
 */
export function admissionLimits(
  webReplicas: number,
  maxAnswerWaitMs: number | undefined,
  maxUnanswered: number | undefined,
): AdmissionLimits | undefined {
  if (webReplicas > 1 && maxAnswerWaitMs === undefined && maxUnanswered === undefined) return undefined;
  return {
    maxAnswerWaitMs: maxAnswerWaitMs ?? DEFAULT_ADMISSION_LIMITS.maxAnswerWaitMs,
    maxUnanswered: maxUnanswered ?? DEFAULT_ADMISSION_LIMITS.maxUnanswered,
  };
}
