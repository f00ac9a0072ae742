/**
 * The call resource itself: GET and DELETE, and the state changes that every way into and out of a call shares
 * (establishing -> established; terminating -> terminated with its resultInfo; the other party hanging up).
 */
import type { ResultInfo } from '../types.js';
import type { Conference } from './conference.js';
import { callResource } from './call-resource.js';
import { applyQuirks } from './quirks.js';
import type { EmulatedCall } from './emulated-call.js';
import type { MediaOperations } from './media-operations.js';
import type { CallRegistry } from './registry.js';
import { RESULT, resultInfoJson } from './results.js';
import { TEARDOWN_DELAY_MS } from './timing.js';

export class CallLifecycle {
  /** Group calls (set by CallManager): a caller who hangs up one leaves it rather than ending it. */
  conference?: Conference;

  constructor(
    private readonly calls: CallRegistry,
    private readonly media: MediaOperations,
  ) {}

  /** GET /communications/calls/{id} */
  getResource(callId: string): Record<string, unknown> {
    const call = this.calls.live(callId);
    // A GET shows the call with the same quirks as its notifications (PascalCase state, codes as strings…).
    return applyQuirks(callResource(call, this.calls.options), call.quirks);
  }

  /** DELETE /communications/calls/{id} */
  hangUp(callId: string): void {
    const call = this.calls.live(callId);
    if (call.state === 'terminating') return;
    this.calls.log(call, 'call', 'bot hangs up');
    this.terminate(call, RESULT.botHungUp, {
      viaTerminating: true,
      quirk: this.calls.options.docQuirks ? 'strings' : undefined,
    });
  }

  /**
   * POST /communications/calls/{id}/keepAlive (call-keepalive.md): 200 while the call is up, 404 once it has ended
   * (`live` throws), and the call's window starts again.
   */
  keepAlive(callId: string): void {
    const call = this.calls.live(callId);
    this.armKeepAlive(call);
  }

  /**
   * Graph ends a call that has had no keepAlive within 45 minutes of its start or of the previous one
   * (call-keepalive.md), with 408/8537 "Keep Alive timeout, cleaned up inactive call." (call-delete.md).
   */
  armKeepAlive(call: EmulatedCall): void {
    if (call.keepAliveTimer) {
      clearTimeout(call.keepAliveTimer);
      call.timers.delete(call.keepAliveTimer);
    }
    const windowMs = this.calls.options.keepAliveWindowMs;
    call.keepAliveTimer = this.calls.after(call, windowMs, () => {
      call.keepAliveTimer = undefined;
      if (call.state === 'terminated' || call.state === 'terminating') return;
      this.calls.log(call, 'call', `no keepAlive within ${windowMs} ms: Graph ends the call`);
      this.terminate(call, RESULT.keepAliveTimeout);
    });
  }

  establish(call: EmulatedCall, extra: Record<string, unknown> = {}): void {
    call.state = 'established';
    this.calls.notifyState(call, {
      callChainId: call.callChainId,
      mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' },
      ...extra,
    });
  }

  callerHangsUp(call: EmulatedCall): void {
    call.hangUpTimer = undefined;
    if (this.calls.stopped) return;
    const conversation = call.transfer?.view.conversation;
    if (call.state === 'terminated') {
      if (conversation && !conversation.endedAt && call.transfer) {
        conversation.endedBy = 'caller';
        this.calls.deps.agents.endTalking(call.transfer.agentKey, call.id);
      }
      return;
    }
    if (call.state === 'terminating') return;
    if (call.roster && this.conference) return this.conference.callerLeaves(call);
    this.calls.log(call, 'caller', call.direction === 'outgoing' ? 'callee hangs up' : 'hangs up');
    this.terminate(call, 'phone' in call.script.from ? RESULT.pstnCallerHungUp : RESULT.callerHungUp);
  }

  terminate(
    call: EmulatedCall,
    resultInfo: ResultInfo | undefined,
    opts: { viaTerminating?: boolean; quirk?: 'strings'; extra?: Record<string, unknown> } = {},
  ): void {
    if (call.state === 'terminated') return;
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    this.media.stopMediaSilently(call);
    const finish = () => {
      call.state = 'terminated';
      call.endedAt = new Date().toISOString();
      for (const a of call.agentsOnCall) this.calls.deps.agents.setOnCall(a, call.id, false);
      if (resultInfo) call.resultInfo = resultInfo;
      const reason = opts.extra?.['terminationReason'];
      if (typeof reason === 'string') call.terminationReason = reason;
      this.calls.log(
        call,
        'call',
        `terminated${resultInfo ? ` (${resultInfo.code}/${resultInfo.subcode} ${resultInfo.message})` : typeof reason === 'string' ? ` (${reason})` : ''}`,
      );
      this.calls.notifyState(call, {
        ...(resultInfo ? { resultInfo: resultInfoJson(resultInfo, opts.quirk) } : {}),
        ...opts.extra,
      });
      // The caller's own timer stays armed only to end a transferred conversation.
      if (call.hangUpTimer && !call.transfer?.view.conversation) {
        clearTimeout(call.hangUpTimer);
        call.hangUpTimer = undefined;
      }
    };
    if (opts.viaTerminating) {
      call.state = 'terminating';
      this.calls.notifyState(call);
      this.calls.after(call, this.calls.scaled(TEARDOWN_DELAY_MS), finish);
    } else {
      finish();
    }
  }
}
