import { deprecatePatch, patched } from '@temporalio/workflow';
import type { CallOutcome } from '../../src/contracts/call.js';
import type { IncomingCall } from '../../src/contracts/graph-call.js';
import { DEFAULT_PRIORITY } from '../../src/contracts/queue-config.js';
import type { CallSession } from '../call-session.js';
import type { CallRecorder } from '../call-recorder.js';
import type {
  Call,
  CallbackOffer,
  CallbackResult,
  CallDataValue,
  GatherOptions,
  GatherResult,
  LookupOptions,
  MenuOptions,
  Prompt,
  QueueOptions,
  QueueResult,
  ScheduleStatus,
  TransferResult,
  TransferTarget,
  VoicemailResult,
} from './api.js';
import type { CallContext, VerbSteps } from './context.js';
import { clamp } from './limits.js';
import { answerVerb } from './answer.js';
import { playVerb } from './play.js';
import { collectKeys, gatherVerb } from './gather.js';
import { menuVerb } from './menu.js';
import { isOpenVerb } from './is-open.js';
import { queueVerb } from './queue.js';
import { offerToAgents } from './offer.js';
import { voicemailVerb } from './voicemail.js';
import { transferVerb } from './transfer.js';
import { offerCallbackVerb, takeCallback } from './offer-callback.js';
import { keepPlaceForCallback } from './callback.js';
import { lookupVerb } from './lookup.js';
import { hangupVerb } from './hangup.js';

/**
 * The `Call` a flow sees, and the only file that knows every verb: it keeps the call's state (language, priority,
 * tags, data, outcome), answers before any verb that needs the caller on the line, and hands each verb the
 * `CallContext` through which it reaches the others. Each verb is recorded in the timeline as `verb:<name>`, with its
 * arguments and result, and returns a defined result instead of throwing: a caller who hung up, a prompt Graph would
 * not play, a lookup that timed out each take a path the flow can see.
 */
export class CallRuntime implements Call, CallContext {
  language = 'en';
  priority = DEFAULT_PRIORITY;
  readonly data: Record<string, CallDataValue> = {};
  private readonly tags: string[] = [];
  outcome?: CallOutcome;
  answered = false;
  queueGaveUp = false;

  readonly steps: VerbSteps = {
    gather: (options) => collectKeys(this, options),
    offerToAgents: (target, assignment, hold) => offerToAgents(this, target, assignment, hold),
    takeCallback: (queue, options) => takeCallback(this, queue, options),
    keepPlaceForCallback: (place, options) => keepPlaceForCallback(this, place, options),
  };

  constructor(
    readonly session: CallSession,
    readonly recorder: CallRecorder,
    readonly incoming: IncomingCall,
    private readonly options: { callbackUri: string; promptBaseUrl: string; phoneRegion?: string },
  ) {}

  get id(): string {
    return this.incoming.callId;
  }
  get callId(): string {
    return this.incoming.callId;
  }
  get from(): Call['from'] {
    return this.incoming.from;
  }
  get dialled(): string | undefined {
    return this.incoming.to.applicationInstanceId ?? this.incoming.to.applicationId;
  }
  get hungUp(): boolean {
    return this.session.terminated;
  }
  get callbackUri(): string {
    return this.options.callbackUri;
  }
  get phoneRegion(): string | undefined {
    return this.options.phoneRegion;
  }
  get call(): Call {
    return this;
  }

  promptUri(file: string): string {
    return `${this.options.promptBaseUrl}/${file}`;
  }

  promptFile(prompt: Prompt): string {
    if (typeof prompt === 'string') return prompt;
    return prompt[this.language] ?? Object.values(prompt)[0]!;
  }

  promptUris(prompts: Prompt | Prompt[]): string[] {
    return (Array.isArray(prompts) ? prompts : [prompts]).map((p) => this.promptUri(this.promptFile(p)));
  }

  verb<T>(name: string, args: unknown, run: () => Promise<T>): Promise<T> {
    this.recorder.event(`verb:${name}`, args);
    return run().then((result) => {
      this.recorder.event(`verb:${name}:done`, result);
      return result;
    });
  }

  async answer(): Promise<void> {
    await answerVerb(this);
  }

  async play(prompt: Prompt | Prompt[]): Promise<'completed' | 'failed' | 'hungUp'> {
    await this.answer();
    return playVerb(this, prompt);
  }

  async gather(options: GatherOptions = {}): Promise<GatherResult> {
    await this.answer();
    return gatherVerb(this, options);
  }

  async menu<T>(options: MenuOptions<T>): Promise<T | undefined> {
    await this.answer();
    return menuVerb(this, options);
  }

  async isOpen(schedule: string): Promise<ScheduleStatus> {
    return isOpenVerb(this, schedule);
  }

  async queue(name: string, options: QueueOptions = {}): Promise<QueueResult> {
    await this.answer();
    return queueVerb(this, name, options);
  }

  async voicemail(box: string): Promise<VoicemailResult> {
    await this.answer();
    return voicemailVerb(this, box);
  }

  async transfer(to: TransferTarget): Promise<TransferResult> {
    await this.answer();
    return transferVerb(this, to);
  }

  async offerCallback(offer: CallbackOffer): Promise<CallbackResult> {
    await this.answer();
    return offerCallbackVerb(this, offer);
  }

  async lookup<T>(name: string, input: unknown, options: LookupOptions<T>): Promise<T> {
    return lookupVerb(this, name, input, options);
  }

  setPriority(priority: number): void {
    this.priority = clamp(Math.round(priority), 1, 5);
    this.recorder.event('verb:setPriority', { priority: this.priority });
  }

  tag(...tags: string[]): void {
    for (const t of tags) if (!this.tags.includes(t)) this.tags.push(t);
    this.recorder.set({ tags: [...this.tags] });
    this.recorder.event('verb:tag', { tags });
  }

  set(key: string, value: CallDataValue): void {
    this.data[key] = value;
    this.recorder.set({ data: { ...this.data } });
    this.recorder.event('verb:set', { key, value });
  }

  async hangup(prompt?: Prompt): Promise<void> {
    await hangupVerb(this, prompt);
  }

  changed(changeId: string): boolean {
    return patched(changeId);
  }

  changeDeployed(changeId: string): void {
    deprecatePatch(changeId);
  }
}
