/** Calls from the bot (POST /communications/calls): it rings a Teams user or, from a resource account, a phone. */
import { GraphHttpError } from '../graph-error.js';
import { stripUndefined } from '../json.js';
import type { CallerScript } from '../types.js';
import type { CreateCallRequest } from '../validation/outbound.js';
import { AnsweringRules } from './answering-rules.js';
import { callResource } from './call-resource.js';
import { EmulatedCall } from './emulated-call.js';
import type { CallLifecycle } from './lifecycle.js';
import type { MediaOperations } from './media-operations.js';
import type { CallRegistry } from './registry.js';
import { RESULT } from './results.js';
import type { RingOutcome, Ringing } from './ringing.js';
import { AGENT_SILENCE_HANGUP_MS, TRANSFER_ALERT_TIMEOUT_MS } from './timing.js';
import type { Tones } from './tones.js';

export class OutboundCalls {
  /** Agents' own call handling: their voicemail, their call forwarding, and the key they press at a whisper. */
  private readonly answering: AnsweringRules;

  constructor(
    private readonly calls: CallRegistry,
    private readonly lifecycle: CallLifecycle,
    private readonly media: MediaOperations,
    private readonly tones: Tones,
    private readonly ringing: Ringing,
  ) {
    this.answering = new AnsweringRules(calls, lifecycle, tones, ringing);
  }

  /** POST /communications/calls: an outgoing peer-to-peer call to a Teams user or (from a resource account) a phone. */
  createCall(req: CreateCallRequest): Record<string, unknown> {
    const { tenantId, clientId, botDisplayName } = this.calls.options;
    if (req.tenantId && req.tenantId !== tenantId)
      throw new GraphHttpError(403, 'Forbidden', `Tenant ${req.tenantId} is not the app's tenant.`);
    const target = req.targets[0]!;
    const key = 'phone' in target ? target.phone : target.userId;
    const callee = this.ringing.callee(key);
    const sourceIdentity = req.source?.applicationInstanceId
      ? {
          '@odata.type': '#microsoft.graph.identitySet',
          applicationInstance: stripUndefined({
            '@odata.type': '#microsoft.graph.identity',
            id: req.source.applicationInstanceId,
            displayName: req.source.displayName,
            tenantId,
          }),
        }
      : {
          '@odata.type': '#microsoft.graph.identitySet',
          application: { '@odata.type': '#microsoft.graph.identity', id: clientId, displayName: botDisplayName },
        };
    const source = {
      '@odata.type': '#microsoft.graph.participantInfo',
      identity: sourceIdentity,
      endpointType: null,
      region: null,
      languageId: null,
    };
    const script: CallerScript =
      'phone' in target ? { from: { phone: target.phone } } : { from: { user: { id: target.userId } } };
    const call = new EmulatedCall(script, source, [
      {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: this.ringing.participantIdentity(target),
        endpointType: null,
        replacesCallId: null,
      },
    ]);
    call.direction = 'outgoing';
    call.quirks = { ...this.calls.options.quirks };
    call.party = {
      ...(callee?.digits ? { digits: callee.digits } : {}),
      ...(callee?.speechMs !== undefined ? { speechMs: callee.speechMs } : {}),
    };
    call.callbackUri = req.callbackUri;
    call.answered = true;
    call.preFetchMedia = req.preFetchMedia;
    // A failed prefetch is tried again when the prompt plays: nothing waits for it here.
    for (const m of req.preFetchMedia) void this.media.prefetch(call, m);
    call.state = 'establishing';
    this.calls.add(call);
    this.lifecycle.armKeepAlive(call);
    this.calls.log(call, 'call', `bot calls ${key}`);
    const body = callResource(call, this.calls.options);

    const outOfOrder = call.quirks.establishedBeforeEstablishing;
    if (!outOfOrder) this.calls.notifyState(call);
    const ring = this.ringing.ringOutcome(key);
    // The documented code for each way a ring ends unanswered (results.ts says where each comes from).
    const resultFor = (o: RingOutcome['outcome']) =>
      o === 'busy'
        ? 'phone' in target
          ? RESULT.pstnCalleeBusy
          : RESULT.calleeBusy
        : o === 'decline'
          ? RESULT.calleeDeclined
          : o === 'unreachable'
            ? RESULT.calleeUnreachable
            : RESULT.calleeNoAnswer;
    // An agent's voicemail or call forwarding may take the ring before they do (answering-rules.ts).
    const agent = 'userId' in target && !callee ? this.calls.deps.agents.script(target.userId) : undefined;
    const redirection = agent && this.answering.redirection(agent, ring);
    if (redirection && 'userId' in target) {
      this.answering.carryOut(call, target.userId, redirection);
      return body;
    }
    if (ring.outcome === 'answer') {
      this.calls.after(call, ring.afterMs, () => {
        if (call.state !== 'establishing') return;
        this.calls.log(call, 'caller', `${key} answers`);
        if ('userId' in target && !callee) {
          call.agentsOnCall.add(target.userId);
          this.calls.deps.agents.setOnCall(target.userId, call.id, true);
        }
        this.lifecycle.establish(call);
        if (outOfOrder)
          this.calls.notify(call, 'updated', { '@odata.type': '#microsoft.graph.call', state: 'establishing' });
        this.tones.scheduleDigits(call, call.party.digits);
        if (agent) this.answering.pressAtWhisper(call, agent);
        // A scripted callee hangs up when their script says. An agent who answered waits on the line for the caller
        // the bot puts through (their talk time runs from then), and gives up on a silent line after a minute.
        const hangUpAfterMs = callee ? callee.hangUpAfterMs : 'userId' in target ? AGENT_SILENCE_HANGUP_MS : undefined;
        if (hangUpAfterMs !== undefined)
          call.hangUpTimer = setTimeout(() => this.lifecycle.callerHangsUp(call), hangUpAfterMs);
      });
    } else {
      const afterMs = ring.outcome === 'never' ? this.calls.scaled(TRANSFER_ALERT_TIMEOUT_MS) : ring.afterMs;
      this.calls.after(call, afterMs, () => {
        if (call.state !== 'establishing') return;
        this.calls.log(
          call,
          'caller',
          `${key} ${{ never: 'does not answer', decline: 'declines', busy: 'is busy', unreachable: 'cannot be reached', answer: 'answers' }[ring.outcome]}`,
        );
        this.lifecycle.terminate(call, resultFor(ring.outcome));
      });
    }
    return body;
  }
}
