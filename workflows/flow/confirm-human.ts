import { condition } from '@temporalio/workflow';
import type { AgentAssignment } from '../../src/contracts/call.js';
import type { CallRoute } from '../../src/contracts/graph-call.js';
import { failureDetails, graph, type CallSession } from '../call-session.js';
import type { CallContext } from './context.js';

/** What the agent hears on their answered ring: "Support call. Press 1 to accept." */
export const AGENT_WHISPER_PROMPT = 'agent-whisper.wav';
/** The key that accepts the call. */
export const CONFIRM_KEY = '1';
/** Seconds an answered ring has to press the key when the assignment doesn't say (queues older than the option). */
export const DEFAULT_CONFIRM_SECONDS = 8;

/**
 * How a check of an answered ring ended. `confirmed`: the agent pressed the key (or the queue asks for none).
 * `noKey`: no key in time, so a voicemail, an answering machine or someone who did not accept. `forwarded`: Graph's
 * callRoutes say the ring reached someone else. `hungUp`: the ring ended during the check. `failed`: Graph would not
 * listen for keys on the ring (not the agent's doing).
 */
export type HumanCheckResult = 'confirmed' | 'noKey' | 'forwarded' | 'hungUp' | 'failed';

/**
 * Proof that the person rung took an offer (issue 21). In Teams an unanswered call goes to the user's voicemail after
 * about 20 s, or wherever their call-answering rules forward it, and whatever answers there makes our ring
 * `established`: an answered ring is not proof that the agent answered. So each answered ring is checked on its own
 * leg (the caller hears hold music meanwhile): a ring Graph reports forwarded is refused at once; otherwise the agent
 * hears a whisper and must press the key within `confirmSeconds`. A refused ring is hung up at once.
 */
export class HumanCheck {
  private readonly results = new Map<string, HumanCheckResult>();
  private readonly checking = new Set<string>();
  private readonly requireKey: boolean;
  private readonly confirmMs: number;

  constructor(
    private readonly ctx: CallContext,
    private readonly caller: CallSession,
    a: AgentAssignment,
  ) {
    this.requireKey = a.confirm !== 'none';
    this.confirmMs = (a.confirmSeconds ?? DEFAULT_CONFIRM_SECONDS) * 1000;
  }

  confirmed(agentId: string): boolean {
    return this.results.get(agentId) === 'confirmed';
  }

  result(agentId: string): HumanCheckResult | undefined {
    return this.results.get(agentId);
  }

  /** Whether some answered ring is still being checked. */
  get busy(): boolean {
    return this.checking.size > 0;
  }

  /** The longest a check can take once started: the confirm time, and the requests around it. */
  get maxMs(): number {
    return this.confirmMs + 30_000;
  }

  /** Check `leg` once it is answered, unless `over()` says the offer has ended first. Runs in the background. */
  watch(agentId: string, leg: CallSession, over: () => boolean): void {
    void (async () => {
      await condition(() => leg.state === 'established' || leg.terminated || over());
      if (leg.state === 'established' && !over()) await this.check(agentId, leg);
    })();
  }

  /** Check an answered ring now, and hang it up unless it was confirmed. */
  async check(agentId: string, leg: CallSession): Promise<HumanCheckResult> {
    this.checking.add(agentId);
    try {
      const result = await this.verify(agentId, leg);
      this.results.set(agentId, result);
      if (result !== 'confirmed') await leg.hangUpQuietly();
      return result;
    } finally {
      this.checking.delete(agentId);
    }
  }

  private async verify(agentId: string, leg: CallSession): Promise<HumanCheckResult> {
    const { recorder } = this.ctx;
    const route = leg.routes?.find((r) => reachedSomeoneElse(r, agentId));
    if (route) {
      // The final identity is recorded by kind; a phone number a forward went to is the agent's own data.
      recorder.event('ringForwarded', {
        agentId,
        ringCallId: leg.callId,
        routingType: route.routingType,
        finalKind: route.final.kind,
        ...(route.final.kind === 'user' ? { finalUserId: route.final.id } : {}),
      });
      return 'forwarded';
    }
    if (!this.requireKey) return 'confirmed';
    recorder.event('agentConfirming', { agentId, ringCallId: leg.callId, confirmSeconds: this.confirmMs / 1000 });
    try {
      await graph.subscribeToTone({ callId: leg.callId, clientContext: `confirm-${agentId}` });
    } catch (err) {
      recorder.event('confirmUnavailable', { agentId, ...failureDetails(err) });
      return 'failed';
    }
    const pressed = () => leg.keys.includes(CONFIRM_KEY);
    let over = false;
    // The whisper plays on the agent's leg only; a key pressed during it stops it.
    const whisper = leg.play(this.ctx.promptUris(AGENT_WHISPER_PROMPT), `whisper-${agentId}`, () => pressed() || over);
    await condition(() => pressed() || leg.terminated || this.caller.terminated, this.confirmMs);
    over = true;
    await whisper;
    if (pressed()) {
      recorder.event('agentConfirmed', { agentId, ringCallId: leg.callId });
      return 'confirmed';
    }
    const result = leg.terminated ? 'hungUp' : 'noKey';
    if (!this.caller.terminated) recorder.event('agentNotConfirmed', { agentId, ringCallId: leg.callId, result });
    return result;
  }
}

/** A route that took our ring to anyone but the agent: a forward, or a final identity that is another user. */
function reachedSomeoneElse(route: CallRoute, agentId: string): boolean {
  if (route.routingType === 'forwarded') return true;
  return route.final.kind === 'user' && route.final.id !== agentId;
}
