/**
 * The calls Graph knows, and what every call resource does with one: find it while it is live, run its timers, keep
 * its history, and tell the bot about it in commsNotifications.
 */
import type pino from 'pino';
import { badRequest, callNotFound } from '../graph-error.js';
import type { MediaLoader } from '../media.js';
import type { CommsNotification, Notifier } from '../notifier.js';
import type { AgentDirectory } from '../people.js';
import type { EmulatedCallState, NotificationRecord, Quirks, RecordedRequest, StepEvent, StepKind } from '../types.js';
import type { EmulatedCall } from './emulated-call.js';
import { applyQuirks, pascal } from './quirks.js';

export interface CallManagerOptions {
  tenantId: string;
  clientId: string;
  botCallingUrl: string;
  botDisplayName: string;
  mediaSpeed: number;
  answerTimeoutMs: number;
  docQuirks: boolean;
  quirks: Quirks;
  recordingRetentionMs: number;
  /** A call with no keepAlive for this long ends with 408/8537 (call-keepalive.md). */
  keepAliveWindowMs: number;
  /** The emulator's base URL (recordingLocation points at it). */
  baseUrl: () => string;
}

export interface CallManagerDeps {
  options: CallManagerOptions;
  notifier: Notifier;
  agents: AgentDirectory;
  media: MediaLoader;
  logger: pino.Logger;
  emitStep: (step: StepEvent) => void;
}

export class CallRegistry {
  private readonly calls = new Map<string, EmulatedCall>();
  #stopped = false;

  constructor(readonly deps: CallManagerDeps) {}

  get options(): CallManagerOptions {
    return this.deps.options;
  }

  /** Once the emulator stops, no timer may act and no notification may leave. */
  get stopped(): boolean {
    return this.#stopped;
  }

  scaled(ms: number): number {
    return ms / this.options.mediaSpeed;
  }

  // ---------------------------------------------------------------- bookkeeping

  log(call: EmulatedCall, kind: Exclude<StepKind, 'request' | 'notification'>, detail: string): void {
    const at = new Date().toISOString();
    call.history.push({ kind, at, detail });
    this.deps.emitStep({ callId: call.id, at, kind, detail });
    this.deps.logger.debug({ callId: call.id, kind }, detail);
  }

  /** Records a Graph request in the call's history (the server calls this). */
  recordRequest(callId: string, rec: RecordedRequest): void {
    const call = this.calls.get(callId);
    if (call) call.history.push({ kind: 'request', ...rec });
  }

  /** Records a delivered notification in the call's history (the notifier calls this). */
  recordNotification(callId: string, rec: NotificationRecord): void {
    const call = this.calls.get(callId);
    if (call) call.history.push({ kind: 'notification', ...rec });
    const outcome = rec.status !== undefined ? String(rec.status) : `failed: ${rec.error ?? 'unknown'}`;
    const what = rec.resourceUrl.includes('/operations/') ? `operation ${rec.summary}` : rec.summary;
    this.deps.emitStep({ callId, at: rec.at, kind: 'notification', detail: `${rec.changeType} ${what} -> ${outcome}` });
  }

  after(call: EmulatedCall, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        call.timers.delete(t);
        if (!this.#stopped) fn();
      },
      Math.max(0, ms),
    );
    call.timers.add(t);
    return t;
  }

  // ---------------------------------------------------------------- notifications

  notify(
    call: EmulatedCall,
    changeType: CommsNotification['changeType'],
    resourceData: Record<string, unknown>,
    path = '',
    copies = 1,
  ): void {
    if (this.#stopped) return;
    const url = call.callbackUri ?? this.options.botCallingUrl;
    const resourceUrl = `${call.resourceUrl}${path}`;
    call.etag += 1;
    const q = call.quirks;
    const data = applyQuirks({ '@odata.id': resourceUrl, '@odata.etag': `W/"${call.etag}"`, ...resourceData }, q);
    void this.deps.notifier.enqueue(
      call,
      url,
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: (q.pascalCaseEnums ? pascal(changeType) : changeType) as CommsNotification['changeType'],
        resource: `/app/calls/${call.id}${path}`,
        resourceUrl,
        resourceData: q.resourceDataArray ? ([data] as unknown as Record<string, unknown>) : data,
      },
      Math.max(copies, q.duplicates ?? 1),
    );
  }

  /** A roster notification: resourceData is an array of participants (participant-invite.md). */
  notifyParticipants(call: EmulatedCall, participants: Record<string, unknown>[]): void {
    if (this.#stopped) return;
    const url = call.callbackUri ?? this.options.botCallingUrl;
    call.etag += 1;
    void this.deps.notifier.enqueue(
      call,
      url,
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'updated',
        resource: `/app/calls/${call.id}/participants`,
        resourceUrl: `${call.resourceUrl}/participants`,
        resourceData: participants as unknown as Record<string, unknown>,
      },
      Math.max(1, call.quirks.duplicates ?? 1),
    );
  }

  notifyState(call: EmulatedCall, extra: Record<string, unknown> = {}): void {
    const changeType = call.state === 'terminated' ? 'deleted' : 'updated';
    this.notify(call, changeType, { '@odata.type': '#microsoft.graph.call', state: call.state, ...extra });
  }

  // ---------------------------------------------------------------- lookup

  add(call: EmulatedCall): void {
    this.calls.set(call.id, call);
  }

  get(callId: string): EmulatedCall | undefined {
    return this.calls.get(callId);
  }

  ids(): string[] {
    return [...this.calls.keys()];
  }

  /** Throws 404 8522 unless Graph still knows the call. */
  assertLive(callId: string): void {
    this.live(callId);
  }

  /** A call Graph still knows; otherwise 404 8522. */
  live(callId: string): EmulatedCall {
    const call = this.calls.get(callId);
    if (!call || call.state === 'terminated') throw callNotFound(callId);
    return call;
  }

  requireState(call: EmulatedCall, allowed: EmulatedCallState[], action: string): void {
    if (!allowed.includes(call.state)) {
      throw badRequest(
        `${action} is not allowed while the call is ${call.state}; it needs a call that is ${allowed.join(' or ')}.`,
      );
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const call of this.calls.values()) {
      for (const t of call.timers) clearTimeout(t);
      call.timers.clear();
      if (call.hangUpTimer) clearTimeout(call.hangUpTimer);
      for (const op of [call.current, ...call.queue]) if (op?.timer) clearTimeout(op.timer);
      const conversation = call.transfer?.view.conversation;
      if (conversation && !conversation.endedAt) {
        conversation.endedAt = new Date().toISOString();
        conversation.endedBy = 'emulatorStop';
      }
    }
  }
}
