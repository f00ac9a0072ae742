import { condition, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  agentAssignedSignal,
  graphNotificationSignal,
  queueExitSignal,
  type CallOutcome,
  type CallSummary,
  type CallWorkflowInput,
} from '../src/contracts/call.js';
import { flowFor } from '../flows/flows.js';
import { CallRecorder } from './call-recorder.js';
import { CallSession, ESTABLISH_WAIT, notificationEventType } from './call-session.js';
import { decideGraphDispatch } from './call-dispatch.js';
import { callPatched, decideCallPatches } from './call-patches.js';
import type { FlowDefinition } from './flow/api.js';
import { answerVerb } from './flow/answer.js';
import { hungUpOutcome } from './flow/hung-up.js';
import { CallRuntime } from './flow/runtime.js';
import { offerMembers, releaseAgent } from './flow/reservation.js';
import { failureDetails } from './call-session.js';
import { KEEPALIVE_DEFAULT_SECONDS, keepCallsAlive } from './keep-alive.js';
import { CALL_KEEPALIVE_PATCH } from './patches.js';
import { superviseUpdate } from '../src/contracts/supervise.js';
import { supervise, superviseRefusal } from './flow/supervise.js';
import { transferUpdate } from '../src/contracts/transfer.js';
import { requestTransfer, transferRefusal } from './flow/warm-transfer.js';
import { CallSearchAttributes } from './search-attributes.js';

/** Secrets Graph puts in notifications (a recording's download token): never written to the timeline. */
const REDACTED_FIELDS = new Set(['recordingAccessToken']);

/**
 * One incoming Teams call, from the incoming notification to `terminated`. The flow chosen by the number dialled
 * (flows/flows.ts) decides what happens; this workflow keeps the call's state from Graph's notifications, runs the
 * flow, and writes the outcome. Deterministic: every effect is an activity, every wait a condition or timer.
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallSummary> {
  // First, before any command: a run replays with the patches and the dispatch it started with.
  decideCallPatches();
  decideGraphDispatch();
  const { call } = input;
  const callId = call.callId;
  const flow: FlowDefinition = input.route ? routeFlow(input.route) : flowFor(call.to.applicationInstanceId);
  const recorder = new CallRecorder({
    callId,
    workflowId: workflowInfo().workflowId,
    fromKind: call.from.kind,
    fromId: call.from.id,
    ...(call.from.displayName ? { fromName: call.from.displayName } : {}),
    toId: call.to.applicationInstanceId ?? call.to.applicationId,
    arrivedAt: call.receivedAt,
    flow: flow.name,
  });
  const session = new CallSession(callId, recorder);
  const searchAttributes = new CallSearchAttributes(recorder.record);
  recorder.event('incoming', { from: call.from, to: call.to, flow: flow.name });

  setHandler(graphNotificationSignal, (n) => {
    // A repeat changes nothing and is left out of the timeline: every step is recorded once.
    if (!session.apply(n)) return;
    // A call this workflow placed (a ring to an agent, a callback) is a leg: its steps are not the caller's.
    if (n.callId === callId) recorder.event(notificationEventType(n), redact(n.payload));
    else recorder.event(`leg:${notificationEventType(n)}`, { legCallId: n.callId, notification: redact(n.payload) });
  });
  setHandler(agentAssignedSignal, (a) => {
    if (session.assignment?.reservationId === a.reservationId) return;
    if ((session.terminated && !session.awaitingCallback) || session.assignment || session.exit) {
      // Not ours to take: hand the reservation straight back so no agent is held (every one of an attendant group).
      for (const m of offerMembers(a)) releaseAgent({ ...a, ...m }, 'cancelled');
      return;
    }
    session.assignment = a;
  });
  setHandler(queueExitSignal, (e) => {
    if (!session.assignment && !session.exit) session.exit = e;
  });
  // A supervisor joins a conference (issue 24, point 3); refused, before any history, unless the call is one.
  setHandler(superviseUpdate, (req) => supervise(session, req), {
    validator: (req) => {
      const why = superviseRefusal(session, req);
      if (why) throw new Error(why);
    },
  });
  // An agent sends the caller on (issue 24, point 4); refused, before any history, unless an agent talks in a conference.
  setHandler(transferUpdate, (req) => requestTransfer(session, req), {
    validator: (req) => {
      const why = transferRefusal(session, req);
      if (why) throw new Error(why);
    },
  });

  const rt = new CallRuntime(session, recorder, call, {
    callbackUri: input.callbackUri,
    promptBaseUrl: input.promptBaseUrl,
    ...(input.phoneRegion ? { phoneRegion: input.phoneRegion } : {}),
  });
  if (input.route?.priority !== undefined) rt.setPriority(input.route.priority);
  // Graph ends a call with no keepAlive for 45 minutes: one goes to each call held, from the answer until the end.
  let over = false;
  let keepingAlive: Promise<void> | undefined;
  try {
    // Every flow starts by answering: Graph must hear from us within 15 s of the incoming notification.
    await answerVerb(rt);
    if (!session.terminated && callPatched(CALL_KEEPALIVE_PATCH))
      keepingAlive = keepCallsAlive(session, input.keepAliveSeconds ?? KEEPALIVE_DEFAULT_SECONDS, () => over);
    if (!session.terminated) await flow.run(rt);
  } catch (err) {
    // A flow bug (an exception in admin code) must not leave the caller in silence or the workflow stuck: record
    // it, end the call, and let the flow's author find it in the timeline.
    recorder.event('flowError', { flow: flow.name, ...failureDetails(err) });
    log.error('call flow failed', { callId, flow: flow.name, error: String(err) });
    rt.outcome = 'failed';
  }

  // The flow is over: a call it left up is ended here (a flow's last word is the end of the call).
  if (!session.terminated) {
    rt.outcome ??= 'ended';
    await session.hangUpQuietly();
    if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await session.refreshFromGraph();
  }
  over = true;
  await keepingAlive;
  const outcome: CallOutcome = rt.outcome ?? hungUpOutcome(recorder.record.queuedAt, rt.queueGaveUp);
  const agentId = outcome === 'connected' ? recorder.record.agentId : undefined;
  const waitSeconds = recorder.record.waitSeconds;
  recorder.set({
    outcome,
    endedAt: recorder.record.endedAt ?? new Date().toISOString(),
    ...(session.resultInfo ? { endCode: session.resultInfo.code, endSubcode: session.resultInfo.subcode } : {}),
  });
  recorder.event('outcome', {
    outcome,
    ...(agentId ? { agentId } : {}),
    ...(waitSeconds !== undefined ? { waitSeconds } : {}),
  });
  searchAttributes.finish(outcome);
  await recorder.close();
  return {
    callId,
    outcome,
    flow: flow.name,
    ...(agentId ? { agentId } : {}),
    ...(waitSeconds !== undefined ? { waitSeconds } : {}),
  };
}

/** The flow for `input.route`: no greeting, straight into the queue. */
function routeFlow(route: { queue: string; priority?: number }): FlowDefinition {
  return {
    name: `route:${route.queue}`,
    description: 'Straight into a queue',
    numbers: [],
    async run(call) {
      await call.queue(route.queue);
    },
  };
}

function redact(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
  const entries = Object.entries(payload as Record<string, unknown>);
  if (!entries.some(([k]) => REDACTED_FIELDS.has(k) || k === 'toneInfo')) return payload;
  return Object.fromEntries(
    entries.map(([k, v]) => [k, k === 'toneInfo' ? withoutKey(v) : REDACTED_FIELDS.has(k) ? '[redacted]' : v]),
  );
}

/**
 * A tone notification's toneInfo (tone-info.md: `tone` is the key pressed, `sequenceId` its place) without the key:
 * keys typed are personal data (a callback number, a survey answer), and the timeline is stored in clear.
 */
function withoutKey(toneInfo: unknown): unknown {
  if (toneInfo === null || typeof toneInfo !== 'object') return undefined;
  const { sequenceId } = toneInfo as { sequenceId?: unknown };
  return sequenceId === undefined ? {} : { sequenceId };
}
