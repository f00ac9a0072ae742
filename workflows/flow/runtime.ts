import { condition, deprecatePatch, patched, proxyActivities } from '@temporalio/workflow';
import type { LookupActivities, ScheduleActivities } from '../../activities/index.js';
import type { IncomingCall } from '../../src/graph/notifications.js';
import type { CallOutcome } from '../../src/db/entities/call.js';
import { DEFAULT_PRIORITY } from '../../src/routing/types.js';
import { answerActivity, failureDetails, graph, ESTABLISH_WAIT, TRANSFER_MAX, type CallSession } from '../call-session.js';
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
import { gather, menu } from './menu.js';
import { HOLD_MUSIC, waitInQueue } from './queue.js';
import { recordVoicemail } from './voicemail.js';
import { transferTakenBefore } from './offer.js';
import { offerCallback } from './callback.js';

const schedules = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '500ms', maximumAttempts: 3 },
});

/**
 * The `Call` a flow sees. Each verb is recorded in the timeline as `verb:<name>`, with its arguments and result, and
 * returns a defined result instead of throwing: a caller who hung up, a prompt Graph would not play, a lookup that
 * timed out each take a path the flow can see.
 */
export class CallRuntime implements Call {
  language = 'en';
  priority = DEFAULT_PRIORITY;
  readonly data: Record<string, CallDataValue> = {};
  private readonly tags: string[] = [];
  /** Set by the verb that decided how the call ended; the workflow falls back to what the session says. */
  outcome?: CallOutcome;
  private answered = false;

  constructor(
    readonly session: CallSession,
    readonly recorder: CallRecorder,
    readonly incoming: IncomingCall,
    private readonly options: { callbackUri: string; promptBaseUrl: string },
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

  /** Our webhook, where Graph sends this call's notifications (and those of calls it places, such as a callback). */
  get callbackUri(): string {
    return this.options.callbackUri;
  }

  promptUri(file: string): string {
    return `${this.options.promptBaseUrl}/${file}`;
  }

  /** A prompt's file for the call's language: the variant in that language, else the first listed. */
  promptFile(prompt: Prompt): string {
    if (typeof prompt === 'string') return prompt;
    return prompt[this.language] ?? Object.values(prompt)[0]!;
  }

  promptUris(prompts: Prompt | Prompt[]): string[] {
    return (Array.isArray(prompts) ? prompts : [prompts]).map((p) => this.promptUri(this.promptFile(p)));
  }

  private verb<T>(name: string, args: unknown, run: () => Promise<T>): Promise<T> {
    this.recorder.event(`verb:${name}`, args);
    return run().then((result) => {
      this.recorder.event(`verb:${name}:done`, result);
      return result;
    });
  }

  async answer(): Promise<void> {
    if (this.answered) return;
    this.answered = true;
    await this.verb('answer', undefined, async () => {
      try {
        await answerActivity.answerCall({
          callId: this.callId,
          callbackUri: this.options.callbackUri,
          preFetchUris: [this.promptUri(HOLD_MUSIC)],
        });
      } catch (err) {
        this.recorder.event('answerFailed', failureDetails(err));
        this.outcome = 'failed';
        // The caller is gone as far as this call is concerned: every later verb returns at once.
        this.session.applyState('terminated');
        return 'failed';
      }
      this.recorder.set({ answeredAt: new Date().toISOString() });
      this.recorder.event('answered');
      if (!(await condition(() => this.session.state === 'established' || this.session.terminated, ESTABLISH_WAIT))) {
        await this.session.refreshFromGraph();
      }
      // Key presses reach us only after subscribing; every menu and gather relies on it.
      if (!this.session.terminated) {
        await graph
          .subscribeToTone({ callId: this.callId, clientContext: 'tones' })
          .catch((err: unknown) => this.recorder.event('toneSubscriptionFailed', failureDetails(err)));
      }
      return this.session.terminated ? 'hungUp' : 'established';
    });
  }

  async play(prompt: Prompt | Prompt[]): Promise<'completed' | 'failed' | 'hungUp'> {
    await this.answer();
    const files = (Array.isArray(prompt) ? prompt : [prompt]).map((p) => this.promptFile(p));
    return this.verb('play', { prompts: files }, async () => {
      if (this.session.terminated) return 'hungUp';
      const context = files[0]!.replace(/\.wav$/, '').replace(/[^A-Za-z0-9-]/g, '-');
      const result = await this.session.play(files.map((f) => this.promptUri(f)), context);
      if (this.session.terminated) return 'hungUp';
      return result === 'completed' ? 'completed' : 'failed';
    });
  }

  async gather(options: GatherOptions = {}): Promise<GatherResult> {
    await this.answer();
    return this.verb('gather', options, () => gather(this, options));
  }

  async menu<T>(options: MenuOptions<T>): Promise<T | undefined> {
    await this.answer();
    return menu(this, options, (name, args, run) => this.verb(name, args, run));
  }

  async isOpen(schedule: string): Promise<ScheduleStatus> {
    return this.verb('isOpen', { schedule }, async () => {
      try {
        return await schedules.isOpen({ schedule, at: new Date().toISOString() });
      } catch (err) {
        // A schedule that can't be read must not strand the caller: treat it as open, so the queue's own
        // no-agents action decides, and record why.
        this.recorder.event('scheduleFailed', { schedule, ...failureDetails(err) });
        return { schedule, open: true, reason: 'unknownSchedule' } satisfies ScheduleStatus;
      }
    });
  }

  async queue(name: string, options: QueueOptions = {}): Promise<QueueResult> {
    await this.answer();
    return this.verb('queue', { queue: name, ...options }, async () => {
      if (this.session.terminated) return { outcome: 'abandoned', waitSeconds: 0 } as const;
      const result = await waitInQueue(this, name, options);
      if (result.outcome === 'connected') this.outcome = 'connected';
      else if (result.outcome === 'abandoned') this.outcome = 'abandoned';
      else if (result.outcome === 'callback') this.outcome = 'callback';
      return result;
    });
  }

  async voicemail(box: string): Promise<VoicemailResult> {
    await this.answer();
    return this.verb('voicemail', { box }, async () => {
      if (this.session.terminated) return { outcome: 'hungUp' } as const;
      const result = await recordVoicemail(this, box);
      this.outcome = 'voicemail';
      return result;
    });
  }

  async transfer(to: TransferTarget): Promise<TransferResult> {
    await this.answer();
    return this.verb('transfer', to, async (): Promise<TransferResult> => {
      if (this.session.terminated) return { outcome: 'hungUp' };
      if ('queue' in to) {
        const result = await this.queue(to.queue, to.priority !== undefined ? { priority: to.priority } : {});
        return { outcome: 'queued', result };
      }
      const target = 'user' in to ? { userId: to.user } : { phone: to.phone };
      // transferAccepted is never reset: see the consultative transfer in flow/offer.ts.
      this.session.transferFailed = false;
      try {
        await graph.transferCallTo({ callId: this.callId, target, clientContext: 'transfer' });
        if (!(await condition(() => this.session.transferAccepted || this.session.transferFailed || this.session.terminated, TRANSFER_MAX))) {
          await this.session.refreshFromGraph();
        }
      } catch (err) {
        const details = failureDetails(err);
        this.recorder.event('transferFailed', details);
        if (!(await transferTakenBefore(this.session))) return { outcome: 'failed', reason: String(details.error) };
      }
      if (this.session.transferAccepted) {
        if (!(await condition(() => this.session.terminated, ESTABLISH_WAIT))) await this.session.refreshFromGraph();
        this.outcome = 'transferredOut';
        return { outcome: 'transferred' };
      }
      if (this.session.terminated) return { outcome: 'hungUp' };
      return { outcome: 'failed', reason: this.session.resultInfo?.message ?? 'the transfer was not accepted' };
    });
  }

  async offerCallback(offer: CallbackOffer): Promise<CallbackResult> {
    await this.answer();
    return this.verb('offerCallback', { prompt: offer.prompt }, () => offerCallback(this, offer));
  }

  async lookup<T>(name: string, input: unknown, options: LookupOptions<T>): Promise<T> {
    const timeoutSeconds = Math.min(30, Math.max(1, options.timeoutSeconds ?? 3));
    return this.verb('lookup', { name, input }, async () => {
      const { lookup } = proxyActivities<LookupActivities>({
        // The caller waits in silence meanwhile: one bounded try, then the flow's fallback.
        startToCloseTimeout: `${timeoutSeconds}s`,
        retry: { maximumAttempts: 1 },
      });
      try {
        return (await lookup({ name, input })) as T;
      } catch (err) {
        this.recorder.event('lookupFailed', { name, ...failureDetails(err) });
        return options.fallback;
      }
    });
  }

  setPriority(priority: number): void {
    this.priority = Math.min(5, Math.max(1, Math.round(priority)));
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
    await this.verb('hangup', prompt ? { prompt: this.promptFile(prompt) } : undefined, async () => {
      if (prompt && !this.session.terminated) await this.session.play(this.promptUris(prompt), 'goodbye');
      this.outcome ??= 'ended';
      await this.session.hangUpQuietly();
    });
  }

  changed(changeId: string): boolean {
    return patched(changeId);
  }

  changeDeployed(changeId: string): void {
    deprecatePatch(changeId);
  }
}
