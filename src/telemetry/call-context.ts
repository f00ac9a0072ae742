import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { CALL_CONTEXT_HEADER, callWorkflowId, type CallContext } from '../contracts/call.js';

const store = new AsyncLocalStorage<CallContext>();

/** The call the running activity works for, if any (from the header workflows/interceptors.ts adds). */
export function currentCall(): CallContext | undefined {
  return store.getStore();
}

/**
 * The call an activity is about when its workflow isn't the call's (a queue reserving an agent for a call): the
 * `callId` of its input, or of `request`, `record` or `waiting` in it.
 */
function callFromArgs(args: unknown[]): CallContext | undefined {
  const a = args[0] as Record<string, unknown> | undefined;
  if (!a || typeof a !== 'object') return undefined;
  for (const o of [a, a['request'], a['record'], a['waiting']] as (Record<string, unknown> | undefined)[]) {
    if (o && typeof o === 'object' && typeof o['callId'] === 'string') {
      const callId = o['callId'];
      return {
        callId,
        workflowId: typeof o['callWorkflowId'] === 'string' ? o['callWorkflowId'] : callWorkflowId(callId),
      };
    }
  }
  return undefined;
}

/**
 * Activity interceptors: every log line of an activity about a call (the activity's own `log` and the SDK's lines
 * about it: failures, retries) carries `callId` and `workflowId`, and `currentCall()` tells the activity which call
 * it serves. For an activity a call workflow scheduled, `workflowId` is that call's workflow; for one another
 * workflow scheduled about a call (the queue's reserveAgent), `workflowId` stays the scheduling workflow's and the
 * call's is `callWorkflowId`.
 */
export const callActivityInterceptors: ActivityInterceptorsFactory = (ctx) => {
  const scheduledBy = ctx.info.workflowExecution?.workflowId;
  let call: CallContext | undefined = scheduledBy?.startsWith('call-')
    ? { callId: scheduledBy.slice('call-'.length), workflowId: scheduledBy }
    : undefined;
  return {
    inbound: {
      async execute(input, next) {
        const header = input.headers[CALL_CONTEXT_HEADER];
        if (header) {
          try {
            call = defaultPayloadConverter.fromPayload<CallContext>(header);
          } catch {
            // an unreadable header is no reason to fail the activity
          }
        } else {
          call ??= callFromArgs(input.args);
        }
        return call ? store.run(call, () => next(input)) : next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        if (!call) return next(input);
        const own = call.workflowId === scheduledBy;
        return next({ ...input, callId: call.callId, ...(own ? {} : { callWorkflowId: call.workflowId }) });
      },
    },
  };
};
