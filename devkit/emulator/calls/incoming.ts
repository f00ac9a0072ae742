/**
 * Calls to the bot: a scripted caller dials, Graph notifies the bot, and the bot answers, rejects or redirects the
 * call (or lets it ring out).
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../graph-error.js';
import { stripUndefined } from '../json.js';
import type { CallerScript } from '../types.js';
import type { AnswerRequest, RedirectRequest } from '../validation/calls.js';
import { E164 } from '../validation/common.js';
import { callResource } from './call-resource.js';
import { EmulatedCall } from './emulated-call.js';
import type { CallLifecycle } from './lifecycle.js';
import type { MediaOperations } from './media-operations.js';
import type { CallRegistry } from './registry.js';
import { RESULT } from './results.js';
import type { Ringing } from './ringing.js';
import { ESTABLISH_DELAY_MS } from './timing.js';
import type { Tones } from './tones.js';

function validateCallerScript(script: CallerScript): void {
  if (!script || typeof script !== 'object' || !script.from) throw new Error('CallerScript.from is required');
  if ('phone' in script.from) {
    if (!E164.test(script.from.phone))
      throw new Error(`CallerScript.from.phone must be E.164 (e.g. +12345678901), got ${script.from.phone}`);
  } else if (!('user' in script.from) || typeof script.from.user?.id !== 'string' || !script.from.user.id) {
    throw new Error('CallerScript.from must be { user: { id } } or { phone }');
  }
  if (script.hangUpAfterMs !== undefined && !(script.hangUpAfterMs >= 0))
    throw new Error('CallerScript.hangUpAfterMs must be >= 0');
}

export class IncomingCalls {
  constructor(
    private readonly calls: CallRegistry,
    private readonly lifecycle: CallLifecycle,
    private readonly media: MediaOperations,
    private readonly tones: Tones,
    private readonly ringing: Ringing,
  ) {}

  placeCall(script: CallerScript): string {
    validateCallerScript(script);
    const { tenantId, clientId, botDisplayName } = this.calls.options;
    const identity =
      'phone' in script.from
        ? {
            '@odata.type': '#microsoft.graph.identitySet',
            phone: { '@odata.type': '#microsoft.graph.identity', id: script.from.phone },
          }
        : {
            '@odata.type': '#microsoft.graph.identitySet',
            user: stripUndefined({
              '@odata.type': '#microsoft.graph.identity',
              id: script.from.user.id,
              displayName: script.from.user.displayName,
              tenantId,
            }),
          };
    const source = {
      '@odata.type': '#microsoft.graph.participantInfo',
      id: randomUUID(),
      identity,
      endpointType: 'default',
      region: 'emea',
      languageId: 'en-US',
    };
    const targetIdentity = script.applicationInstanceId
      ? {
          '@odata.type': '#microsoft.graph.identitySet',
          applicationInstance: {
            '@odata.type': '#microsoft.graph.identity',
            id: script.applicationInstanceId,
            tenantId,
          },
        }
      : {
          '@odata.type': '#microsoft.graph.identitySet',
          application: { '@odata.type': '#microsoft.graph.identity', id: clientId, displayName: botDisplayName },
        };
    const call = new EmulatedCall(script, source, []);
    call.quirks = { ...this.calls.options.quirks, ...script.quirks };
    call.targets.push({
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      id: call.myParticipantId,
      identity: targetIdentity,
      endpointType: 'default',
    });
    this.calls.add(call);

    const who = 'phone' in script.from ? script.from.phone : (script.from.user.displayName ?? script.from.user.id);
    this.calls.log(
      call,
      'caller',
      `${who} dials ${script.applicationInstanceId ? `resource account ${script.applicationInstanceId}` : 'the bot'}`,
    );
    this.calls.notify(call, 'created', callResource(call, this.calls.options), '', script.incomingCopies ?? 1);

    this.tones.scheduleDigits(call, call.party.digits);
    this.calls.after(call, this.calls.options.answerTimeoutMs, () => {
      if (call.state !== 'incoming' || call.redirected) return;
      this.calls.log(call, 'call', `not answered within ${this.calls.options.answerTimeoutMs} ms`);
      this.lifecycle.terminate(call, RESULT.answerTimeout);
    });
    if (script.hangUpAfterMs !== undefined) {
      call.hangUpTimer = setTimeout(() => this.lifecycle.callerHangsUp(call), script.hangUpAfterMs);
    }
    return call.id;
  }

  /** POST /communications/calls/{id}/answer */
  answer(callId: string, req: AnswerRequest): void {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['incoming'], 'answer');
    call.answered = true;
    call.callbackUri = req.callbackUri ?? this.calls.options.botCallingUrl;
    call.preFetchMedia = req.preFetchMedia;
    // A failed prefetch is tried again when the prompt plays: nothing waits for it here.
    for (const m of req.preFetchMedia) void this.media.prefetch(call, m);
    call.state = 'establishing';
    this.lifecycle.armKeepAlive(call);
    if (call.quirks.establishedBeforeEstablishing) {
      // Documented: "Call establishing/established notifications may arrive out of order."
      this.calls.after(call, this.calls.scaled(ESTABLISH_DELAY_MS), () => {
        if (call.state !== 'establishing') return;
        this.lifecycle.establish(call);
        this.calls.notify(call, 'updated', { '@odata.type': '#microsoft.graph.call', state: 'establishing' });
      });
      return;
    }
    this.calls.notifyState(call);
    this.calls.after(call, this.calls.scaled(ESTABLISH_DELAY_MS), () => {
      if (call.state !== 'establishing') return;
      this.lifecycle.establish(call);
    });
  }

  /** POST /communications/calls/{id}/reject */
  reject(callId: string, req: { reason: string; callbackUri?: string }): void {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['incoming'], 'reject');
    if (call.redirected) throw badRequest('reject is not allowed on a call that is being redirected.');
    if (req.callbackUri) call.callbackUri = req.callbackUri;
    this.calls.log(call, 'call', `bot rejects (reason: ${req.reason})`);
    this.lifecycle.terminate(call, undefined);
  }

  /** POST /communications/calls/{id}/redirect: all targets ring at once; the first to answer gets the call. */
  redirect(callId: string, req: RedirectRequest): void {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['incoming'], 'redirect');
    if (call.redirected) throw badRequest('The call is already being redirected.');
    call.redirected = true;
    if (req.callbackUri) call.callbackUri = req.callbackUri;
    const keys = req.targets.map((t) => ('phone' in t ? t.phone : t.userId));
    this.calls.log(call, 'call', `bot redirects to ${keys.join(', ')} (timeout ${req.timeoutSeconds} s)`);
    let pending = req.targets.length;
    let done = false;
    const oneFailed = (key: string, why: string) => {
      this.calls.log(call, 'agent', `${key}: ${why}`);
      if (done || --pending > 0) return;
      done = true;
      this.lifecycle.terminate(call, RESULT.redirectFailed);
    };
    req.targets.forEach((t, i) => {
      const key = keys[i]!;
      const ring = this.ringing.ringOutcome(key);
      if (ring.outcome === 'never') return;
      this.calls.after(call, ring.afterMs, () => {
        if (done || call.state !== 'incoming') return;
        if (ring.outcome === 'busy') return oneFailed(key, 'busy');
        if (ring.outcome === 'decline') return oneFailed(key, 'declines');
        if (ring.outcome === 'unreachable') return oneFailed(key, 'cannot be reached');
        if ('userId' in t && this.calls.deps.agents.isBusy(t.userId)) return oneFailed(key, 'busy');
        done = true;
        this.calls.log(call, 'agent', `${key} answers the redirected call`);
        call.answeredBy = {
          '@odata.type': '#microsoft.graph.participantInfo',
          identity: this.ringing.participantIdentity(t),
          endpointType: 'default',
        };
        if ('userId' in t)
          this.calls.deps.agents.startTalking(t.userId, call.id, ring.talkMs ?? 30000, () =>
            this.calls.log(call, 'agent', `${key} finished talking`),
          );
        this.lifecycle.terminate(call, undefined);
      });
    });
    this.calls.after(call, this.calls.scaled(req.timeoutSeconds * 1000), () => {
      if (done || call.state !== 'incoming') return;
      done = true;
      this.calls.log(call, 'call', 'no redirect target answered in time');
      this.lifecycle.terminate(call, RESULT.redirectFailed);
    });
  }
}
