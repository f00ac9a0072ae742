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
import { lineFor } from '../flows/lines.js';
import type { QueueAction } from '../src/routing/types.js';
import { CallRecorder } from './call-recorder.js';
import {
  agentAssignedSignal,
  agentOfferOutcomeSignal,
  agentWorkflowId,
  graphNotificationSignal,
  leaveQueueSignal,
  offerResultSignal,
  queueExitSignal,
  queueWorkflowId,
  type AgentAssignment,
  type QueueExit,
} from './messages.js';
import type { CallOutcome } from '../src/db/entities/call.js';

export interface CallWorkflowInput {
  call: IncomingCall;
  /** Where Graph must send this call's notifications (our webhook). */
  callbackUri: string;
  /** Base URL prompts are served from; Graph fetches them from there. */
  promptBaseUrl: string;
  /** The queue and priority to use instead of the line's (a flow's routing decision, or a test's). */
  route?: { queue: string; priority?: number };
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
  exit?: QueueExit;
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
  const dialled = lineFor(call.to.applicationInstanceId);
  const line = input.route ? { ...dialled, queue: input.route.queue, priority: input.route.priority ?? dialled.priority } : dialled;
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
    if (session.assignment?.reservationId === a.reservationId) return;
    if (session.terminated || session.assignment || session.exit) {
      // Not ours to take: hand the reservation straight back so the agent isn't held.
      releaseAgent(a, 'cancelled');
      return;
    }
    session.assignment = a;
  });
  setHandler(queueExitSignal, (e) => {
    if (!session.assignment && !session.exit) session.exit = e;
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

  // 3. Queue, with hold music and announcements, until an agent takes the call, the queue sends the caller on, or
  // the caller leaves.
  let queueName = line.queue;
  let queuedAtMs = Date.now();
  recorder.set({ queue: queueName, queuedAt: now() });
  const waited = () => Math.round(Date.now() - queuedAtMs) / 1000;
  let offers = 0;
  let holdRound = 0;
  let announcements = 0;
  const leaveQueue = async () => {
    await getExternalWorkflowHandle(queueWorkflowId(queueName))
      .signal(leaveQueueSignal, { callWorkflowId: workflowInfo().workflowId })
      .catch((err: unknown) => log.warn('could not tell the queue we left', { error: String(err) }));
  };

  for (;;) {
    const entry = await queueing.enqueueCall({
      queue: queueName,
      waiting: { callWorkflowId: workflowInfo().workflowId, callId, enqueuedAt: queuedAtMs, priority: line.priority },
    });
    recorder.event('queued', { queue: queueName, requeue: offers > 0, priority: line.priority });
    const every = entry.announceEverySeconds * 1000;
    let nextAnnouncement = every > 0 ? Date.now() + every : Infinity;
    const waitingOver = () => Boolean(session.assignment) || Boolean(session.exit) || session.terminated;

    while (!waitingOver()) {
      holdRound++;
      const opId = await startPrompt(callId, [promptUri(line.holdMusic)], `hold-${holdRound}`, recorder);
      const untilAnnouncement = () => Math.max(1, Math.min(nextAnnouncement - Date.now(), 5 * 60_000));
      if (opId === undefined) {
        // Graph would not play hold music; wait quietly for an agent or a hang-up rather than loop on errors.
        await condition(waitingOver, every > 0 ? untilAnnouncement() : HOLD_MUSIC_MAX);
      } else {
        const finished = await condition(
          () => session.operations.has(opId) || waitingOver(),
          every > 0 ? untilAnnouncement() : HOLD_MUSIC_MAX,
        );
        const announcementDue = Date.now() >= nextAnnouncement;
        if (!finished && !announcementDue) {
          recorder.event('holdMusicNoCompletion', { operationId: opId });
          await refreshFromGraph(session, recorder);
        }
        if ((waitingOver() || announcementDue) && !session.operations.has(opId) && !session.terminated) {
          await graph
            .cancelMediaProcessing({ callId, clientContext: session.assignment ? 'offer' : 'announcement' })
            .catch((err: unknown) => recorder.event('cancelMediaFailed', failureDetails(err)));
        }
      }
      if (!waitingOver() && Date.now() >= nextAnnouncement) {
        nextAnnouncement = Date.now() + every;
        announcements++;
        const where = await queueing
          .queuePosition({ queue: queueName, callWorkflowId: workflowInfo().workflowId })
          .catch(() => undefined);
        if (where && where.position > 0) {
          recorder.event('announcement', { ...where });
          const minutes = Math.max(1, Math.round(where.ewtSeconds / 60));
          const opId = await startPrompt(
            callId,
            [promptUri(`announcements/position-${Math.min(where.position, 20)}.wav`), promptUri(`announcements/wait-${Math.min(minutes, 30)}-minutes.wav`)],
            `announcement-${announcements}`,
            recorder,
          );
          // An agent or the queue's action doesn't wait for the announcement to finish.
          if (opId !== undefined && !(await condition(() => session.operations.has(opId) || waitingOver(), GREETING_MAX))) {
            await refreshFromGraph(session, recorder);
          }
          if (opId !== undefined && !session.operations.has(opId) && waitingOver() && !session.terminated) {
            await graph
              .cancelMediaProcessing({ callId, clientContext: 'offer' })
              .catch((err: unknown) => recorder.event('cancelMediaFailed', failureDetails(err)));
          }
        }
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

    if (session.exit) {
      const exit = session.exit;
      session.exit = undefined;
      recorder.event('queueExit', { ...exit, waitSeconds: waited() });
      if (exit.action.type === 'queue') {
        // Sent on to another queue: the caller joins its end and the wait there counts from now.
        queueName = exit.action.queue;
        queuedAtMs = Date.now();
        recorder.set({ queue: queueName, queuedAt: now() });
        continue;
      }
      return leaveByAction(exit.action);
    }

    // 4. Offer: transfer the caller to the reserved agent.
    const assignment = session.assignment!;
    const { agentId } = assignment;
    offers++;
    recorder.set({ agentId, offeredAt: now() });
    recorder.event('offered', { agentId, queue: assignment.queue, reservationId: assignment.reservationId });
    session.transferFailed = false;
    let transferError: unknown;
    try {
      await graph.transferCall({ callId, agentId, clientContext: `offer-${agentId}` });
      recorder.event('transferRequested', { agentId });
      // Graph's transfer rings the agent until Graph gives up on it; the alert time is the expectation we record.
      let settled = await condition(
        () => session.transferAccepted || session.transferFailed || session.terminated,
        assignment.alertSeconds * 1000 + 5000,
      );
      if (!settled) {
        recorder.event('alertTimeExceeded', { agentId, alertSeconds: assignment.alertSeconds });
        settled = await condition(() => session.transferAccepted || session.transferFailed || session.terminated, TRANSFER_MAX);
      }
      if (!settled) await refreshFromGraph(session, recorder);
    } catch (err) {
      transferError = err;
      recorder.event('transferFailed', failureDetails(err));
    }

    const queueHandle = getExternalWorkflowHandle(queueWorkflowId(assignment.queue));
    const report = async (outcome: 'connected' | 'missed' | 'cancelled') => {
      releaseAgent(assignment, outcome);
      await queueHandle.signal(offerResultSignal, {
        callWorkflowId: workflowInfo().workflowId,
        agentId,
        reservationId: assignment.reservationId,
        outcome: outcome === 'missed' ? 'failed' : outcome,
      });
    };
    if (session.transferAccepted) {
      await report('connected');
      const waitSeconds = waited();
      recorder.set({ connectedAt: now(), waitSeconds });
      recorder.event('connected', { agentId, waitSeconds });
      // After a transfer Graph ends our leg (terminated, 7015); the caller now talks to the agent directly.
      if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await refreshFromGraph(session, recorder);
      markEnded();
      return finish('connected', { agentId, waitSeconds });
    }

    // A refused request (the agent is busy elsewhere, Graph said no) is not the agent's miss; a ring that went
    // unanswered or was declined is, and counts toward pausing the agent.
    await report(session.terminated || transferError ? 'cancelled' : 'missed');
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

  /** Carry out the queue's overflow, timeout or no-agents action; the call ends here. */
  async function leaveByAction(action: Exclude<QueueAction, { type: 'queue' }>): Promise<CallSummary> {
    const waitSeconds = waited();
    recorder.set({ waitSeconds });
    if (action.type === 'transfer') {
      const target = 'userId' in action ? { userId: action.userId } : { phone: action.phone };
      session.transferFailed = false;
      try {
        await graph.transferCallTo({ callId, target, clientContext: 'queue-exit' });
        await condition(() => session.transferAccepted || session.transferFailed || session.terminated, TRANSFER_MAX);
      } catch (err) {
        recorder.event('transferFailed', failureDetails(err));
      }
      if (session.transferAccepted) {
        if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await refreshFromGraph(session, recorder);
        markEnded();
        return finish('transferredOut', { waitSeconds });
      }
      if (session.terminated) {
        markEnded();
        return finish('abandoned', { waitSeconds });
      }
      await hangUpQuietly();
      return finish('failed', { waitSeconds });
    }
    // Voicemail: taking the message belongs to the voicemail work; until then the caller hears the closing message
    // (if any) and the outcome says where they were meant to go.
    const prompt = action.type === 'disconnect' ? action.prompt : undefined;
    if (prompt && !session.terminated) await play(session, recorder, callId, [promptUri(prompt)], 'queue-exit', GREETING_MAX);
    await hangUpQuietly();
    return finish(action.type === 'voicemail' ? 'voicemail' : 'queueDisconnected', { waitSeconds });
  }

  async function hangUpQuietly(): Promise<void> {
    if (!session.terminated) {
      await graph.hangUp({ callId }).catch((err: unknown) => recorder.event('hangUpFailed', failureDetails(err)));
    }
    markEnded();
  }
}

/** Tell the agent's workflow how the offer made under its reservation ended (fire and forget: it's a signal). */
function releaseAgent(a: AgentAssignment, outcome: 'connected' | 'missed' | 'cancelled'): void {
  void getExternalWorkflowHandle(agentWorkflowId(a.agentId))
    .signal(agentOfferOutcomeSignal, {
      reservationId: a.reservationId,
      outcome,
      wrapUpSeconds: a.wrapUpSeconds,
      missesBeforeAway: a.missesBeforeAway,
    })
    .catch((err: unknown) => log.warn('could not report the offer to the agent', { agentId: a.agentId, error: String(err) }));
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
