import { defaultPayloadConverter, workflowInfo, type Headers, type WorkflowInterceptors } from '@temporalio/workflow';
import { CALL_CONTEXT_HEADER, type AgentAssignment, type CallContext } from '../src/contracts/call.js';

/**
 * Workflow interceptors the worker loads with every workflow (src/temporal/worker.ts). For call workflows they
 *  - add `callId` to every workflow log line (the SDK already adds `workflowId`);
 *  - give every activity the call's context in a header, so activity log lines carry the call id and the answer and
 *    offer latency metrics know when the notification arrived and when the offer could have been made.
 * They only read what the workflow already has (its input, the agentAssigned signal), so they change no command and
 * replay the same.
 */
export function interceptors(): WorkflowInterceptors {
  const info = workflowInfo();
  if (info.workflowType !== 'callWorkflow') return {};
  const workflowId = info.workflowId;
  let callId = workflowId.startsWith('call-') ? workflowId.slice('call-'.length) : workflowId;
  let receivedAt: number | undefined;
  const readyAt = new Map<string, number>();
  const withCallContext = (activityType: string, args: unknown[], headers: Headers): Headers => {
    const context: CallContext = { callId, workflowId };
    if (activityType === 'answerCall' && receivedAt !== undefined) context.receivedAt = receivedAt;
    if (activityType === 'transferCall' || activityType === 'ringAgent') {
      const agentId = (args[0] as { agentId?: unknown } | undefined)?.agentId;
      const at = typeof agentId === 'string' ? readyAt.get(agentId) : undefined;
      if (at !== undefined) context.offerReadyAt = at;
    }
    return { ...headers, [CALL_CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context) };
  };

  return {
    inbound: [
      {
        async execute(input, next) {
          const call = (input.args[0] as { call?: { callId?: unknown; receivedAt?: unknown } } | undefined)?.call;
          if (typeof call?.callId === 'string') callId = call.callId;
          if (typeof call?.receivedAt === 'string' && Number.isFinite(Date.parse(call.receivedAt)))
            receivedAt = Date.parse(call.receivedAt);
          return next(input);
        },
        async handleSignal(input, next) {
          if (input.signalName === 'agentAssigned') {
            const a = input.args[0] as Partial<AgentAssignment> | undefined;
            if (typeof a?.agentId === 'string' && typeof a.readyAt === 'number') readyAt.set(a.agentId, a.readyAt);
          }
          return next(input);
        },
      },
    ],
    outbound: [
      {
        async scheduleActivity(input, next) {
          return next({ ...input, headers: withCallContext(input.activityType, input.args, input.headers) });
        },
        // The call's Graph requests are local activities in runs started after CALL_LOCAL_GRAPH_PATCH.
        async scheduleLocalActivity(input, next) {
          return next({ ...input, headers: withCallContext(input.activityType, input.args, input.headers) });
        },
        getLogAttributes(input, next) {
          return next({ ...input, callId, workflowId });
        },
      },
    ],
  };
}
