/**
 * Service-hosted media on a call: the queue of prompt operations (playPrompt, and recordResponse, whose recording
 * half lives in recordings.ts), their completion notifications, and cancelMediaProcessing. Operations play one at a
 * time in the order asked, as Graph's do.
 */
import { randomUUID } from 'node:crypto';
import type { WavInfo } from '../../../src/media/wav.js';
import { stripUndefined } from '../json.js';
import { MediaError } from '../media.js';
import type { ResultInfo } from '../types.js';
import type { MediaRef } from '../validation/common.js';
import type { PlayPromptRequest } from '../validation/media-operations.js';
import type { CancelOperation, EmulatedCall, OperationStarted, PromptOperation } from './emulated-call.js';
import { completionReasonShown, recordingFields } from './operations.js';
import type { CallRegistry } from './registry.js';
import type { Conference } from './conference.js';
import { RESULT, resultInfoJson } from './results.js';

export class MediaOperations {
  /** Group calls (set by CallManager): every participant hears a prompt played in one. */
  conference?: Conference;

  constructor(
    private readonly calls: CallRegistry,
    /** Runs a recordResponse operation once the queue reaches it. */
    private readonly record: (call: EmulatedCall, op: PromptOperation) => Promise<void>,
  ) {}

  prefetch(call: EmulatedCall, m: MediaRef): Promise<WavInfo> {
    const key = m.resourceId ? `${m.resourceId}|${m.uri}` : m.uri;
    let p = call.prefetched.get(key);
    if (!p) {
      p = this.calls.deps.media.load(m.uri);
      p.catch(() => call.prefetched.delete(key)); // a failed prefetch is retried at play time
      call.prefetched.set(key, p);
    }
    return p;
  }

  loadPrompt(call: EmulatedCall, m: MediaRef): Promise<WavInfo> {
    const key = m.resourceId ? `${m.resourceId}|${m.uri}` : m.uri;
    return call.prefetched.get(key) ?? this.calls.deps.media.load(m.uri);
  }

  /** POST /communications/calls/{id}/playPrompt */
  playPrompt(callId: string, req: PlayPromptRequest): OperationStarted {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['established'], 'playPrompt');
    const op: PromptOperation = {
      id: randomUUID(),
      type: 'playPrompt',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      prompts: req.prompts,
      status: 'notStarted',
      done: false,
    };
    this.enqueue(call, op);
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({
        '@odata.type': '#microsoft.graph.playPromptOperation',
        id: op.id,
        status: 'running',
        clientContext: op.clientContext,
      }),
    };
  }

  /** Queues a prompt operation behind those already asked for. */
  enqueue(call: EmulatedCall, op: PromptOperation): void {
    call.operations.set(op.id, op);
    call.queue.push(op);
    this.pump(call);
  }

  /** Starts the next queued prompt operation when none is playing. */
  private pump(call: EmulatedCall): void {
    if (call.current || this.calls.stopped) return;
    const op = call.queue.shift();
    if (!op) return;
    call.current = op;
    op.status = 'running';
    void this.play(call, op);
  }

  private async play(call: EmulatedCall, op: PromptOperation): Promise<void> {
    if (op.type === 'recordResponse') return this.record(call, op);
    let totalMs = 0;
    try {
      const infos = await Promise.all(op.prompts.map((p) => this.loadPrompt(call, p)));
      totalMs = infos.reduce((sum, i) => sum + i.durationMs, 0);
    } catch (e) {
      if (op.done) return;
      const r =
        e instanceof MediaError
          ? e.resultInfo
          : { code: 500, subcode: 0, message: `Action failed. ${(e as Error).message}` };
      this.calls.log(call, 'media', `prompt operation ${op.id} failed: ${r.message}`);
      this.finishOperation(call, op, 'failed', 'unknown', r);
      return;
    }
    if (op.done) return; // cancelled (or call ended) while downloading
    const playMs = this.calls.scaled(totalMs);
    this.calls.log(
      call,
      'media',
      `playing ${op.prompts.length} prompt(s), ${Math.round(totalMs)} ms of audio${this.calls.options.mediaSpeed !== 1 ? ` in ${Math.round(playMs)} ms` : ''}`,
    );
    op.timer = setTimeout(() => {
      op.timer = undefined;
      if (op.done || this.calls.stopped) return;
      this.finishOperation(call, op, 'completed', 'completedSuccessfully', RESULT.promptCompleted);
      this.conference?.promptPlayed(call);
      call.onPromptPlayed?.();
    }, playMs);
  }

  finishOperation(
    call: EmulatedCall,
    op: PromptOperation,
    status: 'completed' | 'failed',
    completionReason: string,
    resultInfo: ResultInfo,
    notify = true,
  ): void {
    if (op.done) return;
    op.done = true;
    if (op.timer) clearTimeout(op.timer);
    op.timer = undefined;
    op.status = status;
    op.completionReason = completionReason;
    op.resultInfo = resultInfo;
    if (call.current === op) call.current = undefined;
    if (notify) this.notifyEnded(call, op);
    this.pump(call);
  }

  /** Tells the bot how a prompt operation ended, as the operation now records it. */
  private notifyEnded(call: EmulatedCall, op: PromptOperation): void {
    // completionReason is in the beta schema (unknown | completedSuccessfully | mediaOperationCanceled);
    // Graph v1.0 sends it for a playPrompt. A recordOperation has none in v1.0 (see completionReasonShown).
    this.calls.notify(
      call,
      'deleted',
      stripUndefined({
        '@odata.type':
          op.type === 'recordResponse' ? '#microsoft.graph.recordOperation' : '#microsoft.graph.playPromptOperation',
        id: op.id,
        status: op.status,
        completionReason: completionReasonShown(call, op),
        clientContext: op.clientContext,
        resultInfo: op.resultInfo ? resultInfoJson(op.resultInfo) : undefined,
        ...recordingFields(op, this.calls.options.baseUrl()),
      }),
      `/operations/${op.id}`,
    );
  }

  /** Ends every running or queued prompt operation, notifying each as cancelled unless the call ended. */
  cancelMedia(call: EmulatedCall, notify: boolean): number {
    const ops = [...(call.current ? [call.current] : []), ...call.queue.splice(0)];
    call.current = undefined;
    for (const op of ops) {
      if (op.timer) clearTimeout(op.timer);
      op.timer = undefined;
      op.done = true;
      op.status = 'failed';
      op.completionReason = op.type === 'recordResponse' ? 'operationCanceled' : 'mediaOperationCanceled';
      op.stopTone = undefined;
      op.resultInfo = RESULT.operationCancelled;
      if (notify) this.notifyEnded(call, op);
    }
    return ops.length;
  }

  /**
   * The call ended or left the bot: its media stops and the bot hears nothing of it. What Graph does with a prompt or
   * recordResponse outstanding (running or queued) when the call ends is not documented: commsoperation.md says only
   * that a `running` operation's updates "come via the notification channel", call-record.md that a recording "is
   * discarded shortly after the call ends", and neither call-delete.md nor the notifications pages name an operation
   * notification at hang-up. Real tenants send none for a recordResponse the caller hung up on, so its audio is never
   * offered (microsoft-graph-comms-samples#376, open since 2020, confirmed by Microsoft as needing the call object kept
   * longer): the emulator does the same. test/graph/emulator-recording-v1.test.ts checks it.
   */
  stopMediaSilently(call: EmulatedCall): void {
    this.cancelMedia(call, false);
  }

  /** POST /communications/calls/{id}/cancelMediaProcessing */
  cancelMediaProcessing(callId: string, req: { clientContext?: string }): OperationStarted {
    const call = this.calls.live(callId);
    const count = this.cancelMedia(call, true);
    if (count > 0) this.calls.log(call, 'media', `cancelled ${count} media operation(s)`);
    const op: CancelOperation = {
      id: randomUUID(),
      type: 'cancelMediaProcessing',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      status: 'completed',
    };
    call.operations.set(op.id, op);
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({
        '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation',
        id: op.id,
        status: 'completed',
        clientContext: op.clientContext,
      }),
    };
  }
}
