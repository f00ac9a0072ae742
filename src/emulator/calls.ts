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
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { makeToneWav } from '../media/wav.js';
import { GraphHttpError } from './graph-error.js';
import type pino from 'pino';
import { callNotFound, badRequest } from './graph-error.js';
import { MediaError, type MediaLoader } from './media.js';
import type { CommsNotification, Notifier } from './notifier.js';
import type { AgentDirectory } from './people.js';
import type { WavInfo } from '../media/wav.js';
import {
  E164,
  type AnswerRequest,
  type CreateCallRequest,
  type InviteRequest,
  type MediaRef,
  type ParticipantTarget,
  type PlayPromptRequest,
  type RecordRequest,
  type RedirectRequest,
  type TransferRequest,
} from './validation.js';
import type {
  CalleeScript,
  CallHistoryEntry,
  DigitPress,
  Quirks,
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
  quirks: Quirks;
  recordingRetentionMs: number;
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

/** Time the callee's phone rings when a transfer is ignored, before the transfer fails (÷ mediaSpeed). */
export const TRANSFER_ALERT_TIMEOUT_MS = 30000;
/** Gap between establishing and established (÷ mediaSpeed). */
const ESTABLISH_DELAY_MS = 200;
/** Gap between terminating and terminated, and between transferAccepted and terminated (÷ mediaSpeed). */
const TEARDOWN_DELAY_MS = 100;
/** An agent who answered a call from the bot and hears nothing hangs up after this (human time: not scaled). */
const AGENT_SILENCE_HANGUP_MS = 60_000;
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
  // call-record.md documents 200/8515 for the max duration; the other record results are the emulator's choice.
  recordMaxDuration: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
  recordSilence: { code: 200, subcode: 0, message: 'Action completed, max silence timeout reached.' },
  recordStopTone: { code: 200, subcode: 0, message: 'Action completed, stop tone detected.' },
  recordInitialSilence: { code: 408, subcode: 0, message: 'Action failed, initial silence timeout reached.' },
  inviteCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  inviteDeclined: { code: 403, subcode: 0, message: 'Invitation declined by the participant.' },
  inviteNoAnswer: { code: 408, subcode: 0, message: 'Invitation not answered.' },
  calleeBusy: { code: 486, subcode: 0, message: 'The callee is busy.' },
  calleeNoAnswer: { code: 408, subcode: 0, message: 'The callee did not answer.' },
  // SIP's 603 Decline, which is what a Teams user's "decline" sends back (Graph does not document its codes here).
  calleeDeclined: { code: 603, subcode: 0, message: 'The callee declined the call.' },
  redirectFailed: { code: 480, subcode: 0, message: 'No redirect target answered.' },
} satisfies Record<string, ResultInfo>;

interface Recording {
  id: string;
  callId: string;
  token: string;
  wav: Buffer;
}

interface PromptOperation {
  id: string;
  type: 'playPrompt' | 'recordResponse';
  record?: RecordRequest;
  recording?: Recording;
  /** Ends a running recording early (stop tone). */
  stopTone?: (key: string) => boolean;
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
  type: 'cancelMediaProcessing' | 'subscribeToTone' | 'invite';
  resultInfo?: ResultInfo;
  clientContext?: string;
  status: OperationView['status'];
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
  /** How it ended when Graph says so instead of a resultInfo (a consultative transfer: AppTransferred). */
  terminationReason?: string;
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
  direction: 'incoming' | 'outgoing' = 'incoming';
  /** The other party's script: the caller (inbound) or the callee (outbound). */
  party: { digits?: DigitPress[]; speechMs?: number } = {};
  toneSubscribed = false;
  toneSequence = 0;
  redirected = false;
  answeredBy?: Record<string, unknown>;
  /** Agents on this call through invite or redirect (presence Busy/InACall). */
  readonly agentsOnCall = new Set<string>();
  quirks: Quirks = {};

  constructor(
    readonly script: CallerScript,
    readonly source: Record<string, unknown>,
    readonly targets: Record<string, unknown>[],
  ) {
    this.party = { ...(script.digits ? { digits: script.digits } : {}), ...(script.speechMs !== undefined ? { speechMs: script.speechMs } : {}) };
  }

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

const TONE_NAMES: Record<string, string> = { '*': 'star', '#': 'pound', A: 'a', B: 'b', C: 'c', D: 'd' };
export function toneName(key: string): string {
  return /^[0-9]$/.test(key) ? `tone${key}` : (TONE_NAMES[key.toUpperCase()] ?? key);
}

const pascal = (v: unknown) => (typeof v === 'string' && v ? v[0]!.toUpperCase() + v.slice(1) : v);

/** Rewrites a notification's resourceData the way the configured quirks say real Graph sometimes does. */
function applyQuirks(data: Record<string, unknown>, q: Quirks): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  const ri = out['resultInfo'];
  if (ri && typeof ri === 'object') {
    const r = { ...(ri as Record<string, unknown>) };
    if (q.stringCodes) {
      if (r['code'] !== undefined) r['code'] = String(r['code']);
      for (const k of ['subcode', 'subCode']) if (r[k] !== undefined) r[k] = String(r[k]);
    }
    if (q.subCodeSpelling && r['subcode'] !== undefined) {
      r['subCode'] = r['subcode'];
      delete r['subcode'];
    }
    out['resultInfo'] = r;
  }
  if (q.pascalCaseEnums) for (const k of ['state', 'status', 'completionReason', 'direction']) if (out[k] !== undefined) out[k] = pascal(out[k]);
  return out;
}

export class CallManager {
  private readonly calls = new Map<string, EmulatedCall>();
  private readonly callees = new Map<string, CalleeScript>();
  private readonly recordings = new Map<string, Recording>();
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
    const q = call.quirks;
    const data = applyQuirks({ '@odata.id': resourceUrl, '@odata.etag': `W/"${call.etag}"`, ...resourceData }, q);
    void this.deps.notifier.enqueue(call, url, {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: (q.pascalCaseEnums ? pascal(changeType) : changeType) as CommsNotification['changeType'],
      resource: `/app/calls/${call.id}${path}`,
      resourceUrl,
      resourceData: q.resourceDataArray ? ([data] as unknown as Record<string, unknown>) : data,
    }, Math.max(copies, q.duplicates ?? 1));
  }

  /** A roster notification: resourceData is an array of participants (participant-invite.md). */
  private notifyParticipants(call: EmulatedCall, participants: Record<string, unknown>[]): void {
    if (this.stopped) return;
    const url = call.callbackUri ?? this.o.botCallingUrl;
    call.etag += 1;
    void this.deps.notifier.enqueue(call, url, {
      '@odata.type': '#microsoft.graph.commsNotification',
      changeType: 'updated',
      resource: `/app/calls/${call.id}/participants`,
      resourceUrl: `${call.resourceUrl}/participants`,
      resourceData: participants as unknown as Record<string, unknown>,
    }, Math.max(1, call.quirks.duplicates ?? 1));
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
    call.quirks = { ...this.o.quirks, ...script.quirks };
    call.targets.push({ '@odata.type': '#microsoft.graph.invitationParticipantInfo', id: call.myParticipantId, identity: targetIdentity, endpointType: 'default' });
    this.calls.set(call.id, call);

    const who = 'phone' in script.from ? script.from.phone : (script.from.user.displayName ?? script.from.user.id);
    this.log(call, 'caller', `${who} dials ${script.applicationInstanceId ? `resource account ${script.applicationInstanceId}` : 'the bot'}`);
    this.notify(call, 'created', this.resource(call), '', script.incomingCopies ?? 1);

    this.scheduleDigits(call, call.party.digits);
    this.after(call, this.o.answerTimeoutMs, () => {
      if (call.state !== 'incoming' || call.redirected) return;
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
    this.log(call, 'caller', call.direction === 'outgoing' ? 'callee hangs up' : 'hangs up');
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
      direction: call.direction,
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
      answeredBy: call.answeredBy,
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
    if (call.quirks.establishedBeforeEstablishing) {
      // Documented: "Call establishing/established notifications may arrive out of order."
      this.after(call, this.scaled(ESTABLISH_DELAY_MS), () => {
        if (call.state !== 'establishing') return;
        this.establish(call);
        this.notify(call, 'updated', { '@odata.type': '#microsoft.graph.call', state: 'establishing' });
      });
      return;
    }
    this.notifyState(call);
    this.after(call, this.scaled(ESTABLISH_DELAY_MS), () => {
      if (call.state !== 'establishing') return;
      this.establish(call);
    });
  }

  private establish(call: EmulatedCall): void {
    call.state = 'established';
    this.notifyState(call, {
      callChainId: call.callChainId,
      mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' },
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
    if (op.type === 'recordResponse') return this.record(call, op);
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
          '@odata.type': op.type === 'recordResponse' ? '#microsoft.graph.recordOperation' : '#microsoft.graph.playPromptOperation',
          id: op.id,
          status,
          completionReason,
          clientContext: op.clientContext,
          resultInfo: this.resultInfoJson(resultInfo),
          ...this.recordingFields(op),
        }),
        `/operations/${op.id}`,
      );
    }
    this.pump(call);
  }

  private recordingFields(op: PromptOperation): Record<string, unknown> {
    if (op.type !== 'recordResponse') return {};
    return op.recording
      ? { recordingLocation: `${this.o.baseUrl()}/recordings/${op.recording.id}`, recordingAccessToken: op.recording.token }
      : { recordingLocation: '', recordingAccessToken: '' };
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
      op.completionReason = op.type === 'recordResponse' ? 'operationCanceled' : 'mediaOperationCanceled';
      op.stopTone = undefined;
      op.resultInfo = RESULT.operationCancelled;
      if (notify) {
        this.notify(
          call,
          'deleted',
          stripUndefined({
            '@odata.type': op.type === 'recordResponse' ? '#microsoft.graph.recordOperation' : '#microsoft.graph.playPromptOperation',
            id: op.id,
            status: 'failed',
            completionReason: op.type === 'recordResponse' ? 'operationCanceled' : 'mediaOperationCanceled',
            clientContext: op.clientContext,
            resultInfo: this.resultInfoJson(RESULT.operationCancelled),
            ...(op.type === 'recordResponse' ? { recordingLocation: '', recordingAccessToken: '' } : {}),
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
    if (count > 0) this.log(call, 'media', `cancelled ${count} media operation(s)`);
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
    const types = {
      playPrompt: '#microsoft.graph.playPromptOperation',
      recordResponse: '#microsoft.graph.recordOperation',
      cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
      subscribeToTone: '#microsoft.graph.subscribeToToneOperation',
      invite: '#microsoft.graph.inviteParticipantsOperation',
    } as const;
    return stripUndefined({
      '@odata.type': types[op.type],
      id: op.id,
      status: op.status,
      clientContext: op.clientContext,
      ...('prompts' in op
        ? { completionReason: op.completionReason, ...(op.done ? this.recordingFields(op) : {}) }
        : {}),
      resultInfo: op.resultInfo ? this.resultInfoJson(op.resultInfo) : undefined,
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
    if (!transfer.consultative) this.log(call, 'agent', `${agentKey} is alerted (script: ${script.onTransfer}${agents.isBusy(agentKey) ? ', busy' : ''})`);

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

    if (transfer.consultative) {
      this.replaceCall(call, transfer, req.replacesCallId!, agentKey, fail);
      return;
    }
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

  /**
   * Consultative transfer: the target already talks to the bot on the call `replacesCallId` (one the bot placed to
   * them). Nothing rings: the caller takes that call's place, the bot leaves both, and the target talks to the
   * caller. The call to replace must be live, established, and to the transfer target; otherwise the transfer fails
   * (500/7700, with replacesContext, as documented).
   */
  private replaceCall(
    call: EmulatedCall,
    transfer: TransferState,
    replacesCallId: string,
    agentKey: string,
    fail: (outcome: TransferView['outcome'], message: string) => void,
  ): void {
    const replaced = this.calls.get(replacesCallId);
    const target = replaced?.targets[0] as { identity?: { user?: { id?: string }; phone?: { id?: string } } } | undefined;
    const replacedKey = target?.identity?.user?.id ?? target?.identity?.phone?.id;
    if (!replaced || replaced.id === call.id || replaced.state !== 'established' || replacedKey !== agentKey) {
      const why = !replaced || replaced.id === call.id ? 'is not a call of this app' : replaced.state !== 'established' ? `is ${replaced.state}` : 'is not a call to the transfer target';
      this.after(call, this.scaled(BUSY_REJECT_DELAY_MS), () => fail('failed', `The call to replace (${replacesCallId}) ${why}.`));
      return;
    }
    this.after(call, this.scaled(TEARDOWN_DELAY_MS), () => {
      if (call.state !== 'transferring' || call.transfer !== transfer) return;
      if (replaced.state !== 'established') return fail('failed', `The call to replace (${replacesCallId}) ended.`);
      transfer.view.outcome = 'accepted';
      this.log(call, 'agent', `${agentKey} takes the caller in place of call ${replacesCallId}`);
      call.state = 'transferAccepted';
      this.notifyState(call);
      this.stopMediaSilently(call);
      const conversation: NonNullable<TransferView['conversation']> = { startedAt: new Date().toISOString() };
      transfer.view.conversation = conversation;
      // The agent goes straight from our call to the caller: never free in between.
      if ('userId' in transfer.view.target) {
        this.deps.agents.startTalking(agentKey, call.id, this.deps.agents.script(agentKey).talkMs, () => {
          conversation.endedAt = new Date().toISOString();
          conversation.endedBy ??= 'agent';
          this.log(call, 'agent', `${agentKey} finished talking to the caller (ended by ${conversation.endedBy})`);
        });
      }
      // Graph's docs show the transferred call ending with AppTransferred; the replaced call's end is not shown,
      // and ends the same way here.
      this.terminate(replaced, undefined, { extra: { terminationReason: 'AppTransferred' } });
      this.after(call, this.scaled(TEARDOWN_DELAY_MS), () => this.terminate(call, undefined, { extra: { terminationReason: 'AppTransferred' } }));
    });
  }

  /** DELETE /communications/calls/{id} */
  hangUp(callId: string): void {
    const call = this.live(callId);
    if (call.state === 'terminating') return;
    this.log(call, 'call', 'bot hangs up');
    this.terminate(call, RESULT.botHungUp, { viaTerminating: true, quirk: this.o.docQuirks ? 'strings' : undefined });
  }

  // ---------------------------------------------------------------- tones

  private scheduleDigits(call: EmulatedCall, digits: DigitPress[] | undefined): void {
    for (const d of digits ?? []) {
      // Script time: wall-clock, not scaled.
      this.after(call, d.atMs, () => {
        for (const key of d.keys) this.pressKey(call, key);
      });
    }
  }

  /** The caller (or callee) presses a key: a toneInfo notification once subscribed; a stop tone ends a recording. */
  private pressKey(call: EmulatedCall, key: string): void {
    if (call.state !== 'established') {
      this.log(call, 'caller', `presses ${key} while the call is ${call.state} (no effect)`);
      return;
    }
    this.log(call, 'caller', `presses ${key}`);
    if (call.current?.stopTone?.(key.toUpperCase())) return;
    if (!call.toneSubscribed) return;
    call.toneSequence += 1;
    this.notify(call, 'updated', {
      '@odata.type': '#microsoft.graph.call',
      state: call.state,
      toneInfo: { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: call.toneSequence, tone: toneName(key) },
    });
  }

  /** POST /communications/calls/{id}/subscribeToTone */
  subscribeToTone(callId: string, req: { clientContext?: string }): { body: Record<string, unknown>; location: string } {
    const call = this.live(callId);
    this.requireState(call, ['established'], 'subscribeToTone');
    call.toneSubscribed = true;
    const op: CancelOperation = { id: randomUUID(), type: 'subscribeToTone', ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}), status: 'completed' };
    call.operations.set(op.id, op);
    this.log(call, 'media', 'bot subscribed to tones');
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({ '@odata.type': '#microsoft.graph.subscribeToToneOperation', id: op.id, status: 'completed', clientContext: op.clientContext }),
    };
  }

  // ---------------------------------------------------------------- recordResponse

  /** POST /communications/calls/{id}/recordResponse */
  recordResponse(callId: string, req: RecordRequest): { body: Record<string, unknown>; location: string } {
    const call = this.live(callId);
    this.requireState(call, ['established'], 'recordResponse');
    // bargeInAllowed: the new operation barges into queued and running media operations.
    if (req.bargeInAllowed) this.cancelMedia(call, true);
    const op: PromptOperation = {
      id: randomUUID(),
      type: 'recordResponse',
      record: req,
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
      body: { '@odata.type': '#microsoft.graph.recordOperation', id: op.id, status: 'running', resultInfo: null, recordingLocation: null, ...(op.clientContext !== undefined ? { clientContext: op.clientContext } : {}) },
    };
  }

  private async record(call: EmulatedCall, op: PromptOperation): Promise<void> {
    const req = op.record!;
    let promptMs = 0;
    try {
      const infos = await Promise.all(op.prompts.map((p) => this.loadPrompt(call, p)));
      promptMs = infos.reduce((sum, i) => sum + i.durationMs, 0);
    } catch (e) {
      if (op.done) return;
      const r = e instanceof MediaError ? e.resultInfo : { code: 500, subcode: 0, message: `Action failed. ${(e as Error).message}` };
      this.finishOperation(call, op, 'failed', 'playPromptFailed', r);
      return;
    }
    if (op.done) return;
    const beepMs = req.playBeep ? 250 : 0;
    const leadMs = this.scaled(promptMs + beepMs);
    this.log(call, 'media', `recordResponse: ${op.prompts.length} prompt(s)${req.playBeep ? ' and a beep' : ''}, then recording (max ${req.maxRecordDurationInSeconds} s)`);
    op.timer = setTimeout(() => {
      op.timer = undefined;
      if (op.done || this.stopped) return;
      const startedAt = Date.now();
      const speechMs = call.party.speechMs ?? 0;
      const maxMs = this.scaled(req.maxRecordDurationInSeconds * 1000);
      const finishWith = (reason: string, r: ResultInfo, audioMs: number) => {
        if (op.done) return;
        op.recording = this.storeRecording(call, Math.max(100, audioMs));
        this.log(call, 'media', `recording ended: ${reason}, ${Math.round(audioMs)} ms of audio`);
        this.finishOperation(call, op, 'completed', reason, r);
      };
      op.stopTone = (key) => {
        if (!req.stopTones.includes(key)) return false;
        op.stopTone = undefined;
        finishWith('stopToneDetected', RESULT.recordStopTone, Date.now() - startedAt);
        return true;
      };
      if (speechMs <= 0) {
        op.timer = setTimeout(() => {
          op.timer = undefined;
          if (op.done || this.stopped) return;
          op.stopTone = undefined;
          this.log(call, 'media', 'recording failed: no speech (initial silence timeout)');
          this.finishOperation(call, op, 'failed', 'initialSilenceTimeout', RESULT.recordInitialSilence);
        }, this.scaled(req.initialSilenceTimeoutInSeconds * 1000));
      } else if (speechMs >= maxMs) {
        op.timer = setTimeout(() => finishWith('maxRecordDurationReached', RESULT.recordMaxDuration, maxMs), maxMs);
      } else {
        const endMs = Math.min(maxMs, speechMs + this.scaled(req.maxSilenceTimeoutInSeconds * 1000));
        const reason = endMs >= maxMs ? 'maxRecordDurationReached' : 'maxSilenceTimeout';
        op.timer = setTimeout(() => finishWith(reason, endMs >= maxMs ? RESULT.recordMaxDuration : RESULT.recordSilence, endMs), endMs);
      }
    }, leadMs);
  }

  private storeRecording(call: EmulatedCall, audioMs: number): Recording {
    const rec: Recording = {
      id: randomUUID(),
      callId: call.id,
      token: randomBytes(32).toString('base64url'),
      wav: makeToneWav({ seconds: audioMs / 1000, frequencies: [220, 330, 262], segmentSeconds: 0.15, amplitude: 0.3 }),
    };
    this.recordings.set(rec.id, rec);
    return rec;
  }

  /** GET {recordingLocation} with `Authorization: Bearer {recordingAccessToken}`. */
  getRecording(id: string, authorization: string | undefined): Buffer {
    const rec = this.recordings.get(id);
    if (!rec) throw new GraphHttpError(404, 'itemNotFound', 'The recording does not exist or has been discarded.');
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    const want = Buffer.from(rec.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'A valid recordingAccessToken is required.');
    }
    const call = this.calls.get(rec.callId);
    if (call?.endedAt && Date.now() - Date.parse(call.endedAt) > this.o.recordingRetentionMs) {
      this.recordings.delete(id);
      throw new GraphHttpError(404, 'itemNotFound', 'The recording does not exist or has been discarded.');
    }
    return rec.wav;
  }

  /** The call a recording belongs to, and its bytes (for tests: what a download serves). */
  recording(id: string): { callId: string; wav: Buffer } | undefined {
    const rec = this.recordings.get(id);
    return rec ? { callId: rec.callId, wav: rec.wav } : undefined;
  }

  // ---------------------------------------------------------------- reject, redirect

  /** POST /communications/calls/{id}/reject */
  reject(callId: string, req: { reason: string; callbackUri?: string }): void {
    const call = this.live(callId);
    this.requireState(call, ['incoming'], 'reject');
    if (call.redirected) throw badRequest('reject is not allowed on a call that is being redirected.');
    if (req.callbackUri) call.callbackUri = req.callbackUri;
    this.log(call, 'call', `bot rejects (reason: ${req.reason})`);
    this.terminate(call, undefined);
  }

  private participantIdentity(t: ParticipantTarget): Record<string, unknown> {
    return 'phone' in t
      ? { '@odata.type': '#microsoft.graph.identitySet', phone: { '@odata.type': '#microsoft.graph.identity', id: t.phone } }
      : { '@odata.type': '#microsoft.graph.identitySet', user: stripUndefined({ '@odata.type': '#microsoft.graph.identity', id: t.userId, displayName: t.displayName, tenantId: this.o.tenantId }) };
  }

  /** How a scripted person answers a ring: agents by their transfer script, others by their callee script. */
  private ringOutcome(key: string): { outcome: 'answer' | 'decline' | 'never' | 'busy'; afterMs: number; talkMs?: number } {
    const callee = this.callees.get(key);
    if (callee) {
      const afterMs = callee.answerAfterMs ?? 1000;
      return { outcome: callee.onCall === 'never' ? 'never' : callee.onCall === 'busy' ? 'busy' : 'answer', afterMs };
    }
    const { agents } = this.deps;
    if (agents.isBusy(key)) return { outcome: 'busy', afterMs: this.scaled(BUSY_REJECT_DELAY_MS) };
    const script = agents.script(key);
    const map = { accept: 'answer', decline: 'decline', ignore: 'never' } as const;
    return { outcome: map[script.onTransfer], afterMs: script.answerAfterMs, talkMs: script.talkMs };
  }

  /** POST /communications/calls/{id}/redirect: all targets ring at once; the first to answer gets the call. */
  redirect(callId: string, req: RedirectRequest): void {
    const call = this.live(callId);
    this.requireState(call, ['incoming'], 'redirect');
    if (call.redirected) throw badRequest('The call is already being redirected.');
    call.redirected = true;
    if (req.callbackUri) call.callbackUri = req.callbackUri;
    const keys = req.targets.map((t) => ('phone' in t ? t.phone : t.userId));
    this.log(call, 'call', `bot redirects to ${keys.join(', ')} (timeout ${req.timeoutSeconds} s)`);
    let pending = req.targets.length;
    let done = false;
    const oneFailed = (key: string, why: string) => {
      this.log(call, 'agent', `${key}: ${why}`);
      if (done || --pending > 0) return;
      done = true;
      this.terminate(call, RESULT.redirectFailed);
    };
    req.targets.forEach((t, i) => {
      const key = keys[i]!;
      const ring = this.ringOutcome(key);
      if (ring.outcome === 'never') return;
      this.after(call, ring.afterMs, () => {
        if (done || call.state !== 'incoming') return;
        if (ring.outcome === 'busy') return oneFailed(key, 'busy');
        if (ring.outcome === 'decline') return oneFailed(key, 'declines');
        if ('userId' in t && this.deps.agents.isBusy(t.userId)) return oneFailed(key, 'busy');
        done = true;
        this.log(call, 'agent', `${key} answers the redirected call`);
        call.answeredBy = { '@odata.type': '#microsoft.graph.participantInfo', identity: this.participantIdentity(t), endpointType: 'default' };
        if ('userId' in t) this.deps.agents.startTalking(t.userId, call.id, ring.talkMs ?? 30000, () => this.log(call, 'agent', `${key} finished talking`));
        this.terminate(call, undefined);
      });
    });
    this.after(call, this.scaled(req.timeoutSeconds * 1000), () => {
      if (done || call.state !== 'incoming') return;
      done = true;
      this.log(call, 'call', 'no redirect target answered in time');
      this.terminate(call, RESULT.redirectFailed);
    });
  }

  // ---------------------------------------------------------------- outbound

  setCallee(id: string, script: CalleeScript): void {
    this.callees.set(id, script);
  }

  /** POST /communications/calls: an outgoing peer-to-peer call to a Teams user or (from a resource account) a phone. */
  createCall(req: CreateCallRequest): Record<string, unknown> {
    const { tenantId, clientId, botDisplayName } = this.o;
    if (req.tenantId && req.tenantId !== tenantId) throw new GraphHttpError(403, 'Forbidden', `Tenant ${req.tenantId} is not the app's tenant.`);
    const target = req.targets[0]!;
    const key = 'phone' in target ? target.phone : target.userId;
    const callee = this.callees.get(key);
    const sourceIdentity = req.source?.applicationInstanceId
      ? { '@odata.type': '#microsoft.graph.identitySet', applicationInstance: stripUndefined({ '@odata.type': '#microsoft.graph.identity', id: req.source.applicationInstanceId, displayName: req.source.displayName, tenantId }) }
      : { '@odata.type': '#microsoft.graph.identitySet', application: { '@odata.type': '#microsoft.graph.identity', id: clientId, displayName: botDisplayName } };
    const source = { '@odata.type': '#microsoft.graph.participantInfo', identity: sourceIdentity, endpointType: null, region: null, languageId: null };
    const script: CallerScript = 'phone' in target ? { from: { phone: target.phone } } : { from: { user: { id: target.userId } } };
    const call = new EmulatedCall(script, source, [
      { '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: this.participantIdentity(target), endpointType: null, replacesCallId: null },
    ]);
    call.direction = 'outgoing';
    call.quirks = { ...this.o.quirks };
    call.party = { ...(callee?.digits ? { digits: callee.digits } : {}), ...(callee?.speechMs !== undefined ? { speechMs: callee.speechMs } : {}) };
    call.callbackUri = req.callbackUri;
    call.answered = true;
    call.preFetchMedia = req.preFetchMedia;
    for (const m of req.preFetchMedia) this.prefetch(call, m);
    call.state = 'establishing';
    this.calls.set(call.id, call);
    this.log(call, 'call', `bot calls ${key}`);
    const body = this.resource(call);

    const outOfOrder = call.quirks.establishedBeforeEstablishing;
    if (!outOfOrder) this.notifyState(call);
    const ring = this.ringOutcome(key);
    const resultFor = (o: string) => (o === 'busy' ? RESULT.calleeBusy : o === 'decline' ? RESULT.calleeDeclined : RESULT.calleeNoAnswer);
    if (ring.outcome === 'answer') {
      this.after(call, ring.afterMs, () => {
        if (call.state !== 'establishing') return;
        this.log(call, 'caller', `${key} answers`);
        if ('userId' in target && !callee) {
          call.agentsOnCall.add(target.userId);
          this.deps.agents.setOnCall(target.userId, call.id, true);
        }
        this.establish(call);
        if (outOfOrder) this.notify(call, 'updated', { '@odata.type': '#microsoft.graph.call', state: 'establishing' });
        this.scheduleDigits(call, call.party.digits);
        // A scripted callee hangs up when their script says. An agent who answered waits on the line for the caller
        // the bot puts through (their talk time runs from then), and gives up on a silent line after a minute.
        const hangUpAfterMs = callee ? callee.hangUpAfterMs : 'userId' in target ? AGENT_SILENCE_HANGUP_MS : undefined;
        if (hangUpAfterMs !== undefined) call.hangUpTimer = setTimeout(() => this.callerHangsUp(call), hangUpAfterMs);
      });
    } else {
      const afterMs = ring.outcome === 'never' ? this.scaled(TRANSFER_ALERT_TIMEOUT_MS) : ring.afterMs;
      this.after(call, afterMs, () => {
        if (call.state !== 'establishing') return;
        this.log(call, 'caller', `${key} ${ring.outcome === 'never' ? 'does not answer' : ring.outcome === 'decline' ? 'declines' : 'is busy'}`);
        this.terminate(call, resultFor(ring.outcome));
      });
    }
    return body;
  }

  // ---------------------------------------------------------------- invite

  /** POST /communications/calls/{id}/participants/invite */
  invite(callId: string, req: InviteRequest): { body: Record<string, unknown>; location: string } {
    const call = this.live(callId);
    this.requireState(call, ['established'], 'invite');
    const op: CancelOperation = { id: randomUUID(), type: 'invite', ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}), status: 'running' };
    call.operations.set(op.id, op);
    const opPath = `/operations/${op.id}`;
    const finish = (status: 'completed' | 'failed', r: ResultInfo) => {
      if (op.status !== 'running' || call.state === 'terminated') return;
      op.status = status;
      op.resultInfo = r;
      this.notify(call, 'deleted', stripUndefined({
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        id: op.id,
        status,
        clientContext: op.clientContext,
        resultInfo: this.resultInfoJson(r),
        participants: req.participants.map((p) => ({ '@odata.type': '#microsoft.graph.invitationParticipantInfo', identity: this.participantIdentity(p) })),
      }), opPath);
    };
    let answered = 0;
    let failed = 0;
    const total = req.participants.length;
    for (const p of req.participants) {
      const key = 'phone' in p ? p.phone : p.userId;
      const ring = this.ringOutcome(key);
      this.log(call, 'agent', `${key} is invited (${ring.outcome})`);
      const settle = () => {
        if (answered + failed < total) return;
        if (answered > 0) {
          finish('completed', RESULT.inviteCompleted);
          this.notifyParticipants(call, this.roster(call));
        } else finish('failed', ring.outcome === 'never' ? RESULT.inviteNoAnswer : RESULT.inviteDeclined);
      };
      const afterMs = ring.outcome === 'never' ? this.scaled(TRANSFER_ALERT_TIMEOUT_MS) : ring.afterMs;
      this.after(call, afterMs, () => {
        if (call.state !== 'established' && call.state !== 'transferring') return;
        if (ring.outcome === 'answer') {
          answered++;
          this.log(call, 'agent', `${key} joins the call`);
          if ('userId' in p) {
            call.agentsOnCall.add(p.userId);
            this.deps.agents.setOnCall(p.userId, call.id, true);
          }
          call.targets.push({ '@odata.type': '#microsoft.graph.invitationParticipantInfo', id: randomUUID(), identity: this.participantIdentity(p) });
        } else {
          failed++;
          this.log(call, 'agent', `${key} ${ring.outcome === 'never' ? 'does not answer' : ring.outcome === 'busy' ? 'is busy' : 'declines'}`);
        }
        settle();
      });
    }
    return {
      location: `${call.resourceUrl}${opPath}`,
      body: stripUndefined({ '@odata.type': '#microsoft.graph.inviteParticipantsOperation', id: op.id, status: 'running', clientContext: op.clientContext }),
    };
  }

  /** The call's participants as #microsoft.graph.participant objects. */
  private roster(call: EmulatedCall): Record<string, unknown>[] {
    const participant = (info: Record<string, unknown>, id: string) => ({
      '@odata.type': '#microsoft.graph.participant',
      id,
      info: { '@odata.type': '#microsoft.graph.participantInfo', identity: info['identity'], endpointType: 'default' },
      mediaStreams: [{ '@odata.type': '#microsoft.graph.mediaStream', mediaType: 'audio', direction: 'sendReceive', serverMuted: false }],
      isInLobby: false,
    });
    return [
      participant(call.source, String(call.source['id'] ?? randomUUID())),
      ...call.targets.map((t) => participant(t, String(t['id'] ?? randomUUID()))),
    ];
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
      for (const a of call.agentsOnCall) this.deps.agents.setOnCall(a, call.id, false);
      if (resultInfo) call.resultInfo = resultInfo;
      const reason = opts.extra?.['terminationReason'];
      if (typeof reason === 'string') call.terminationReason = reason;
      this.log(call, 'call', `terminated${resultInfo ? ` (${resultInfo.code}/${resultInfo.subcode} ${resultInfo.message})` : typeof reason === 'string' ? ` (${reason})` : ''}`);
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
      'prompts' in op
        ? stripUndefined({
            id: op.id,
            type: op.type,
            clientContext: op.clientContext,
            status: op.status,
            completionReason: op.completionReason,
            resultInfo: op.resultInfo,
            prompts: op.prompts.map((p) => p.uri),
            recordingLocation: op.recording ? `${this.o.baseUrl()}/recordings/${op.recording.id}` : undefined,
          })
        : stripUndefined({ id: op.id, type: op.type, clientContext: op.clientContext, status: op.status, resultInfo: op.resultInfo }),
    );
    return structuredClone(
      stripUndefined({
        id: call.id,
        callChainId: call.callChainId,
        state: call.state,
        direction: call.direction,
        source: call.source,
        targets: call.targets,
        callbackUri: call.callbackUri,
        createdAt: call.createdAt,
        endedAt: call.endedAt,
        resultInfo: call.resultInfo,
        terminationReason: call.terminationReason,
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
