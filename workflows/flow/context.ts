import type { AgentAssignment, CallOutcome } from '../../src/contracts/call.js';
import type { IncomingCall } from '../../src/contracts/graph-call.js';
import type { CallSession } from '../call-session.js';
import type { CallRecorder } from '../call-recorder.js';
import type { Call, CallbackOutcome, GatherOptions, GatherResult, Prompt, QueueOptions } from './api.js';
import type { OfferResult } from './reservation.js';

/**
 * What a verb works on: the call's state and timeline, its prompts, and the other verbs. Every verb file takes this
 * and nothing of another verb's file; the runtime (runtime.ts) is the one that knows them all and wires them here,
 * so a verb that needs another (a menu plays, a queue transfers) asks through `call` or `steps`.
 */
export interface CallContext {
  readonly callId: string;
  readonly incoming: IncomingCall;
  readonly from: Call['from'];
  /** The call's priority in queues, as the flow last set it. */
  readonly priority: number;
  readonly session: CallSession;
  readonly recorder: CallRecorder;
  /** Set by the verb that decided how the call ended; the workflow falls back to what the session says. */
  outcome?: CallOutcome;
  /** Set by the queue verb: the last queue gave the caller up (timeout, overflow, no agents); cleared on entering one. */
  queueGaveUp: boolean;
  /** Set by the answer verb when it first runs: a call is answered once, whichever verb comes first. */
  answered: boolean;
  /** Our webhook, where Graph sends this call's notifications (and those of calls it places: rings, a callback). */
  readonly callbackUri: string;
  /** PHONE_REGION, from the workflow's input: where keyed numbers are read when the line's flow names no country. */
  readonly phoneRegion: string | undefined;

  promptUri(file: string): string;
  /** A prompt's file for the call's language: the variant in that language, else the first listed. */
  promptFile(prompt: Prompt): string;
  promptUris(prompts: Prompt | Prompt[]): string[];

  /** Records a verb on the timeline (`verb:<name>` with its arguments, `verb:<name>:done` with its result) around `run`. */
  verb<T>(name: string, args: unknown, run: () => Promise<T>): Promise<T>;

  /**
   * The call as the flow sees it. A verb used through it is answered first and recorded, as if the flow had used it:
   * a queue's exit that transfers, a menu's sub-flow.
   */
  readonly call: Call;
  /** Work of one verb that another does as part of its own, with no timeline entry of its own. */
  readonly steps: VerbSteps;
}

export interface VerbSteps {
  /** Collect keys (gather.ts): a menu's choice, the callback offer's answers. */
  gather(options: GatherOptions): Promise<GatherResult>;
  /** Offer the caller, or a person called back, to the agent(s) a queue reserved (offer.ts). */
  offerToAgents(
    target: CallSession,
    assignment: AgentAssignment,
    hold: { music: string[]; playing?: string },
  ): Promise<OfferResult>;
  /** In a queue: offer a callback (offer-callback.ts); the number to call back, or undefined when the caller stays. */
  takeCallback(queue: string, options: QueueOptions): Promise<{ number: string } | undefined>;
  /** After a callback was taken: keep the caller's place in the queue and call them back (callback.ts). */
  keepPlaceForCallback(place: CallbackPlace, options: QueueOptions): Promise<CallbackOutcome>;
}

/** Where a callback waits: the queue, the place the caller had in it, and the number to call. */
export interface CallbackPlace {
  queue: string;
  queuedAtMs: number;
  priority: number;
  number: string;
  waitSeconds: number;
}
