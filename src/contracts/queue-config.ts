/**
 * Queue definitions as the routing engine uses them. Plain data and pure helpers only: workflows import this, so
 * nothing here may touch I/O or clocks. Validation (zod) lives in src/routing/validate.ts, outside the workflow bundle.
 */

export const ROUTING_METHODS = ['attendant', 'serial', 'roundRobin', 'longestIdle', 'skills'] as const;
export type RoutingMethod = (typeof ROUTING_METHODS)[number];

/** What happens to a caller the queue can't keep: on overflow, on timeout, or when no agent is there. */
export type QueueAction =
  | { type: 'disconnect'; prompt?: string }
  /** Voicemail is recorded as the outcome; taking the message is the voicemail issue's work. */
  | { type: 'voicemail'; mailbox?: string }
  | { type: 'queue'; queue: string }
  | { type: 'transfer'; userId: string }
  | { type: 'transfer'; phone: string };

export type Skills = Record<string, number>;

/**
 * How an offer reaches the agent. `ring` (default): Switchboard calls the agent (an outbound call from the bot) for
 * exactly the alert time and, when they answer, transfers the caller onto that call (a consultative transfer), so
 * an unanswered ring ends on our clock and `attendant` can ring many agents at once. `transfer`: a blind transfer
 * of the caller to the agent, one Graph request fewer, but the agent's phone rings until Graph gives up (the alert
 * time can't be enforced) and only one agent can be offered a call at a time.
 */
export const OFFER_MODES = ['ring', 'transfer'] as const;
export type OfferMode = (typeof OFFER_MODES)[number];

/**
 * How an agent who took an offer is put through (issue 24). `transfer` (default): the caller is transferred onto the
 * agent's answered ring and Switchboard leaves the call. `conference`: the agent's ring is moved into the caller's
 * call by participants/invite (replacesCallId), the call becomes a group call and Switchboard stays in it, so talk
 * time and the end come from roster notifications. Needs `offerBy: 'ring'` and Calls.InitiateGroupCall.All.
 * docs/routing.md compares their cost.
 */
export const CONNECT_MODES = ['transfer', 'conference'] as const;
export type ConnectMode = (typeof CONNECT_MODES)[number];

/** The keys of a phone keypad: what a survey question may accept. */
export const SURVEY_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type SurveyKey = (typeof SURVEY_KEYS)[number];

/** One survey question: a prompt (a WAV under flows/prompts/) and the keys that answer it ("1" to "5"). */
export interface SurveyQuestion {
  prompt: string;
  keys: SurveyKey[];
}

/**
 * The post-call survey (issue 24, point 5): when the agent leaves a call put through by conference, Switchboard (still
 * in the call) plays each question and takes one key. 1 to 3 questions. `thanks` is played after the last answer.
 * Only possible with `connectBy: 'conference'`: after a transfer Switchboard is no longer in the call.
 */
export interface SurveyConfig {
  questions: SurveyQuestion[];
  thanks?: string;
}

export const CONFIRM_MODES = ['key', 'none'] as const;
export type ConfirmMode = (typeof CONFIRM_MODES)[number];

export interface QueueConfig {
  name: string;
  /** Teams user ids (Entra object ids), in offer order for serial, round robin and attendant. */
  agents: string[];
  /** Per agent, skill → level (1–5); used by the skills method. */
  agentSkills: Record<string, Skills>;
  method: RoutingMethod;
  /** The skills method offers only agents with at least these levels. */
  requiredSkills: Skills;
  /** How long an agent's phone rings for one offer (15–180 s). */
  alertSeconds: number;
  /** How offers reach agents; `attendant` needs `ring`. Absent in configs written before it existed: `ring`. */
  offerBy?: OfferMode;
  /**
   * How a ring that was answered proves a person took it (`ring` offers). `key` (default): the agent hears a whisper
   * and must press 1 within `confirmSeconds`; Teams' voicemail or a forward answers rings too. `none`: any answer.
   * Absent in configs written before it existed: `key`.
   */
  confirm?: ConfirmMode;
  /** Seconds an answered ring has to press the key (3–30, default 8); no key hangs the ring up as a miss. */
  confirmSeconds?: number;
  /** How the agent who answered is put through: `transfer` (absent: configs older than the option) or `conference`. */
  connectBy?: ConnectMode;
  /** A post-call survey, played when the agent leaves (needs `connectBy: 'conference'`). Absent: none. */
  survey?: SurveyConfig;
  wrapUpSeconds: number;
  /** After an agent declines or misses a call, seconds before that same call is offered to them again. */
  reofferAfterSeconds: number;
  /** Missed offers in a row after which an agent is paused (away). */
  missesBeforeAway: number;
  maxCalls: number;
  overflowAction: QueueAction;
  maxWaitSeconds: number;
  timeoutAction: QueueAction;
  noAgentsAction: QueueAction;
  /** When on, only agents whose Teams presence is Available are offered calls (and Busy ones if offerToBusy). */
  presenceBased: boolean;
  offerToBusy: boolean;
  serviceLevelSeconds: number;
  /**
   * A caller who hangs up within this many seconds of entering the queue is a short abandon: counted apart, not in
   * abandonment or service level (docs/metrics.md). Absent in configs written before it existed: 5.
   */
  shortAbandonSeconds?: number;
  /**
   * The share of calls, in whole percent (1–99), to be answered within `serviceLevelSeconds`: the goal the Erlang C
   * staffing panel plans agents for (docs/metrics.md). Absent: DEFAULT_SERVICE_LEVEL_TARGET.
   */
  serviceLevelTarget?: number;
  /** Every this many seconds the caller hears position and estimated wait; 0 turns it off. */
  announceEverySeconds: number;
  /**
   * The wrap-up codes agents may give this queue's calls (issue 23), by name from the admin's list; only active ones
   * are offered. Absent: every active code.
   */
  wrapUpCodes?: string[];
}

export const DEFAULT_QUEUE: Omit<QueueConfig, 'name' | 'agents' | 'agentSkills'> = {
  method: 'longestIdle',
  requiredSkills: {},
  alertSeconds: 30,
  offerBy: 'ring',
  confirm: 'key',
  confirmSeconds: 8,
  wrapUpSeconds: 10,
  reofferAfterSeconds: 30,
  missesBeforeAway: 3,
  maxCalls: 50,
  overflowAction: { type: 'disconnect' },
  maxWaitSeconds: 1200,
  timeoutAction: { type: 'disconnect' },
  noAgentsAction: { type: 'disconnect' },
  presenceBased: true,
  offerToBusy: false,
  serviceLevelSeconds: 30,
  shortAbandonSeconds: 5,
  announceEverySeconds: 0,
};

/**
 * A queue's service-level target when its definition gives none: 80 % (the usual "80/20" goal). Not in DEFAULT_QUEUE,
 * so queue definitions that leave it out (and the workflows' inputs) stay as they were.
 */
export const DEFAULT_SERVICE_LEVEL_TARGET = 80;

/** Priority 1 (most urgent) to 5, as in Teams call queues; 3 unless a line says otherwise. */
export const DEFAULT_PRIORITY = 3;
