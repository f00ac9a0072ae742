/**
 * A Teams user's own call handling, for rings from the bot to an agent: Teams' voicemail picks up a ring still
 * unanswered after about 20 s, and call forwarding sends rings to a number or another user. Whatever answers there
 * makes the ring `established` as the agent answering would (/work/shared/reference/graph-calling.md, "Teams users'
 * own call handling"); a forward also shows in the call's `callRoutes` (api-reference/v1.0/resources/call.md:
 * "The routing information on how the call was retargeted"; callroute.md: `routingType` forwarded, `original` the
 * identity called, `final` the one it resolved to).
 */
import type { AgentScript } from '../types.js';
import type { ParticipantTarget } from '../validation/common.js';
import type { EmulatedCall } from './emulated-call.js';
import type { CallLifecycle } from './lifecycle.js';
import type { CallRegistry } from './registry.js';
import { RESULT } from './results.js';
import type { RingOutcome, Ringing } from './ringing.js';
import { AGENT_SILENCE_HANGUP_MS, TRANSFER_ALERT_TIMEOUT_MS } from './timing.js';
import type { Tones } from './tones.js';

/** Teams' voicemail timer when the agent's rules don't say (Teams' own default is about 20 seconds). */
export const DEFAULT_VOICEMAIL_AFTER_MS = 20_000;
/** How long a person takes to press the key once the whisper has played (human time: not scaled). */
export const WHISPER_REACTION_MS = 400;
/** The key a person who accepts presses at Switchboard's whisper. */
export const WHISPER_KEY = '1';
/** A voicemail that answered hangs up after the longest message it takes (not scaled). */
const VOICEMAIL_MAX_MS = AGENT_SILENCE_HANGUP_MS;

/** Who takes a ring instead of the agent, and when (ms after the ring starts). */
export type Redirection =
  { by: 'voicemail'; afterMs: number } | { by: 'forward'; afterMs: number; to: { phone: string } | { userId: string } };

export class AnsweringRules {
  constructor(
    private readonly calls: CallRegistry,
    private readonly lifecycle: CallLifecycle,
    private readonly tones: Tones,
    private readonly ringing: Ringing,
  ) {}

  /**
   * Whether the agent's rules take this ring before the agent's own answer (or Graph's ring timeout) would: an
   * immediate forward, or an unanswered-call forward or voicemail whose time comes first.
   */
  redirection(script: Required<AgentScript>, ring: RingOutcome): Redirection | undefined {
    const rules = script.callAnswering;
    const forward = rules.forward;
    if (forward && !forward.afterMs) return { by: 'forward', afterMs: 0, to: forward.to };
    // When the ring would end by itself: the agent answers, or nobody does until Graph gives up (÷ mediaSpeed).
    const endsAt =
      ring.outcome === 'answer'
        ? ring.afterMs
        : ring.outcome === 'never'
          ? this.calls.scaled(TRANSFER_ALERT_TIMEOUT_MS)
          : undefined;
    if (endsAt === undefined) return undefined; // declined, busy or unreachable: Graph ends the ring at once
    if (forward?.afterMs !== undefined && forward.afterMs < endsAt)
      return { by: 'forward', afterMs: forward.afterMs, to: forward.to };
    const voicemail = rules.voicemailAfterMs === undefined ? DEFAULT_VOICEMAIL_AFTER_MS : rules.voicemailAfterMs;
    if (voicemail !== null && voicemail < endsAt) return { by: 'voicemail', afterMs: voicemail };
    return undefined;
  }

  /** The ring to `agentId` is taken as `r` says: the voicemail or the forward target answers (or doesn't). */
  carryOut(call: EmulatedCall, agentId: string, r: Redirection): void {
    this.calls.after(call, r.afterMs, () => {
      if (call.state !== 'establishing') return;
      if (r.by === 'voicemail') {
        this.calls.log(call, 'caller', `${agentId}'s voicemail answers`);
        this.lifecycle.establish(call);
        call.hangUpTimer = setTimeout(() => this.lifecycle.callerHangsUp(call), VOICEMAIL_MAX_MS);
        return;
      }
      const target: ParticipantTarget = 'phone' in r.to ? { phone: r.to.phone } : { userId: r.to.userId };
      const key = 'phone' in r.to ? r.to.phone : r.to.userId;
      this.calls.log(call, 'caller', `${agentId}'s call forwarding sends the ring to ${key}`);
      // The forward target answers by their own script (an agent's transfer script, or a callee script).
      const theirs = this.ringing.ringOutcome(key);
      if (theirs.outcome !== 'answer') {
        this.calls.after(call, this.calls.scaled(TRANSFER_ALERT_TIMEOUT_MS), () => {
          if (call.state !== 'establishing') return;
          this.calls.log(call, 'caller', `${key} does not answer the forwarded ring`);
          this.lifecycle.terminate(call, RESULT.calleeNoAnswer);
        });
        return;
      }
      this.calls.after(call, theirs.afterMs, () => {
        if (call.state !== 'establishing') return;
        this.calls.log(call, 'caller', `${key} answers the forwarded ring`);
        call.callRoutes = [
          {
            '@odata.type': '#microsoft.graph.callRoute',
            routingType: 'forwarded',
            original: this.ringing.participantIdentity({ userId: agentId }),
            final: this.ringing.participantIdentity(target),
          },
        ];
        this.lifecycle.establish(call, { callRoutes: call.callRoutes });
        // Another Teams user who accepts rings presses the key at a whisper, as an agent would.
        const person = this.ringing.callee(key);
        if (!person && 'userId' in r.to) this.pressAtWhisper(call, this.calls.deps.agents.script(r.to.userId));
        else this.tones.scheduleDigits(call, person?.digits);
        call.hangUpTimer = setTimeout(
          () => this.lifecycle.callerHangsUp(call),
          person?.hangUpAfterMs ?? AGENT_SILENCE_HANGUP_MS,
        );
      });
    });
  }

  /** A person who answered presses 1 once a prompt has played on their call (the whisper), unless they never do. */
  pressAtWhisper(call: EmulatedCall, script: Required<AgentScript>): void {
    if (script.onWhisper === 'never') return;
    call.onPromptPlayed = () => {
      call.onPromptPlayed = undefined;
      this.calls.after(call, WHISPER_REACTION_MS, () => this.tones.pressKey(call, WHISPER_KEY));
    };
  }
}
