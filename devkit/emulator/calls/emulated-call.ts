/** One call as Graph holds it: its state, its parties, its media operations and its transfer. */
import { randomUUID } from 'node:crypto';
import type { WavInfo } from '../../../src/media/wav.js';
import type { MediaRef } from '../validation/common.js';
import type { RecordRequest } from '../validation/media-operations.js';
import type {
  CallHistoryEntry,
  CallerScript,
  DigitPress,
  EmulatedCallState,
  OperationView,
  Quirks,
  RecordingScript,
  ResultInfo,
  TransferView,
} from '../types.js';

export interface Recording {
  id: string;
  callId: string;
  token: string;
  /** What GET {recordingLocation} serves (as application/octet-stream, call-record.md): WAV unless the party's
   * script names another format. */
  audio: Buffer;
}

export interface PromptOperation {
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

export interface CancelOperation {
  id: string;
  type: 'cancelMediaProcessing' | 'subscribeToTone' | 'invite' | 'muteParticipant';
  resultInfo?: ResultInfo;
  clientContext?: string;
  status: OperationView['status'];
}

/** The 200 answer to an action that starts an operation: the operation, and its Location. */
export interface OperationStarted {
  body: Record<string, unknown>;
  location: string;
}

/** A participant of a group call (conference.ts). */
export interface RosterEntry {
  /** participant.id */
  id: string;
  role: 'caller' | 'bot' | 'agent';
  identity: Record<string, unknown>;
  /** A Teams user's id (an agent, a supervisor). */
  userId?: string;
  muted: boolean;
  joinedAt: string;
  leftAt?: string;
  /** Prompts this participant heard played in full (every participant hears the call's prompts). */
  promptsHeard: number;
}

export interface TransferState {
  view: TransferView;
  agentKey: string;
  consultative: boolean;
}

export class EmulatedCall {
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
  /** Ends the call unless a keepAlive comes first (call-keepalive.md). */
  keepAliveTimer?: NodeJS.Timeout;
  transfer?: TransferState;
  direction: 'incoming' | 'outgoing' = 'incoming';
  /** The other party's script: the caller (inbound) or the callee (outbound). */
  /** `spokenMs`: how much of the party's speech recordings have already taken (one message, several segments). */
  party: { digits?: DigitPress[]; speechMs?: number; spokenMs?: number; recording?: RecordingScript } = {};
  toneSubscribed = false;
  toneSequence = 0;
  redirected = false;
  answeredBy?: Record<string, unknown>;
  /** How Graph retargeted the call (`callRoutes`): a ring the callee's call forwarding sent elsewhere. */
  callRoutes: Record<string, unknown>[] = [];
  /** Runs when a playPrompt on this call has played (a person who answered reacts to what they heard). */
  onPromptPlayed?: () => void;
  /** Set once an invite made this a group call (conference.ts): who is, and was, in it. */
  roster?: RosterEntry[];
  /** Agents on this call through invite or redirect (presence Busy/InACall). */
  readonly agentsOnCall = new Set<string>();
  quirks: Quirks = {};

  constructor(
    readonly script: CallerScript,
    readonly source: Record<string, unknown>,
    readonly targets: Record<string, unknown>[],
  ) {
    this.party = {
      ...(script.digits ? { digits: script.digits } : {}),
      ...(script.speechMs !== undefined ? { speechMs: script.speechMs } : {}),
      ...(script.recording ? { recording: script.recording } : {}),
    };
  }

  get resourceUrl(): string {
    return `/communications/calls/${this.id}`;
  }
}
