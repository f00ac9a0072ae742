import { trace } from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import { CALL_ID_ATTRIBUTE } from '../src/contracts/tracing.js';

/**
 * OpenTelemetry for workflows, bundled only when tracing is on (src/telemetry/temporal.ts): Temporal's interceptors
 * make the workflow's spans (continuing the trace in its start headers) and hand the activities they schedule the
 * trace in theirs; the spans leave through the worker's `exporter` sink, and not while replaying. A call workflow's
 * span is named after its call. Adds no command: what the workflow does is unchanged, with tracing on or off.
 */
export function interceptors(): WorkflowInterceptors {
  const { workflowType, workflowId } = workflowInfo();
  const callId = workflowType === 'callWorkflow' && workflowId.startsWith('call-') ? workflowId.slice(5) : undefined;
  return {
    inbound: [
      new OpenTelemetryInboundInterceptor(),
      {
        // Inside Temporal's: the active span is the workflow's.
        async execute(input, next) {
          if (callId !== undefined) trace.getActiveSpan()?.setAttribute(CALL_ID_ATTRIBUTE, callId);
          return next(input);
        },
      },
    ],
    outbound: [new OpenTelemetryOutboundInterceptor()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
}
