/**
 * The emulated calls: state machine, notifications, prompt playback queue and transfers.
 *
 * Lifecycle (as documented for Graph v1.0):
 *   incoming --answer--> establishing --> established
 *   established --transfer--> transferring --> transferAccepted --> terminated (0/7015)
 *                                          \-> established + resultInfo 500/7000 (declined / no answer / busy)
 *   any --DELETE--> terminating --> terminated (200/5001)
 *   any --caller hangs up--> terminated (200/4097, or 200/540000 for a phone caller)
 *   incoming --no answer within 15 s--> terminated (408/1106)
 */
import { randomUUID } from 'node:crypto';
import type pino from 'pino';
import { callNotFound, badRequest } from './graph-error.js';
import { MediaError, type MediaLoader } from './media.js';
import type { CommsNotification, Notifier } from './notifier.js';
import type { AgentDirectory } from './people.js';
import type { WavInfo } from '../media/wav.js';
import { E164, type AnswerRequest, type MediaRef, type PlayPromptRequest, type TransferRequest } from './validation.js';
import type {
  CallHistoryEntry,
  CallerScript,
  EmulatedCallState,
  EmulatedCallView,
  NotificationRecord,
  OperationView,
  RecordedRequest,
  ResultInfo,
  StepEvent,
  StepKind,
  TransferView,
} from './types.js';

export interface CallManagerOptions {
  tenantId: string;
  clientId: string;
  botCallingUrl: string;
  botDisplayName: string;
  mediaSpeed: number;
  answerTimeoutMs: number;
  docQuirks: boolean;
}

export interface CallManagerDeps {
  options: CallManagerOptions;
  notifier: Notifier;
  agents: AgentDirectory;
  media: MediaLoader;
  logger: pino.Logger;
  emitStep: (step: StepEvent) => void;
}

/** Time the callee's phone rings when a transfer is ignored, before the transfer fails (÷ mediaSpeed). */
export const TRANSFER_ALERT_TIMEOUT_MS = 30000;
/** Gap between establishing and established (÷ mediaSpeed). */
const ESTABLISH_DELAY_MS = 200;
/** Gap between terminating and terminated, and between transferAccepted and terminated (÷ mediaSpeed). */
const TEARDOWN_DELAY_MS = 100;
/** A busy agent's client rejects a transfer after this (÷ mediaSpeed). */
const BUSY_REJECT_DELAY_MS = 300;

const RESULT = {
  promptCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  operationCancelled: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
  callerHungUp: { code: 200, subcode: 4097, message: 'Call ended by the other participant in the call.' },
  pstnCallerHungUp: { code: 200, subcode: 540000, message: 'Call ended by the PSTN User.' },
  botHungUp: { code: 200, subcode: 5001, message: 'The conversation has ended.' },
  transferCompleted: { code: 0, subcode: 7015, message: 'GracefulTransferCompleted' },
  answerTimeout: { code: 408, subcode: 1106, message: 'An acknowledgement was not received for the call acceptance in the allotted time.' },
} satisfies Record<string, ResultInfo>;

interface PromptOperation {
  id: string;
  type: 'playPrompt';
  clientContext?: string;
  prompts: MediaRef[];
  status: OperationView['status'];
  completionReason?: string;
  resultInfo?: ResultInfo;
  timer?: NodeJS.Timeout;
  /** Set once the operation has completed, failed or been cancelled. */
  done: boolean;
}

interface CancelOperation {
  id: string;
  type: 'cancelMediaProcessing';
  clientContext?: string;
  status: 'completed';
}

interface TransferState {
  view: TransferView;
  agentKey: string;
  consultative: boolean;
}

class EmulatedCall {
  readonly id = randomUUID();
  readonly callChainId = randomUUID();
  readonly scenarioId = randomUUID();
  readonly myParticipantId = randomUUID();
  readonly createdAt = new Date().toISOString();
  state: EmulatedCallState = 'incoming';
  callbackUri?: string;
  endedAt?: string;
  resultInfo?: ResultInfo;
  answered = false;
  etag = 1;
  preFetchMedia: MediaRef[] = [];
  readonly prefetched = new Map<string, Promise<WavInfo>>();
  readonly history: CallHistoryEntry[] = [];
  readonly operations = new Map<string, PromptOperation | CancelOperation>();
  readonly queue: PromptOperation[] = [];
  current?: PromptOperation;
  readonly timers = new Set<NodeJS.Timeout>();
  hangUpTimer?: NodeJS.Timeout;
  transfer?: TransferState;

  constructor(
    readonly script: CallerScript,
    readonly source: Record<string, unknown>,
    readonly targets: Record<string, unknown>[],
  ) {}

  get resourceUrl(): string {
    return `/communications/calls/${this.id}`;
  }
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function validateCallerScript(script: CallerScript): void {
  if (!script || typeof script !== 'object' || !script.from) throw new Error('CallerScript.from is required');
  if ('phone' in script.from) {
    if (!E164.test(script.from.phone)) throw new Error(`CallerScript.from.phone must be E.164 (e.g. +12345678901), got ${script.from.phone}`);
  } else if (!('user' in script.from) || typeof script.from.user?.id !== 'string' || !script.from.user.id) {
    throw new Error('CallerScript.from must be { user: { id } } or { phone }');
  }
  if (script.hangUpAfterMs !== undefined && !(script.hangUpAfterMs >= 0)) throw new Error('CallerScript.hangUpAfterMs must be >= 0');
}

export class CallManager {
  private readonly calls = new Map<string, EmulatedCall>();
  private stopped = false;

  constructor(private readonly deps: CallManagerDeps) {}

  private get o(): CallManagerOptions {
    return this.deps.options;
  }

  private scaled(ms: number): number {
    return ms / this.o.mediaSpeed;
  }

  // ---------------------------------------------------------------- bookkeeping

  private log(call: EmulatedCall, kind: Exclude<StepKind, 'request' | 'notification'>, detail: string): void {
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

  private after(call: EmulatedCall, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      call.timers.delete(t);
      if (!this.stopped) fn();
    }, Math.max(0, ms));
    call.timers.add(t);
  }

  private notify(call: EmulatedCall, changeType: CommsNotification['changeType'], resourceData: Record<string, unknown>, path = '', copies = 1): void {
    if (this.stopped) return;
    const url = call.callbackUri ?? this.o.botCallingUrl;
    const resourceUrl = `${call.resourceUrl}${path}`;
    call.etag += 1;
    void this.deps.notifier.enqueue(call, url, {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType,
      resource: `/app/calls/${call.id}${path}`,
      resourceUrl,
      resourceData: { '@odata.id': resourceUrl, '@odata.etag': `W/"${call.etag}"`, ...resourceData },
    }, copies);
  }

  private resultInfoJson(r: ResultInfo, quirk?: 'strings' | 'subCode'): Record<string, unknown> {
    if (quirk === 'strings') return { '@odata.type': '#microsoft.graph.resultInfo', code: String(r.code), subcode: String(r.subcode), message: r.message };
    if (quirk === 'subCode') return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subCode: r.subcode, message: r.message };
    return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subcode: r.subcode, message: r.message };
  }

  private notifyState(call: EmulatedCall, extra: Record<string, unknown> = {}): void {
    const changeType = call.state === 'terminated' ? 'deleted' : 'updated';
    this.notify(call, changeType, { '@odata.type': '#microsoft.graph.call', state: call.state, ...extra });
  }

  // ---------------------------------------------------------------- lookup

  get(callId: string): EmulatedCall | undefined {
    return this.calls.get(callId);
  }

  /** Throws 404 8522 unless Graph still knows the call. */
  assertLive(callId: string): void {
    this.live(callId);
  }

  /** A call Graph still knows; otherwise 404 8522. */
  private live(callId: string): EmulatedCall {
    const call = this.calls.get(callId);
    if (!call || call.state === 'terminated') throw callNotFound(callId);
    return call;
  }

  private requireState(call: EmulatedCall, allowed: EmulatedCallState[], action: string): void {
    if (!allowed.includes(call.state)) {
      throw badRequest(`${action} is not allowed while the call is ${call.state}; it needs a call that is ${allowed.join(' or ')}.`);
    }
  }

  // ---------------------------------------------------------------- caller side

  placeCall(script: CallerScript): string {
    validateCallerScript(script);
    const { tenantId, clientId, botDisplayName } = this.o;
    const identity =
      'phone' in script.from
        ? { '@odata.type': '#microsoft.graph.identitySet', phone: { '@odata.type': '#microsoft.graph.identity', id: script.from.phone } }
        : {
            '@odata.type': '#microsoft.graph.identitySet',
            user: stripUndefined({ '@odata.type': '#microsoft.graph.identity', id: script.from.user.id, displayName: script.from.user.displayName, tenantId }),
          };
    const source = {
      '@odata.type': '#microsoft.graph.participantInfo',
      id: randomUUID(),
      identity,
      endpointType: 'default',
      region: 'emea',
      languageId: 'en-US',
    };
    const targetIdentity = script.applicationInstanceId
      ? { '@odata.type': '#microsoft.graph.identitySet', applicationInstance: { '@odata.type': '#microsoft.graph.identity', id: script.applicationInstanceId, tenantId } }
      : { '@odata.type': '#microsoft.graph.identitySet', application: { '@odata.type': '#microsoft.graph.identity', id: clientId, displayName: botDisplayName } };
    const call = new EmulatedCall(script, source, []);
    call.targets.push({ '@odata.type': '#microsoft.graph.invitationParticipantInfo', id: call.myParticipantId, identity: targetIdentity, endpointType: 'default' });
    this.calls.set(call.id, call);

    const who = 'phone' in script.from ? script.from.phone : (script.from.user.displayName ?? script.from.user.id);
    this.log(call, 'caller', `${who} dials ${script.applicationInstanceId ? `resource account ${script.applicationInstanceId}` : 'the bot'}`);
    this.notify(call, 'created', this.resource(call), '', script.incomingCopies ?? 1);

    this.after(call, this.o.answerTimeoutMs, () => {
      if (call.state !== 'incoming') return;
      this.log(call, 'call', `not answered within ${this.o.answerTimeoutMs} ms`);
      this.terminate(call, RESULT.answerTimeout);
    });
    if (script.hangUpAfterMs !== undefined) {
      call.hangUpTimer = setTimeout(() => this.callerHangsUp(call), script.hangUpAfterMs);
    }
    return call.id;
  }

  private callerHangsUp(call: EmulatedCall): void {
    call.hangUpTimer = undefined;
    if (this.stopped) return;
    const conversation = call.transfer?.view.conversation;
    if (call.state === 'terminated') {
      if (conversation && !conversation.endedAt && call.transfer) {
        conversation.endedBy = 'caller';
        this.deps.agents.endTalking(call.transfer.agentKey, call.id);
      }
      return;
    }
    if (call.state === 'terminating') return;
    this.log(call, 'caller', 'hangs up');
    this.terminate(call, 'phone' in call.script.from ? RESULT.pstnCallerHungUp : RESULT.callerHungUp);
  }

  // ---------------------------------------------------------------- Graph actions

  /** GET /communications/calls/{id} */
  getResource(callId: string): Record<string, unknown> {
    return this.resource(this.live(callId));
  }

  private resource(call: EmulatedCall): Record<string, unknown> {
    const established = ['established', 'transferring', 'transferAccepted'].includes(call.state);
    return stripUndefined({
      '@odata.type': '#microsoft.graph.call',
      id: call.id,
      state: call.state,
      direction: 'incoming',
      callbackUri: call.callbackUri ?? this.o.botCallingUrl,
      callChainId: call.callChainId,
      myParticipantId: call.myParticipantId,
      tenantId: this.o.tenantId,
      subject: null,
      source: call.source,
      targets: call.targets,
      requestedModalities: ['audio'],
      activeModalities: established ? ['audio'] : undefined,
      mediaConfig: call.answered
        ? { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig', preFetchMedia: call.preFetchMedia }
        : undefined,
      mediaState: established ? { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' } : undefined,
      resultInfo: call.resultInfo ? this.resultInfoJson(call.resultInfo) : undefined,
      routingPolicies: [],
      callRoutes: [],
    });
  }

  /** POST /communications/calls/{id}/answer */
  answer(callId: string, req: AnswerRequest): void {
    const call = this.live(callId);
    this.requireState(call, ['incoming'], 'answer');
    call.answered = true;
    call.callbackUri = req.callbackUri ?? this.o.botCallingUrl;
    call.preFetchMedia = req.preFetchMedia;
    for (const m of req.preFetchMedia) this.prefetch(call, m);
    call.state = 'establishing';
    this.notifyState(call);
    this.after(call, this.scaled(ESTABLISH_DELAY_MS), () => {
      if (call.state !== 'establishing') return;
      call.state = 'established';
      this.notifyState(call, {
        callChainId: call.callChainId,
        mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' },
      });
    });
  }

  private prefetch(call: EmulatedCall, m: MediaRef): Promise<WavInfo> {
    const key = m.resourceId ? `${m.resourceId}|${m.uri}` : m.uri;
    let p = call.prefetched.get(key);
    if (!p) {
      p = this.deps.media.load(m.uri);
      p.catch(() => call.prefetched.delete(key)); // a failed prefetch is retried at play time
      call.prefetched.set(key, p);
    }
    return p;
  }

  private loadPrompt(call: EmulatedCall, m: MediaRef): Promise<WavInfo> {
    const key = m.resourceId ? `${m.resourceId}|${m.uri}` : m.uri;
    return call.prefetched.get(key) ?? this.deps.media.load(m.uri);
  }

  /** POST /communications/calls/{id}/playPrompt */
  playPrompt(callId: string, req: PlayPromptRequest): { body: Record<string, unknown>; location: string } {
    const call = this.live(callId);
    this.requireState(call, ['established'], 'playPrompt');
    const op: PromptOperation = {
      id: randomUUID(),
      type: 'playPrompt',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      prompts: req.prompts,
      status: 'notStarted',
      done: false,
    };
    call.operations.set(op.id, op);
    call.queue.push(op);
    this.pump(call);
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({ '@odata.type': '#microsoft.graph.playPromptOperation', id: op.id, status: 'running', clientContext: op.clientContext }),
    };
  }

  /** Starts the next queued prompt operation when none is playing. */
  private pump(call: EmulatedCall): void {
    if (call.current || this.stopped) return;
    const op = call.queue.shift();
    if (!op) return;
    call.current = op;
    op.status = 'running';
    void this.play(call, op);
  }

  private async play(call: EmulatedCall, op: PromptOperation): Promise<void> {
    let totalMs = 0;
    try {
      const infos = await Promise.all(op.prompts.map((p) => this.loadPrompt(call, p)));
      totalMs = infos.reduce((sum, i) => sum + i.durationMs, 0);
    } catch (e) {
      if (op.done) return;
      const r = e instanceof MediaError ? e.resultInfo : { code: 500, subcode: 0, message: `Action failed. ${(e as Error).message}` };
      this.log(call, 'media', `prompt operation ${op.id} failed: ${r.message}`);
      this.finishOperation(call, op, 'failed', 'unknown', r);
      return;
    }
    if (op.done) return; // cancelled (or call ended) while downloading
    const playMs = this.scaled(totalMs);
    this.log(call, 'media', `playing ${op.prompts.length} prompt(s), ${Math.round(totalMs)} ms of audio${this.o.mediaSpeed !== 1 ? ` in ${Math.round(playMs)} ms` : ''}`);
    op.timer = setTimeout(() => {
      op.timer = undefined;
      if (op.done || this.stopped) return;
      this.finishOperation(call, op, 'completed', 'completedSuccessfully', RESULT.promptCompleted);
    }, playMs);
  }

  private finishOperation(
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
    if (notify) {
      // completionReason is in the beta schema (unknown | completedSuccessfully | mediaOperationCanceled);
      // Graph v1.0 sends it as well.
      this.notify(
        call,
        'deleted',
        stripUndefined({
          '@odata.type': '#microsoft.graph.playPromptOperation',
          id: op.id,
          status,
          completionReason,
          clientContext: op.clientContext,
          resultInfo: this.resultInfoJson(resultInfo),
        }),
        `/operations/${op.id}`,
      );
    }
    this.pump(call);
  }

  /** Ends every running or queued prompt operation, notifying each as cancelled unless the call ended. */
  private cancelMedia(call: EmulatedCall, notify: boolean): number {
    const ops = [...(call.current ? [call.current] : []), ...call.queue.splice(0)];
    call.current = undefined;
    for (const op of ops) {
      if (op.timer) clearTimeout(op.timer);
      op.timer = undefined;
      op.done = true;
      op.status = 'failed';
      op.completionReason = 'mediaOperationCanceled';
      op.resultInfo = RESULT.operationCancelled;
      if (notify) {
        this.notify(
          call,
          'deleted',
          stripUndefined({
            '@odata.type': '#microsoft.graph.playPromptOperation',
            id: op.id,
            status: 'failed',
            completionReason: 'mediaOperationCanceled',
            clientContext: op.clientContext,
            resultInfo: this.resultInfoJson(RESULT.operationCancelled),
          }),
          `/operations/${op.id}`,
        );
      }
    }
    return ops.length;
  }

  /** POST /communications/calls/{id}/cancelMediaProcessing */
  cancelMediaProcessing(callId: string, req: { clientContext?: string }): { body: Record<string, unknown>; location: string } {
    const call = this.live(callId);
    const count = this.cancelMedia(call, true);
    if (count > 0) this.log(call, 'media', `cancelled ${count} prompt operation(s)`);
    const op: CancelOperation = {
      id: randomUUID(),
      type: 'cancelMediaProcessing',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      status: 'completed',
    };
    call.operations.set(op.id, op);
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({ '@odata.type': '#microsoft.graph.cancelMediaProcessingOperation', id: op.id, status: 'completed', clientContext: op.clientContext }),
    };
  }

  /** GET /communications/calls/{id}/operations/{opId} */
  getOperation(callId: string, opId: string): Record<string, unknown> | undefined {
    const call = this.live(callId);
    const op = call.operations.get(opId);
    if (!op) return undefined;
    const type = op.type === 'playPrompt' ? '#microsoft.graph.playPromptOperation' : '#microsoft.graph.cancelMediaProcessingOperation';
    return stripUndefined({
      '@odata.type': type,
      id: op.id,
      status: op.status,
      clientContext: op.clientContext,
      ...(op.type === 'playPrompt'
        ? { completionReason: op.completionReason, resultInfo: op.resultInfo ? this.resultInfoJson(op.resultInfo) : undefined }
        : {}),
    });
  }

  /** POST /communications/calls/{id}/transfer */
  transfer(callId: string, req: TransferRequest): void {
    const call = this.live(callId);
    this.requireState(call, ['established'], 'transfer');
    const agentKey = 'userId' in req.target ? req.target.userId : req.target.phone;
    const view: TransferView = {
      target: 'userId' in req.target ? { userId: req.target.userId } : { phone: req.target.phone },
      outcome: 'pending',
    };
    const transfer: TransferState = { view, agentKey, consultative: req.replacesCallId !== undefined };
    call.transfer = transfer;
    call.state = 'transferring';
    this.notifyState(call);

    const { agents } = this.deps;
    const script = agents.script(agentKey);
    this.log(call, 'agent', `${agentKey} is alerted (script: ${script.onTransfer}${agents.isBusy(agentKey) ? ', busy' : ''})`);

    const fail = (outcome: TransferView['outcome'], message: string) => {
      if (call.state !== 'transferring' || call.transfer !== transfer) return;
      view.outcome = outcome;
      this.log(call, 'agent', `${agentKey}: ${message}`);
      call.state = 'established';
      const subcode = transfer.consultative ? 7700 : 7000;
      // The docs' transfer-failed examples spell it `subCode`; the resultInfo schema says `subcode`.
      this.notifyState(call, {
        resultInfo: this.resultInfoJson({ code: 500, subcode, message }, this.o.docQuirks ? 'subCode' : undefined),
        ...(transfer.consultative ? { replacesContext: req.replacesCallId } : {}),
      });
    };

    if (agents.isBusy(agentKey)) {
      // Busy on busy: an agent already talking to a transferred caller rejects further transfers.
      this.after(call, this.scaled(BUSY_REJECT_DELAY_MS), () => fail('busy', 'Transfer target is busy.'));
      return;
    }
    switch (script.onTransfer) {
      case 'accept':
        this.after(call, script.answerAfterMs, () => {
          if (call.state !== 'transferring' || call.transfer !== transfer) return;
          if (agents.isBusy(agentKey)) return fail('busy', 'Transfer target is busy.');
          view.outcome = 'accepted';
          this.log(call, 'agent', `${agentKey} accepts`);
          call.state = 'transferAccepted';
          this.notifyState(call);
          this.stopMediaSilently(call);
          const conversation: NonNullable<TransferView['conversation']> = { startedAt: new Date().toISOString() };
          view.conversation = conversation;
          agents.startTalking(agentKey, call.id, script.talkMs, () => {
            conversation.endedAt = new Date().toISOString();
            conversation.endedBy ??= 'agent';
            this.log(call, 'agent', `${agentKey} finished talking to the caller (ended by ${conversation.endedBy})`);
          });
          this.after(call, this.scaled(TEARDOWN_DELAY_MS), () => {
            if (transfer.consultative) this.terminate(call, undefined, { extra: { terminationReason: 'AppTransferred' } });
            else this.terminate(call, RESULT.transferCompleted);
          });
        });
        break;
      case 'decline':
        this.after(call, script.answerAfterMs, () => fail('declined', 'Transfer target declined the call.'));
        break;
      case 'ignore':
        this.after(call, this.scaled(TRANSFER_ALERT_TIMEOUT_MS), () => fail('noAnswer', 'Transfer target did not answer.'));
        break;
    }
  }

  /** DELETE /communications/calls/{id} */
  hangUp(callId: string): void {
    const call = this.live(callId);
    if (call.state === 'terminating') return;
    this.log(call, 'call', 'bot hangs up');
    this.terminate(call, RESULT.botHungUp, { viaTerminating: true, quirk: this.o.docQuirks ? 'strings' : undefined });
  }

  // ---------------------------------------------------------------- teardown

  private stopMediaSilently(call: EmulatedCall): void {
    this.cancelMedia(call, false);
  }

  private terminate(
    call: EmulatedCall,
    resultInfo: ResultInfo | undefined,
    opts: { viaTerminating?: boolean; quirk?: 'strings'; extra?: Record<string, unknown> } = {},
  ): void {
    if (call.state === 'terminated') return;
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    this.stopMediaSilently(call);
    const finish = () => {
      call.state = 'terminated';
      call.endedAt = new Date().toISOString();
      if (resultInfo) call.resultInfo = resultInfo;
      this.log(call, 'call', `terminated${resultInfo ? ` (${resultInfo.code}/${resultInfo.subcode} ${resultInfo.message})` : ''}`);
      this.notifyState(call, { ...(resultInfo ? { resultInfo: this.resultInfoJson(resultInfo, opts.quirk) } : {}), ...opts.extra });
      // The caller's own timer stays armed only to end a transferred conversation.
      if (call.hangUpTimer && !call.transfer?.view.conversation) {
        clearTimeout(call.hangUpTimer);
        call.hangUpTimer = undefined;
      }
    };
    if (opts.viaTerminating) {
      call.state = 'terminating';
      this.notifyState(call);
      this.after(call, this.scaled(TEARDOWN_DELAY_MS), finish);
    } else {
      finish();
    }
  }

  // ---------------------------------------------------------------- views

  view(callId: string): EmulatedCallView | undefined {
    const call = this.calls.get(callId);
    if (!call) return undefined;
    const operations: OperationView[] = [...call.operations.values()].map((op) =>
      op.type === 'playPrompt'
        ? stripUndefined({
            id: op.id,
            type: op.type,
            clientContext: op.clientContext,
            status: op.status,
            completionReason: op.completionReason,
            resultInfo: op.resultInfo,
            prompts: op.prompts.map((p) => p.uri),
          })
        : stripUndefined({ id: op.id, type: op.type, clientContext: op.clientContext, status: op.status }),
    );
    return structuredClone(
      stripUndefined({
        id: call.id,
        callChainId: call.callChainId,
        state: call.state,
        direction: 'incoming' as const,
        source: call.source,
        targets: call.targets,
        callbackUri: call.callbackUri,
        createdAt: call.createdAt,
        endedAt: call.endedAt,
        resultInfo: call.resultInfo,
        operations,
        transfer: call.transfer?.view,
        history: call.history,
      }),
    );
  }

  ids(): string[] {
    return [...this.calls.keys()];
  }

  stop(): void {
    this.stopped = true;
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
