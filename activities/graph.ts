import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { promptResourceId, type CallControl } from '../src/graph/call-control.js';
import { GraphRequestError } from '../src/graph/errors.js';
import { normaliseCallState } from '../src/graph/notifications.js';
import type { GraphActivities, RecordOptions, TransferTarget } from '../src/contracts/activities/graph.js';
import type { CallState, ResultInfo } from '../src/contracts/graph-call.js';
import { answerLatency, offerLatency } from '../src/metrics.js';
import { currentCall } from '../src/telemetry/call-context.js';

/** Seconds from `from` (epoch ms) to `to`; clocks of different hosts may disagree slightly, never below 0. */
const since = (from: number, to: number) => Math.max(0, to - from) / 1000;

/**
 * Call control through Microsoft Graph. Each function is one Graph request; Temporal retries it with the
 * workflow's retry policy. Errors that cannot succeed on retry (4xx, call gone) are thrown as non-retryable so the
 * workflow can end the step cleanly and record why.
 */
export function createGraphActivities(callControl: () => Promise<CallControl>): GraphActivities {
  async function graph<T>(operation: string, fn: (calls: CallControl) => Promise<T>): Promise<T> {
    try {
      return await fn(await callControl());
    } catch (err) {
      throw toFailure(operation, err);
    }
  }

  return {
    async answerCall(input: { callId: string; callbackUri: string; preFetchUris: string[] }): Promise<void> {
      let sentAt = 0;
      const calls = await callControl();
      try {
        sentAt = Date.now();
        await calls.answer(input.callId, {
          callbackUri: input.callbackUri,
          preFetchMedia: input.preFetchUris.map((uri) => ({ uri, resourceId: promptResourceId(uri) })),
        });
      } catch (err) {
        // The answer is made again when Graph took it but its workflow task was lost (a worker killed before the
        // task completed) or its response never came: Graph then refuses the repeat, as the call is no longer
        // incoming. Only this app answers calls to its bot, so a call of ours that is past incoming was answered
        // by that first request, and the call goes on (it would otherwise be left up with nobody handling it).
        if (await answeredBefore(calls, input.callId, err)) return;
        throw toFailure('answer', err);
      }
      // Notification received by the webhook → the answer request (the one Graph accepted) sent.
      const receivedAt = currentCall()?.receivedAt;
      if (receivedAt !== undefined) answerLatency.observe(since(receivedAt, sentAt));
    },

    async playPrompt(input: {
      callId: string;
      promptUris: string[];
      clientContext: string;
    }): Promise<{ operationId: string }> {
      const op = await graph('playPrompt', (calls) =>
        calls.playPrompt(input.callId, { promptUris: input.promptUris, clientContext: input.clientContext }),
      );
      return { operationId: op.operationId };
    },

    /** Keys the caller presses arrive as toneInfo notifications only after this. */
    async subscribeToTone(input: { callId: string; clientContext: string }): Promise<void> {
      await graph('subscribeToTone', (calls) => calls.subscribeToTone(input.callId, input.clientContext));
    },

    /** Play the prompt, beep, record; the completion notification carries recordingLocation and its token. */
    async recordResponse(input: { callId: string } & RecordOptions): Promise<{ operationId: string }> {
      const { callId, ...opts } = input;
      const op = await graph('recordResponse', (calls) => calls.recordResponse(callId, opts));
      return { operationId: op.operationId };
    },

    async cancelMediaProcessing(input: { callId: string; clientContext: string }): Promise<void> {
      await graph('cancelMediaProcessing', (calls) => calls.cancelMediaProcessing(input.callId, input.clientContext));
    },

    /**
     * Transfer the caller to an agent: blind, or (with `replacesCallId`) onto the call we placed to the agent, who
     * has already answered it (consultative transfer).
     */
    async transferCall(input: {
      callId: string;
      agentId: string;
      clientContext: string;
      replacesCallId?: string;
    }): Promise<void> {
      let sentAt = 0;
      await graph('transfer', (calls) => {
        sentAt = Date.now();
        return calls.transfer(input.callId, {
          target: { userId: input.agentId },
          clientContext: input.clientContext,
          ...(input.replacesCallId ? { replacesCallId: input.replacesCallId } : {}),
        });
      });
      // The later of the call queueing and the agent becoming free → the offer (transfer) request sent. A
      // consultative transfer comes after the ring that was the offer, which ringAgent measured.
      const readyAt = currentCall()?.offerReadyAt;
      if (readyAt !== undefined && !input.replacesCallId) offerLatency.observe(since(readyAt, sentAt));
    },

    /**
     * Offer a call by ringing the agent: an outbound peer-to-peer call from the bot (from the dialled resource
     * account when there is one, so the agent sees the line's name). Its notifications go to `callbackUri`, which
     * names the workflow that rings. Not retried on its own: a retry could ring the agent twice.
     */
    async ringAgent(input: {
      agentId: string;
      callbackUri: string;
      tenantId?: string;
      applicationInstanceId?: string;
    }): Promise<{ callId: string }> {
      let sentAt = 0;
      const created = await graph('createCall', (calls) => {
        sentAt = Date.now();
        return calls.createCall({
          target: { userId: input.agentId },
          callbackUri: input.callbackUri,
          ...(input.tenantId ? { tenantId: input.tenantId } : {}),
          ...(input.applicationInstanceId ? { applicationInstanceId: input.applicationInstanceId } : {}),
        });
      });
      const readyAt = currentCall()?.offerReadyAt;
      if (readyAt !== undefined) offerLatency.observe(since(readyAt, sentAt));
      return { callId: created.id };
    },

    /** A queue's overflow, timeout or no-agents action: blind transfer to a Teams user or a phone number. */
    async transferCallTo(input: { callId: string; target: TransferTarget; clientContext: string }): Promise<void> {
      await graph('transfer', (calls) =>
        calls.transfer(input.callId, { target: input.target, clientContext: input.clientContext }),
      );
    },

    /**
     * An outbound call to a phone number from a resource account (a callback): POST /communications/calls. Its
     * notifications go to `callbackUri`, which names the workflow that placed it.
     */
    async createCall(input: {
      phone: string;
      applicationInstanceId: string;
      tenantId: string;
      callbackUri: string;
      preFetchUris: string[];
    }): Promise<{ callId: string }> {
      const created = await graph('createCall', (calls) =>
        calls.createCall({
          target: { phone: input.phone },
          applicationInstanceId: input.applicationInstanceId,
          tenantId: input.tenantId,
          callbackUri: input.callbackUri,
          preFetchMedia: input.preFetchUris.map((uri) => ({ uri, resourceId: promptResourceId(uri) })),
        }),
      );
      return { callId: created.id };
    },

    /** The call's state as Graph sees it now: the fallback when a notification we wait for never comes. */
    async getCallState(input: { callId: string }): Promise<{ state: CallState | 'gone'; resultInfo?: ResultInfo }> {
      try {
        const call = await (await callControl()).getCall(input.callId);
        // Read like a notification's state (notifications.ts): Graph may spell it `Established`.
        const state = normaliseCallState(call.state);
        if (!state)
          throw ApplicationFailure.nonRetryable(`Graph getCall: unknown call state ${call.state}`, 'GraphError');
        return { state, ...(call.resultInfo ? { resultInfo: call.resultInfo } : {}) };
      } catch (err) {
        if (err instanceof GraphRequestError && err.callGone) return { state: 'gone' };
        throw toFailure('getCall', err);
      }
    },

    async hangUp(input: { callId: string }): Promise<void> {
      await graph('delete', (calls) => calls.hangUp(input.callId));
    },

    /** POST …/keepAlive, so that Graph does not end a call held for longer than 45 minutes (call-keepalive.md). */
    async keepAlive(input: { callId: string }): Promise<'alive' | 'gone'> {
      return graph('keepAlive', (calls) => calls.keepAlive(input.callId));
    },
  };
}

/** Whether `err`, Graph's refusal of an answer, is because the call was answered already (by an earlier attempt). */
async function answeredBefore(calls: CallControl, callId: string, err: unknown): Promise<boolean> {
  if (!(err instanceof GraphRequestError) || err.retryable || err.callGone) return false;
  const state = await calls.getCall(callId).then(
    (c) => c.state,
    () => undefined,
  );
  const answered = state === 'establishing' || state === 'established';
  if (answered)
    log.warn('answer refused as a repeat: the call was already answered', { callId, state, status: err.status });
  return answered;
}

/** A Graph failure as Temporal should see it: non-retryable unless Graph says a retry may succeed. */
export function toFailure(operation: string, err: unknown): Error {
  if (!(err instanceof GraphRequestError)) return err instanceof Error ? err : new Error(String(err));
  const details = { operation, status: err.status, code: err.code, attempt: Context.current().info.attempt };
  const message = `Graph ${operation} failed: ${err.status} ${err.code}: ${err.message}`;
  if (!err.retryable) return ApplicationFailure.nonRetryable(message, 'GraphError', details);
  return ApplicationFailure.create({
    message,
    type: 'GraphRetryableError',
    details: [details],
    // Honour Graph's Retry-After instead of our own backoff when it gives one.
    ...(err.retryAfterSeconds !== undefined ? { nextRetryDelay: `${err.retryAfterSeconds}s` } : {}),
  });
}
