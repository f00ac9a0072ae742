import type { EventEmitter } from 'node:events';
import type pino from 'pino';

export interface EmulatorOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  tenantId: string;
  /** The bot's app id. */
  clientId: string;
  clientSecret: string;
  /** The bot's registered calling webhook, where incoming-call notifications go. */
  botCallingUrl: string;
  /** Speed factor for the emulator's own durations: prompt playback, the ~30 s transfer alert timeout,
   * the short gaps between state changes. Default 1 (10 = ten times faster). Script times
   * (hangUpAfterMs, answerAfterMs, talkMs) are wall-clock and not scaled. */
  mediaSpeed?: number;
  /** How long the bot has to answer an incoming call. Default 15000 ms (the documented deadline); not scaled. */
  answerTimeoutMs?: number;
  /** Reproduce literal quirks of Microsoft's doc examples in notifications: resultInfo `code`/`subcode`
   * as strings on the terminated-after-DELETE notification and `subCode` on a failed transfer.
   * Default false: notifications follow the resultInfo schema (integers, `subcode`). */
  docQuirks?: boolean;
  /** Display name of the bot in incoming-call targets. Default "Switchboard". */
  botDisplayName?: string;
  /** Real-world notification quirks for every call (a CallerScript's `quirks` override per call). Default none. */
  quirks?: Quirks;
  /** A call that gets no POST …/keepAlive for this long ends with 408/8537 (call-keepalive.md: 45 minutes, counted
   * from the call's start or its last keepAlive). Default 2700000 ms; not scaled. Tests shorten it. */
  keepAliveWindowMs?: number;
  /** How long after its call ended a recording stays downloadable. Default 60000 ms; not scaled. */
  recordingRetentionMs?: number;
  /** Append every Graph request (method, path, body, status, headers of note) as one JSON line to this file.
   * Default: the SWITCHBOARD_GRAPH_REQUEST_LOG environment variable, if set. */
  requestLogFile?: string;
  /** Re-POST a notification that got no 2xx (an error status, no answer, a timeout), up to `attempts` more times,
   * `delayMs` apart, still in order per call. Microsoft documents retries for change-notification webhooks, not for
   * calling callbacks, so this is off by default; it lets tests model an at-least-once deliverer. */
  redelivery?: { attempts: number; delayMs: number };
  /** The tenant's users (Entra object ids): sendActivityNotification to anyone else is 404. Default: every id exists. */
  users?: string[];
  /** The application permissions the app was granted, which its tokens carry as `roles`; a request whose API needs
   * another is refused 403 as Graph refuses it (permissions.ts). Default: all Switchboard uses (DEFAULT_APP_ROLES). */
  appRoles?: string[];
  logger?: pino.Logger;
}

/** Quirks of real Graph notifications the app must survive (see issue 3, point 2). */
export interface Quirks {
  /** Deliver `established` before `establishing`. */
  establishedBeforeEstablishing?: boolean;
  /** Deliver every notification this many times (>= 2 to duplicate). */
  duplicates?: number;
  /** resultInfo `code`/`subcode` as strings. */
  stringCodes?: boolean;
  /** resultInfo `subCode` instead of `subcode`. */
  subCodeSpelling?: boolean;
  /** `resourceData` as a one-element array. */
  resourceDataArray?: boolean;
  /** PascalCase enum values: changeType, state, status, completionReason, direction. */
  pascalCaseEnums?: boolean;
  /** Send a recordOperation's `completionReason` (initialSilenceTimeout, maxSilenceTimeout, stopToneDetected…). v1.0's
   * recordOperation resource has no such property (resources/recordoperation.md), so by default it is left out; the
   * beta schema has it, and v1.0's own call-cancelmediaprocessing.md example shows one. */
  recordCompletionReason?: boolean;
}

export const ALL_QUIRKS: Required<Quirks> = {
  establishedBeforeEstablishing: true,
  duplicates: 2,
  stringCodes: true,
  subCodeSpelling: true,
  resourceDataArray: true,
  pascalCaseEnums: true,
  recordCompletionReason: true,
};

/** Keys pressed on the dial pad `atMs` after dialling (inbound) or answering (outbound): 0-9, *, #, A-D. */
export interface DigitPress {
  atMs: number;
  keys: string;
}

/** Someone the bot calls (outbound): keyed by Teams user id or E.164 number. */
export interface CalleeScript {
  /** Default answer. `unreachable`: Graph finds no endpoint to ring (signed out everywhere): 480/10076. */
  onCall?: 'answer' | 'never' | 'busy' | 'unreachable';
  /** Ring time before answering (or before a busy reject). Default 1000 ms. */
  answerAfterMs?: number;
  /** Hang up this long after answering. Undefined = never. */
  hangUpAfterMs?: number;
  digits?: DigitPress[];
  /** How long the callee speaks when recorded (recordResponse). Default 0: silence. */
  speechMs?: number;
}

export type CallerIdentity = { user: { id: string; displayName?: string } } | { phone: string };

export interface CallerScript {
  from: CallerIdentity;
  /** Call a resource account (application instance) instead of the bot's app directly. */
  applicationInstanceId?: string;
  /** The caller hangs up this long after dialling. Undefined = never hangs up. */
  hangUpAfterMs?: number;
  /** Deliver the incoming-call notification this many times at once, as Graph sometimes does. Default 1. */
  incomingCopies?: number;
  /** Dial-pad presses, `atMs` after dialling. They reach the bot as toneInfo only after subscribeToTone,
   * and end a recordResponse whose stopTones contain them. */
  digits?: DigitPress[];
  /** How long the caller speaks when recorded (recordResponse). Default 0: silence. */
  speechMs?: number;
  /** What a recording of this caller holds. Default: WAV with a voice-like tone. */
  recording?: RecordingScript;
  /** Notification quirks for this call; overrides the emulator-wide `quirks`. */
  quirks?: Quirks;
}

/**
 * The audio a recordResponse download serves. Graph documents it only as application/octet-stream (call-record.md),
 * so a recording may come as any of these (devkit/media/compressed-audio.ts makes them).
 */
export interface RecordingScript {
  /** Default 'wav'. */
  format?: 'wav' | 'mp3' | 'ogg-opus' | 'wma' | 'm4a';
  /** Loudness of the speech in a WAV recording, 0..1 of full scale; 0 = line silence. Default 0.3. */
  level?: number;
}

export interface PresenceStep {
  /** Milliseconds after the script was set. */
  atMs: number;
  availability: string;
  activity: string;
}

export interface AgentScript {
  onTransfer: 'accept' | 'decline' | 'ignore';
  /** Presence over time (getPresencesByUserId). Before the first step, and with none, Available/Available.
   * While on a call the agent shows Busy/InACall regardless. */
  presence?: PresenceStep[];
  /** Ring time before accepting or declining. Default 1000 ms. */
  answerAfterMs?: number;
  /** How long the agent talks to the caller after accepting. Default 30000 ms. */
  talkMs?: number;
  /**
   * What the agent does when the bot plays a prompt on a ring they answered (Switchboard's whisper, "press 1 to
   * accept"): `press` (default) presses 1 once it has played; `never`: answers but never presses a key.
   */
  onWhisper?: 'press' | 'never';
  /** Teams' call-answering rules for rings from the bot (createCall) to this agent. */
  callAnswering?: CallAnsweringRules;
}

/**
 * A Teams user's call-answering rules: an unanswered call goes to their voicemail (Teams' default: after about
 * 20 s) or is forwarded to a number or another user. Whatever answers there makes the ring `established`, as the
 * agent answering would; a forward also shows in the call's `callRoutes` (call.md, callroute.md: routingType
 * `forwarded`, `original` the agent, `final` the forward target).
 */
export interface CallAnsweringRules {
  /** Voicemail answers a ring still unanswered after this long. Default 20000 ms; null: no voicemail. Not scaled. */
  voicemailAfterMs?: number | null;
  /** Forward rings to a number (E.164) or another Teams user: at once (afterMs 0, default), or when unanswered. */
  forward?: { to: { phone: string } | { userId: string }; afterMs?: number };
}

export type EmulatedCallState =
  'incoming' | 'establishing' | 'established' | 'transferring' | 'transferAccepted' | 'terminating' | 'terminated';

export interface ResultInfo {
  code: number;
  subcode: number;
  message: string;
}

export type StepKind = 'request' | 'notification' | 'caller' | 'agent' | 'media' | 'call';

export interface StepEvent {
  callId: string;
  /** ISO timestamp. */
  at: string;
  kind: StepKind;
  /** One human-readable line, e.g. "POST /answer -> 202" or "-> established (200)". */
  detail: string;
}

export interface RecordedRequest {
  at: string;
  method: string;
  /** Path with query, e.g. /v1.0/communications/calls/{id}/answer. */
  path: string;
  body: unknown;
  status: number;
  /** Carried out, and its response dropped (a `noResponse` fault): the app never learnt the status. */
  responseLost?: true;
  callId?: string;
  clientRequestId?: string;
}

export interface NotificationRecord {
  at: string;
  url: string;
  messageId: string;
  changeType: string;
  resourceUrl: string;
  /** The call state, or the operation status for operation notifications. */
  summary: string;
  body: unknown;
  /** HTTP status the receiver answered; undefined when delivery failed without a response. */
  status?: number;
  error?: string;
  /** Delivery attempts made (more than 1 only with `redelivery`). */
  attempts?: number;
}

export type CallHistoryEntry =
  | ({ kind: 'request' } & RecordedRequest)
  | ({ kind: 'notification' } & NotificationRecord)
  | { kind: 'caller' | 'agent' | 'media' | 'call'; at: string; detail: string };

export interface OperationView {
  id: string;
  type: 'playPrompt' | 'recordResponse' | 'cancelMediaProcessing' | 'subscribeToTone' | 'invite' | 'muteParticipant';
  clientContext?: string;
  status: 'notStarted' | 'running' | 'completed' | 'failed';
  completionReason?: string;
  resultInfo?: ResultInfo;
  prompts?: string[];
  recordingLocation?: string;
}

export interface TransferView {
  target: { userId?: string; phone?: string };
  /** `failed`: a consultative transfer whose call to replace was not an established call to the target. */
  outcome: 'pending' | 'accepted' | 'declined' | 'noAnswer' | 'busy' | 'failed';
  /** While the caller talks to the agent after an accepted transfer. */
  conversation?: { startedAt: string; endedAt?: string; endedBy?: 'agent' | 'caller' | 'emulatorStop' };
}

export interface EmulatedCallView {
  id: string;
  callChainId: string;
  state: EmulatedCallState;
  direction: 'incoming' | 'outgoing';
  source: unknown;
  targets: unknown[];
  callbackUri?: string;
  createdAt: string;
  endedAt?: string;
  resultInfo?: ResultInfo;
  /** Set when Graph ends the call with a reason instead of a resultInfo (a consultative transfer: AppTransferred). */
  terminationReason?: string;
  operations: OperationView[];
  transfer?: TransferView;
  /** Once an invite made it a group call: everyone who was in it, with when they joined and left (issue 24). */
  participants?: ParticipantView[];
  history: CallHistoryEntry[];
}

/** A group call's participant as tests see it (devkit/emulator/calls/conference.ts). */
export interface ParticipantView {
  id: string;
  role: 'caller' | 'bot' | 'agent';
  userId?: string;
  muted: boolean;
  joinedAt: string;
  leftAt?: string;
  /** Prompts played in the call while they were in it: every participant hears them. */
  promptsHeard: number;
}

export interface AgentView {
  userId: string;
  script: Required<AgentScript>;
  /** True while talking to a transferred caller. */
  busy: boolean;
  callId?: string;
  busySince?: string;
  /** Current presence, as getPresencesByUserId reports it. */
  availability: string;
  activity: string;
}

export interface Emulator {
  url: string;
  graphBaseUrl: string;
  /** The OpenID configuration document MSAL uses as authority metadata. */
  authorityMetadataUrl: string;
  /** Where it publishes the keys it signs calling notifications with (Microsoft's is on api.aps.skype.com). */
  callingOpenIdUrl: string;
  /** Emits 'step' (StepEvent) for every request and notification. */
  events: EventEmitter;
  placeCall(script: CallerScript): Promise<{ callId: string }>;
  /** Make matching Graph requests fail (429/5xx/404) a number of times. */
  injectFault(fault: import('./faults.js').Fault): void;
  clearFaults(): void;
  setAgent(userId: string, script: AgentScript): void;
  /** Script someone the bot calls (outbound POST /communications/calls), by user id or E.164 number. */
  setCallee(id: string, script: CalleeScript): void;
  getAgent(userId: string): AgentView;
  getCall(callId: string): EmulatedCallView | undefined;
  /**
   * The caller hangs up now, as CallerScript.hangUpAfterMs does on a timer: for a test that hangs up at a point of the
   * call (in the same tick as it saw that point) rather than at a wall-clock time a loaded machine may not keep.
   */
  callerHangsUp(callId: string): void;
  /**
   * An agent in a group call hangs up now, as AgentScript.talkMs does on a timer: for a test that ends the talk once
   * it has seen what it waits for (a fault landed mid-conference) rather than after a wall-clock talk time.
   */
  agentHangsUp(callId: string, userId: string): void;
  /**
   * The caller presses keys now, as CallerScript.digits does on a timer: for a test that answers a prompt once it
   * has seen it start (a post-call survey's question) rather than at a wall-clock time.
   */
  callerPresses(callId: string, keys: string): void;
  /** Every Graph request received (under /v1.0). */
  requests: RecordedRequest[];
  /** Every request to the token endpoint. */
  tokenRequests: RecordedRequest[];
  /** Every download of a recording (GET {recordingLocation}), with the status it was answered. */
  recordingDownloads: RecordedRequest[];
  /** Every Teams activity feed notification accepted (POST /users/{id}/teamwork/sendActivityNotification, 204). */
  activityNotifications: import('./activity-feed.js').ActivityNotificationRecord[];
  /** The WAV a recording's recordingLocation serves, as recorded (undefined once discarded or unknown). */
  recordingBytes(recordingLocation: string): Buffer | undefined;
  stop(): Promise<void>;
}
