import { ApplicationFailure, Context } from '@temporalio/activity';
import { promptResourceId, type CallControl, type TransferTarget } from '../src/graph/call-control.js';
import { GraphRequestError } from '../src/graph/errors.js';
import type { CallState, ResultInfo } from '../src/graph/notifications.js';

/**
 * Call control through Microsoft Graph. Each function is one Graph request; Temporal retries it with the
 * workflow's retry policy. Errors that cannot succeed on retry (4xx, call gone) are thrown as non-retryable so the
 * workflow can end the step cleanly and record why.
 */
export function createGraphActivities(callControl: () => Promise<CallControl>) {
  async function graph<T>(operation: string, fn: (calls: CallControl) => Promise<T>): Promise<T> {
    try {
      return await fn(await callControl());
    } catch (err) {
      throw toFailure(operation, err);
    }
  }

  return {
    async answerCall(input: { callId: string; callbackUri: string; preFetchUris: string[] }): Promise<void> {
      await graph('answer', (calls) =>
        calls.answer(input.callId, {
          callbackUri: input.callbackUri,
          preFetchMedia: input.preFetchUris.map((uri) => ({ uri, resourceId: promptResourceId(uri) })),
        }),
      );
    },

    async playPrompt(input: { callId: string; promptUris: string[]; clientContext: string }): Promise<{ operationId: string }> {
      const op = await graph('playPrompt', (calls) =>
        calls.playPrompt(input.callId, { promptUris: input.promptUris, clientContext: input.clientContext }),
      );
      return { operationId: op.operationId };
    },

    async cancelMediaProcessing(input: { callId: string; clientContext: string }): Promise<void> {
      await graph('cancelMediaProcessing', (calls) =>
        calls.cancelMediaProcessing(input.callId, input.clientContext));
    },

    async transferCall(input: { callId: string; agentId: string; clientContext: string }): Promise<void> {
      await graph('transfer', (calls) =>
        calls.transfer(input.callId, { target: { userId: input.agentId }, clientContext: input.clientContext }),
      );
    },

    /** A queue's overflow, timeout or no-agents action: blind transfer to a Teams user or a phone number. */
    async transferCallTo(input: { callId: string; target: TransferTarget; clientContext: string }): Promise<void> {
      await graph('transfer', (calls) => calls.transfer(input.callId, { target: input.target, clientContext: input.clientContext }));
    },

    /** The call's state as Graph sees it now: the fallback when a notification we wait for never comes. */
    async getCallState(input: { callId: string }): Promise<{ state: CallState | 'gone'; resultInfo?: ResultInfo }> {
      try {
        const call = await (await callControl()).getCall(input.callId);
        return { state: call.state as CallState, ...(call.resultInfo ? { resultInfo: call.resultInfo } : {}) };
      } catch (err) {
        if (err instanceof GraphRequestError && err.callGone) return { state: 'gone' };
        throw toFailure('getCall', err);
      }
    },

    async hangUp(input: { callId: string }): Promise<void> {
      await graph('delete', (calls) =>
        calls.hangUp(input.callId));
    },
  };
}

export type GraphActivities = ReturnType<typeof createGraphActivities>;

function toFailure(operation: string, err: unknown): Error {
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
