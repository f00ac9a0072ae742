/**
 * The call-flow language: what an admin's flow (in flows/) can do with a call. A flow is an async function that
 * receives a `Call` and uses these verbs; it runs inside the call's Temporal workflow, so it must be deterministic:
 * no I/O, no Date.now() of its own, no Math.random() (the workflow sandbox replaces both with replay-safe ones).
 * Data from outside comes in through `lookup`, which runs as an activity.
 *
 * Every verb is written to the call's timeline (`call_event`, type `verb:<name>`), with its arguments and result,
 * so a supervisor sees exactly which path the caller took.
 */

/**
 * A prompt: a WAV file under flows/prompts/ (16 kHz, 16-bit, mono, as Graph requires), or one file per language;
 * the call's `language` picks the variant, falling back to the first one listed.
 */
export type Prompt = string | { readonly [language: string]: string };

/** The keys of a phone keypad, as the caller presses them. */
export type Key = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';

export interface GatherOptions {
  /** Played while waiting for the first key; a key press interrupts it. */
  prompt?: Prompt | Prompt[];
  /** Digits to collect at most. Default 1, limit 32. */
  maxDigits?: number;
  /** A key that ends the input early (not included in the result). Default '#'; `null` for none. */
  terminator?: Key | null;
  /** Seconds to wait for the first key after the prompt ends. Default 5, limit 1–60. */
  timeoutSeconds?: number;
  /** Seconds allowed between keys. Default 3, limit 1–30. */
  interDigitSeconds?: number;
}

export type GatherResult = { status: 'digits'; digits: string } | { status: 'noInput' } | { status: 'hungUp' };

export interface MenuOptions<T> {
  prompt: Prompt | Prompt[];
  /** What each key leads to: usually a sub-flow (a plain async function) to run. */
  options: Partial<Record<Key, (call: Call) => Promise<T>>>;
  /** Times the menu is offered again after no input or an invalid key. Default 2 (3 tries in all), limit 0–5. */
  retries?: number;
  /** Seconds to wait for a key after the prompt. Default 5, limit 1–60. */
  timeoutSeconds?: number;
  /** Played after a key that leads nowhere, before the menu again. */
  invalidPrompt?: Prompt;
  /** Played when no key was pressed, before the menu again. */
  noInputPrompt?: Prompt;
  /** What runs when the tries are used up (e.g. the operator queue). Default: nothing, `menu` returns undefined. */
  fallback?: (call: Call) => Promise<T>;
}

export interface QueueOptions {
  /** 1 (most urgent) to 5: overrides the line's priority for this wait. */
  priority?: number;
  /** Hold music, looped. Default 'hold-music.wav' (8 s, asked of Graph 20 times over in one request). */
  holdMusic?: Prompt;
  /** Offer a callback once the caller has waited this long (seconds). Default: never. */
  offerCallbackAfterSeconds?: number;
  /** The prompts of that offer (defaults: the callback-*.wav prompts). */
  callbackOffer?: CallbackOffer;
  /**
   * A taken callback keeps the caller's place: when an agent is reserved for it, the caller's number is called from
   * the dialled resource account; this many calls are placed in all (the first and the retries) before the callback
   * fails. Default 3, limit 1–10.
   */
  callbackAttempts?: number;
  /**
   * Seconds after a callback call that was not answered (no answer, busy, declined) before the next try. The reserved
   * agent is released meanwhile and the callback re-joins the queue at its original place. Default 120, limit 10–3600.
   */
  callbackRetryDelaySeconds?: number;
  /** Played to the person called back once they answer, before they are put through. Default 'callback-intro.wav'. */
  callbackIntro?: Prompt;
  /**
   * Who handles overflow, timeout and no agents. 'queue' (default): the queue's configured action is carried out
   * (another queue, voicemail, transfer, closing message) and the call ends there. 'flow': the verb returns the
   * outcome and the flow decides.
   */
  exits?: 'queue' | 'flow';
  /**
   * How the agent who takes the call is put through, overriding the queue's `connectBy` for this wait: 'transfer'
   * (Switchboard leaves the call) or 'conference' (the agent is invited into the caller's call and Switchboard stays:
   * exact talk time; docs/routing.md). Conference needs rings: a queue that offers by blind transfer ignores it.
   */
  connectBy?: 'transfer' | 'conference';
  /**
   * A post-call survey for this wait, instead of the queue's own (`survey` in flows/index.ts): when the agent leaves
   * a call put through by conference, Switchboard plays each question and takes one key (issue 24, point 5). After a
   * transfer Switchboard has left the call, so there is no survey (the timeline says `surveyNotPossible`).
   */
  survey?: PostCallSurvey;
}

/** 1 to 3 questions, each a prompt and the keys that answer it; `thanks` is played after the last answer. */
export interface PostCallSurvey {
  questions: { prompt: string; keys: Key[] }[];
  thanks?: string;
}

/** How a queue wait ended. The flow decides what happens after anything but `connected` and `abandoned`. */
export type QueueResult =
  | { outcome: 'connected'; agentId: string; waitSeconds: number }
  | { outcome: 'abandoned'; waitSeconds: number }
  /**
   * The queue was full (its maxCalls), the caller waited longer than its maxWaitSeconds, or no agent is signed in.
   * `handled`: the queue's own action was carried out (with `exits: 'queue'`, the default); otherwise the flow decides.
   */
  | { outcome: 'overflow' | 'timeout' | 'noAgents'; waitSeconds: number; handled: boolean }
  /**
   * The caller took a callback: they hung up and kept their place. Returned once the callback is over: `completed`
   * when the person called back was put through to an agent, `failed` when every try went unanswered, they hung up
   * before an agent took them, or the queue gave up on it (`reason`). `waitSeconds`: until the callback was taken.
   */
  | { outcome: 'callback'; waitSeconds: number; number: string; callback: CallbackOutcome }
  /** The queue does not exist (a flow bug that slipped past `flows validate`): recorded, never a stuck call. */
  | { outcome: 'unknownQueue'; waitSeconds: 0 };

export type TransferTarget = { user: string } | { phone: string } | { queue: string; priority?: number };

export type TransferResult =
  | { outcome: 'transferred' }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'hungUp' }
  /** A transfer to a queue waits in it: its result. */
  | { outcome: 'queued'; result: QueueResult };

export type VoicemailResult = { outcome: 'recorded' | 'empty' | 'failed' | 'hungUp'; voicemailId?: string };

export interface CallbackOffer {
  /** "Press 1 to be called back…" Played once; any other key or no key declines. */
  prompt: Prompt;
  /** Key that accepts. Default '1'. */
  acceptKey?: Key;
  /** "We'll call you back on <your number>; press 1 to confirm or 2 to enter another". */
  confirmPrompt?: Prompt;
  /** "Enter the number to call, then #". */
  enterNumberPrompt?: Prompt;
  /** Played when an entered number is not a valid E.164 phone number, before asking again. */
  invalidNumberPrompt?: Prompt;
  /** "Thank you, we'll call you back." Played before the call ends. */
  acceptedPrompt?: Prompt;
}

export interface CallbackOutcome {
  status: 'completed' | 'failed';
  /** Calls placed to the number. */
  attempts: number;
  /** The agent the person called back was put through to. */
  agentId?: string;
  /** Why it failed. */
  reason?: string;
}

export type CallbackResult =
  { accepted: true; number: string } | { accepted: false; reason: 'declined' | 'noInput' | 'hungUp' | 'invalidNumber' };

export interface ScheduleStatus {
  schedule: string;
  open: boolean;
  reason: 'hours' | 'closed' | 'holiday' | 'specialHours' | 'unknownSchedule';
  /** The holiday's or special date's name. */
  name?: string;
  /** When it next opens or closes (ISO), within 14 days. */
  nextChange?: string;
}

export interface LookupOptions<T> {
  /** Seconds before the lookup counts as failed. Default 3, limit 1–30: a caller is waiting in silence. */
  timeoutSeconds?: number;
  /** What the flow gets when the lookup fails or times out. */
  fallback: T;
}

/** Values a flow can put on the call; they land in the CDR's `data` column. */
export type CallDataValue = string | number | boolean;

/** One call, as a flow sees it. */
export interface Call {
  readonly id: string;
  /** Who is calling: a phone number (E.164) or a Teams user. */
  readonly from: { kind: 'phone' | 'user' | 'application' | 'unknown'; id: string; displayName?: string };
  /** The resource account (applicationInstance id) that was dialled. */
  readonly dialled: string | undefined;
  /** Whether the caller has hung up; verbs after that return at once with `hungUp`. */
  readonly hungUp: boolean;
  /** Language for prompt variants (e.g. 'en', 'fr'). Default 'en'. */
  language: string;
  /** The call's priority in queues: 1 (most urgent) to 5. */
  readonly priority: number;
  /** Call data set by the flow (and by lookups), as written to the CDR. */
  readonly data: Readonly<Record<string, CallDataValue>>;

  /** Answer the call (done automatically by the first verb that needs media). */
  answer(): Promise<void>;
  /** Play prompts in order and wait until they finish. */
  play(prompt: Prompt | Prompt[]): Promise<'completed' | 'failed' | 'hungUp'>;
  /** Collect DTMF digits. */
  gather(options?: GatherOptions): Promise<GatherResult>;
  /** Offer a menu of keys and run what the pressed key leads to; invalid and missing input are retried. */
  menu<T>(options: MenuOptions<T>): Promise<T | undefined>;
  /** Whether a schedule (flows/schedules.ts plus holidays added by admins) is open now. */
  isOpen(schedule: string): Promise<ScheduleStatus>;
  /** Wait in a queue with hold music until an agent takes the call or the queue gives up. */
  queue(name: string, options?: QueueOptions): Promise<QueueResult>;
  /** Play the box's greeting, record a message (beep, up to its maxSeconds, # to stop), keep it, notify the box. */
  voicemail(box: string): Promise<VoicemailResult>;
  /** Send the call to a Teams user, a phone number, or another queue. */
  transfer(to: TransferTarget): Promise<TransferResult>;
  /** Offer a callback: the caller confirms or enters a number and hangs up. */
  offerCallback(offer: CallbackOffer): Promise<CallbackResult>;
  /** A data dip (CRM, ticketing…) through the named lookup in flows/lookups.ts, run as an activity. */
  lookup<T>(name: string, input: unknown, options: LookupOptions<T>): Promise<T>;
  setPriority(priority: number): void;
  /** Label the call (e.g. 'vip', 'after-hours'); tags are in the CDR. */
  tag(...tags: string[]): void;
  set(key: string, value: CallDataValue): void;
  /** Optionally play a goodbye, then end the call. */
  hangup(prompt?: Prompt): Promise<void>;
  /**
   * Versioning: `true` for calls that started on code containing this change, `false` for calls already running
   * when it was deployed (they keep the old path). Temporal's patching; see docs/flows.md.
   */
  changed(changeId: string): boolean;
  /** After every call from before a change has ended: the old path is gone, keep the marker for replay. */
  changeDeployed(changeId: string): void;
}

/** A flow: what happens to a call from the moment it arrives. */
export type Flow = (call: Call) => Promise<void>;

export interface FlowDefinition {
  /** Shown in `switchboard flows list` and in the CDR. */
  name: string;
  description: string;
  /** The resource accounts (applicationInstance ids) that run this flow; 'default' for every other number. */
  numbers: Array<string | 'default'>;
  /**
   * The country of these lines' phone numbers (ISO 3166-1 alpha-2, e.g. 'GB'): a number a caller keys without its
   * country code (a callback number) is read there. Unset: the caller's own number's country.
   */
  country?: string;
  run: Flow;
}
