import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { GraphActivities, QueueActivities } from '../activities/index.js';
import type { CallNotification, CallState, IncomingCall, ResultInfo } from '../src/graph/notifications.js';
import { lineFor } from '../flows/index.js';
import { CallRecorder } from './call-recorder.js';
import {
  agentAssignedSignal,
  graphNotificationSignal,
  leaveQueueSignal,
  offerResultSignal,
  queueWorkflowId,
  type AgentAssignment,
} from './messages.js';
import type { CallOutcome } from '../src/db/entities/call.js';

export interface CallWorkflowInput {
  call: IncomingCall;
  /** Where Graph must send this call's notifications (our webhook). */
  callbackUri: string;
  /** Base URL prompts are served from; Graph fetches them from there. */
  promptBaseUrl: string;
}

export interface CallSummary {
  callId: string;
  outcome: CallOutcome;
  agentId?: string;
  waitSeconds?: number;
}

// Graph must see the answer within 15 s of the incoming notification; retries stay inside that window.
const answer = proxyActivities<GraphActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '14s',
  retry: { initialInterval: '300ms', backoffCoefficient: 2, maximumInterval: '3s' },
});
const graph = proxyActivities<GraphActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
});
const queueing = proxyActivities<QueueActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** How long we wait for a notification before asking Graph directly with GET (notifications can be lost). */
const ESTABLISH_WAIT = '15s';
const GREETING_MAX = '2m';
/** A hold-music completion that never comes must not leave the caller in silence: replay after this. */
const HOLD_MUSIC_MAX = '5m';
/** Graph gives up on an unanswered transfer by itself; this is only the fallback if that notification is lost. */
const TRANSFER_MAX = '3m';

/** What the workflow knows about its call, kept up to date by the notification handler. */
class CallSession {
  state: CallState = 'incoming';
  resultInfo?: ResultInfo;
  /** Operation ids whose completion notification has arrived, with how they ended. */
  readonly operations = new Map<string, { status: string; completionReason?: string }>();
  assignment?: AgentAssignment;
  transferAccepted = false;
  transferFailed = false;

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  apply(n: CallNotification): void {
    if (n.kind === 'operation') {
      this.operations.set(n.operationId, { status: n.status, completionReason: n.completionReason });
      return;
    }
    if (n.kind !== 'state' || this.terminated) return; // nothing comes back from terminated
    this.applyState(n.state, n.resultInfo);
  }

  applyState(state: CallState, resultInfo?: ResultInfo): void {
    // Graph sometimes delivers `establishing` after `established`; never move backwards to it.
    if (state === 'establishing' && this.state === 'established') return;
    if (state === 'transferAccepted') this.transferAccepted = true;
    if (this.state === 'transferring' && state === 'established') this.transferFailed = true;
    if (state === 'terminated' && resultInfo?.subcode === 7015) this.transferAccepted = true;
    this.state = state;
    if (resultInfo) this.resultInfo = resultInfo;
  }
}

/**
 * One incoming Teams call, from the incoming notification to `terminated`: answer, greet, queue with hold music,
 * offer to an agent, transfer. Deterministic: every effect is an activity, every wait a condition or timer.
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallSummary> {
  const { call } = input;
  const callId = call.callId;
  const line = lineFor(call.to.applicationInstanceId);
  const promptUri = (file: string) => `${input.promptBaseUrl}/${file}`;
  const session = new CallSession();
  const recorder = new CallRecorder({
    callId,
    workflowId: workflowInfo().workflowId,
    fromKind: call.from.kind,
    fromId: call.from.id,
    ...(call.from.displayName ? { fromName: call.from.displayName } : {}),
    toId: call.to.applicationInstanceId ?? call.to.applicationId,
    arrivedAt: call.receivedAt,
  });
  recorder.event('incoming', { from: call.from, to: call.to });

  setHandler(graphNotificationSignal, (n) => {
    session.apply(n);
    recorder.event(notificationEventType(n), n.payload);
  });
  setHandler(agentAssignedSignal, (a) => {
    if (session.terminated || session.assignment) return; // the queue releases the agent when we leave
    session.assignment = a;
  });

  const now = () => new Date().toISOString();
  const finish = async (outcome: CallOutcome, extra: Partial<CallSummary> = {}): Promise<CallSummary> => {
    recorder.set({
      outcome,
      endedAt: recorder.record.endedAt ?? now(),
      ...(session.resultInfo ? { endCode: session.resultInfo.code, endSubcode: session.resultInfo.subcode } : {}),
    });
    recorder.event('outcome', { outcome, ...extra });
    await recorder.close();
    return { callId, outcome, ...extra };
  };
  const markEnded = () => {
    if (!recorder.record.endedAt) recorder.set({ endedAt: now() });
  };

  // 1. Answer.
  try {
    await answer.answerCall({
      callId,
      callbackUri: input.callbackUri,
      preFetchUris: [promptUri(line.greeting), promptUri(line.holdMusic)],
    });
  } catch (err) {
    recorder.event('answerFailed', failureDetails(err));
    log.warn('answer failed', { callId, error: String(err) });
    markEnded();
    return finish('failed');
  }
  recorder.set({ answeredAt: now() });
  recorder.event('answered');

  if (!(await condition(() => session.state === 'established' || session.terminated, ESTABLISH_WAIT))) {
    await refreshFromGraph(session, recorder);
  }
  if (session.terminated) {
    markEnded();
    return finish('disconnected');
  }

  // 2. Greeting.
  const greeting = await play(session, recorder, callId, [promptUri(line.greeting)], 'greeting', GREETING_MAX);
  if (greeting === 'failed') recorder.event('greetingSkipped');
  if (session.terminated) {
    markEnded();
    return finish('disconnected');
  }

  // 3. Queue, with hold music, until an agent takes the call or the caller leaves.
  const queuedAtMs = Date.now();
  recorder.set({ queue: line.queue, queuedAt: now() });
  const waited = () => Math.round(Date.now() - queuedAtMs) / 1000;
  let offers = 0;
  let holdRound = 0;
  const leaveQueue = async () => {
    await getExternalWorkflowHandle(queueWorkflowId(line.queue))
      .signal(leaveQueueSignal, { callWorkflowId: workflowInfo().workflowId })
      .catch((err: unknown) => log.warn('could not tell the queue we left', { error: String(err) }));
  };

  for (;;) {
    await queueing.enqueueCall({
      queue: line.queue,
      waiting: { callWorkflowId: workflowInfo().workflowId, callId, enqueuedAt: queuedAtMs },
    });
    recorder.event('queued', { queue: line.queue, requeue: offers > 0 });

    while (!session.assignment && !session.terminated) {
      holdRound++;
      const opId = await startPrompt(callId, [promptUri(line.holdMusic)], `hold-${holdRound}`, recorder);
      if (opId === undefined) {
        // Graph would not play hold music; wait quietly for an agent or a hang-up rather than loop on errors.
        await condition(() => Boolean(session.assignment) || session.terminated, HOLD_MUSIC_MAX);
        continue;
      }
      const finished = await condition(
        () => session.operations.has(opId) || Boolean(session.assignment) || session.terminated,
        HOLD_MUSIC_MAX,
      );
      if (!finished) {
        recorder.event('holdMusicNoCompletion', { operationId: opId });
        await refreshFromGraph(session, recorder);
      }
      if (session.assignment && !session.operations.has(opId) && !session.terminated) {
        await graph
          .cancelMediaProcessing({ callId, clientContext: 'offer' })
          .catch((err: unknown) => recorder.event('cancelMediaFailed', failureDetails(err)));
      }
    }

    if (session.terminated) {
      await leaveQueue();
      markEnded();
      const waitSeconds = waited();
      recorder.set({ waitSeconds });
      recorder.event('abandoned', { waitSeconds });
      return finish('abandoned', { waitSeconds });
    }

    // 4. Offer: transfer the caller to the reserved agent.
    const { agentId } = session.assignment!;
    offers++;
    recorder.set({ agentId, offeredAt: now() });
    recorder.event('offered', { agentId });
    session.transferFailed = false;
    let transferError: unknown;
    try {
      await graph.transferCall({ callId, agentId, clientContext: `offer-${agentId}` });
      recorder.event('transferRequested', { agentId });
      const settled = await condition(
        () => session.transferAccepted || session.transferFailed || session.terminated,
        TRANSFER_MAX,
      );
      if (!settled) await refreshFromGraph(session, recorder);
    } catch (err) {
      transferError = err;
      recorder.event('transferFailed', failureDetails(err));
    }

    const queueHandle = getExternalWorkflowHandle(queueWorkflowId(line.queue));
    if (session.transferAccepted) {
      await queueHandle.signal(offerResultSignal, {
        callWorkflowId: workflowInfo().workflowId,
        agentId,
        outcome: 'connected',
      });
      const waitSeconds = waited();
      recorder.set({ connectedAt: now(), waitSeconds });
      recorder.event('connected', { agentId, waitSeconds });
      // After a transfer Graph ends our leg (terminated, 7015); the caller now talks to the agent directly.
      if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await refreshFromGraph(session, recorder);
      markEnded();
      return finish('connected', { agentId, waitSeconds });
    }

    await queueHandle.signal(offerResultSignal, { callWorkflowId: workflowInfo().workflowId, agentId, outcome: 'failed' });
    if (session.terminated) {
      markEnded();
      const waitSeconds = waited();
      recorder.set({ waitSeconds, agentId: undefined });
      recorder.event('abandoned', { waitSeconds, duringOfferTo: agentId });
      return finish('abandoned', { waitSeconds });
    }
    // The agent declined or didn't answer: back in the queue at the same place; the queue rests that agent for
    // this call a while before offering it to them again.
    recorder.event('offerFailed', { agentId, resultInfo: session.resultInfo, error: transferError ? String(transferError) : undefined });
    recorder.set({ agentId: undefined });
    session.assignment = undefined;
    if (session.state !== 'established') await refreshFromGraph(session, recorder);
    if (session.terminated) {
      markEnded();
      return finish('abandoned', { waitSeconds: waited() });
    }
  }
}

/** Play prompts and wait for their completion notification. */
async function play(
  session: CallSession,
  recorder: CallRecorder,
  callId: string,
  promptUris: string[],
  context: string,
  max: string,
): Promise<'completed' | 'failed' | 'timeout'> {
  const opId = await startPrompt(callId, promptUris, context, recorder);
  if (opId === undefined) return 'failed';
  if (!(await condition(() => session.operations.has(opId) || session.terminated, max))) {
    recorder.event('promptNoCompletion', { operationId: opId, context });
    await refreshFromGraph(session, recorder);
    return 'timeout';
  }
  return session.operations.get(opId)?.status === 'completed' ? 'completed' : 'failed';
}

async function startPrompt(
  callId: string,
  promptUris: string[],
  clientContext: string,
  recorder: CallRecorder,
): Promise<string | undefined> {
  try {
    const { operationId } = await graph.playPrompt({ callId, promptUris, clientContext });
    recorder.event('promptStarted', { operationId, clientContext, promptUris });
    return operationId;
  } catch (err) {
    recorder.event('promptFailed', { clientContext, ...failureDetails(err) });
    return undefined;
  }
}

/** Ask Graph where the call stands, for when an expected notification never arrived. */
async function refreshFromGraph(session: CallSession, recorder: CallRecorder): Promise<void> {
  const callId = recorder.record.callId;
  try {
    const current = await graph.getCallState({ callId });
    recorder.event('stateFetched', current);
    if (current.state === 'gone') session.applyState('terminated', session.resultInfo);
    else session.applyState(current.state, current.resultInfo);
  } catch (err) {
    recorder.event('stateFetchFailed', failureDetails(err));
  }
}

function notificationEventType(n: CallNotification): string {
  switch (n.kind) {
    case 'state':
      return `state:${n.state}`;
    case 'operation':
      return `${n.operationType}:${n.status}`;
    case 'tone':
      return `tone:${n.tone}`;
    default:
      return 'participants';
  }
}

function failureDetails(err: unknown): Record<string, unknown> {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { error: cause.message, type: cause.type, details: cause.details };
  }
  return { error: err instanceof Error ? err.message : String(err) };
}
