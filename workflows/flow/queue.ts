import { condition, getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import type { QueueAction } from '../../src/routing/types.js';
import { failureDetails, queueing, ESTABLISH_WAIT } from '../call-session.js';
import {
  agentOfferOutcomeSignal,
  agentWorkflowId,
  leaveQueueSignal,
  offerResultSignal,
  queueWorkflowId,
  type AgentAssignment,
} from '../messages.js';
import type { QueueOptions, QueueResult } from './api.js';
import type { CallRuntime } from './runtime.js';
import { keepPlaceForCallback, takeCallback } from './callback.js';
import { offerMembers, offerToAgents, type AgentOfferOutcome } from './offer.js';

/** A hold-music completion that never comes must not leave the caller in silence: replay after this. */
const HOLD_MUSIC_MAX = '5m';
export const HOLD_MUSIC = 'hold-music.wav';
/**
 * Graph plays up to 20 prompts in one playPrompt, so a round of the shipped 8-second track is that track 20 times
 * (160 s, inside HOLD_MUSIC_MAX). Every round costs a Graph request, a completion notification and workflow work:
 * one play per round would have 500 waiting callers start 60 rounds a second between them. An admin's own hold music
 * (usually minutes long, and of a length the workflow cannot know) is played once per round. Announcements and
 * offers still cut a round short.
 */
const SHIPPED_HOLD_MUSIC_REPEAT = 20;

/**
 * The queue verb: wait in a queue with hold music and announcements until an agent takes the call (the caller is
 * transferred to them), the caller hangs up, or the queue gives up (overflow, timeout, no agents). Unless the flow
 * asked to handle those itself (`exits: 'flow'`), the queue's configured action is carried out here: another queue,
 * voicemail, a transfer, or a closing message.
 */
export async function waitInQueue(rt: CallRuntime, firstQueue: string, options: QueueOptions = {}): Promise<QueueResult> {
  const { session, recorder, callId } = rt;
  const workflowId = workflowInfo().workflowId;
  let queueName = firstQueue;
  let queuedAtMs = Date.now();
  const priority = options.priority ?? rt.priority;
  recorder.set({ queue: queueName, queuedAt: new Date().toISOString() });
  // Until the caller hung up, if they did: the wait ends when the call does, not when we noticed.
  const waited = () => {
    const end = recorder.record.endedAt ? Date.parse(recorder.record.endedAt) : Date.now();
    return Math.round(end - queuedAtMs) / 1000;
  };
  let offers = 0;
  let holdRound = 0;
  let announcements = 0;
  let callbackOffered = false;
  const leaveQueue = () => leaveQueueNamed(queueName, workflowId);
  const holdMusic = options.holdMusic
    ? rt.promptUris(options.holdMusic)
    : rt.promptUris(Array.from({ length: SHIPPED_HOLD_MUSIC_REPEAT }, () => HOLD_MUSIC));

  for (;;) {
    let entry: { announceEverySeconds: number };
    try {
      entry = await queueing.enqueueCall({
        queue: queueName,
        waiting: { callWorkflowId: workflowId, callId, enqueuedAt: queuedAtMs, priority },
      });
    } catch (err) {
      recorder.event('queueFailed', { queue: queueName, ...failureDetails(err) });
      return { outcome: 'unknownQueue', waitSeconds: 0 };
    }
    recorder.event('queued', { queue: queueName, requeue: offers > 0, priority });
    const every = entry.announceEverySeconds * 1000;
    let nextAnnouncement = every > 0 ? Date.now() + every : Infinity;
    const callbackAt = options.offerCallbackAfterSeconds !== undefined ? queuedAtMs + options.offerCallbackAfterSeconds * 1000 : Infinity;
    const waitingOver = () => Boolean(session.assignment) || Boolean(session.exit) || session.terminated;
    const nextBreak = () => Math.min(nextAnnouncement, callbackOffered ? Infinity : callbackAt);

    // An agent being rung for this call: hold music goes on until they answer (a blind transfer silences it).
    const ringing = () => Boolean(session.assignment) && session.assignment!.offerBy === 'ring' && !session.exit && !session.terminated;
    let playing: string | undefined;
    while (!waitingOver()) {
      holdRound++;
      const opId = await session.startPrompt(holdMusic, `hold-${holdRound}`);
      playing = opId;
      const untilBreak = () => Math.max(1, Math.min(nextBreak() - Date.now(), 5 * 60_000));
      const timed = nextBreak() !== Infinity;
      if (opId === undefined) {
        // Graph would not play hold music; wait quietly for an agent or a hang-up rather than loop on errors.
        await condition(waitingOver, timed ? untilBreak() : HOLD_MUSIC_MAX);
      } else {
        const finished = await condition(() => session.operations.has(opId) || waitingOver(), timed ? untilBreak() : HOLD_MUSIC_MAX);
        const breakDue = Date.now() >= nextBreak();
        if (!finished && !breakDue) {
          recorder.event('holdMusicNoCompletion', { operationId: opId });
          await session.refreshFromGraph();
        }
        if ((waitingOver() || breakDue) && !session.operations.has(opId) && !session.terminated && !(ringing() && !breakDue)) {
          await session.cancelMedia(session.assignment ? 'offer' : 'announcement');
          playing = undefined;
        }
      }

      if (!waitingOver() && !callbackOffered && Date.now() >= callbackAt) {
        callbackOffered = true;
        const taken = await takeCallback(rt, queueName, options);
        if (taken) {
          // The caller hangs up and keeps their place: the workflow stays in the queue and calls them back.
          const waitSeconds = waited();
          recorder.set({ waitSeconds });
          const callback = await keepPlaceForCallback(rt, { queue: queueName, queuedAtMs, priority, number: taken.number, waitSeconds }, options);
          return { outcome: 'callback', waitSeconds, number: taken.number, callback };
        }
        continue;
      }

      if (!waitingOver() && Date.now() >= nextAnnouncement) {
        nextAnnouncement = Date.now() + every;
        announcements++;
        const where = await queueing.queuePosition({ queue: queueName, callWorkflowId: workflowId }).catch(() => undefined);
        if (where && where.position > 0) {
          recorder.event('announcement', { ...where });
          const minutes = Math.max(1, Math.round(where.ewtSeconds / 60));
          await session.play(
            [
              rt.promptUri(`announcements/position-${Math.min(where.position, 20)}.wav`),
              rt.promptUri(`announcements/wait-${Math.min(minutes, 30)}-minutes.wav`),
            ],
            `announcement-${announcements}`,
            // An agent or the queue's action doesn't wait for the announcement to finish.
            waitingOver,
          );
        }
      }
    }

    if (session.terminated) {
      const waitSeconds = waited();
      await leaveQueue();
      recorder.set({ waitSeconds });
      recorder.event('abandoned', { waitSeconds });
      return { outcome: 'abandoned', waitSeconds };
    }

    if (session.exit) {
      const exit = session.exit;
      session.exit = undefined;
      const waitSeconds = waited();
      recorder.set({ waitSeconds });
      recorder.event('queueExit', { ...exit, waitSeconds });
      if (options.exits === 'flow') return { outcome: exit.reason, waitSeconds, handled: false };
      if (exit.action.type === 'queue') {
        // Sent on to another queue: the caller joins its end and the wait there counts from now.
        queueName = exit.action.queue;
        queuedAtMs = Date.now();
        recorder.set({ queue: queueName, queuedAt: new Date().toISOString() });
        continue;
      }
      await carryOut(rt, exit.action, queueName);
      return { outcome: exit.reason, waitSeconds, handled: true };
    }

    // Offer: ring the reserved agent(s), or transfer the caller to them, as the queue says.
    const assignment = session.assignment!;
    const members = offerMembers(assignment);
    offers++;
    recorder.set({ agentId: assignment.agentId, offeredAt: new Date().toISOString() });
    recorder.event('offered', {
      agentId: assignment.agentId,
      queue: assignment.queue,
      reservationId: assignment.reservationId,
      ...(members.length > 1 ? { group: members.map((m) => m.agentId) } : {}),
    });
    const offer = await offerToAgents(rt, session, assignment, { music: holdMusic, ...(playing !== undefined && !session.operations.has(playing) ? { playing } : {}) });

    if (offer.agentId) {
      const agentId = offer.agentId;
      // Connected when Graph said so (the same moment our leg may have ended), not after we told the queue.
      const waitSeconds = Math.round(Date.now() - queuedAtMs) / 1000;
      recorder.set({ agentId, connectedAt: new Date().toISOString(), waitSeconds });
      await reportOffer(assignment, offer.outcomes, workflowId);
      recorder.event('connected', { agentId, waitSeconds });
      // After a transfer Graph ends our leg (terminated); the caller now talks to the agent directly.
      if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await session.refreshFromGraph();
      return { outcome: 'connected', agentId, waitSeconds };
    }

    await reportOffer(assignment, offer.outcomes, workflowId);
    if (session.terminated) {
      const waitSeconds = waited();
      recorder.set({ waitSeconds, agentId: undefined });
      recorder.event('abandoned', { waitSeconds, duringOfferTo: assignment.agentId });
      return { outcome: 'abandoned', waitSeconds };
    }
    // Nobody took it: back in the queue at the same place; the queue rests those agents for this call a while
    // before offering it to them again.
    recorder.event('offerFailed', {
      agentId: assignment.agentId,
      outcomes: offer.outcomes,
      resultInfo: session.resultInfo,
      error: offer.error !== undefined ? String(offer.error) : undefined,
    });
    recorder.set({ agentId: undefined });
    session.assignment = undefined;
    if (session.state !== 'established') await session.refreshFromGraph();
    if (session.terminated) return { outcome: 'abandoned', waitSeconds: waited() };
  }
}

/** The queue's overflow, timeout or no-agents action (other than moving to another queue); the call ends after it. */
async function carryOut(rt: CallRuntime, action: Exclude<QueueAction, { type: 'queue' }>, queueName: string): Promise<void> {
  if (action.type === 'transfer') {
    await rt.transfer('userId' in action ? { user: action.userId } : { phone: action.phone });
    return;
  }
  if (action.type === 'voicemail') {
    await rt.voicemail(action.mailbox ?? queueName);
    return;
  }
  if (action.prompt && !rt.session.terminated) await rt.session.play(rt.promptUris(action.prompt), 'queue-exit');
  rt.outcome = 'queueDisconnected';
  await rt.session.hangUpQuietly();
}

/** Tell the queue this call has left it (a hang-up, a callback taken); a queue that is gone needs no telling. */
export async function leaveQueueNamed(queue: string, callWorkflowId: string): Promise<void> {
  await getExternalWorkflowHandle(queueWorkflowId(queue))
    .signal(leaveQueueSignal, { callWorkflowId })
    .catch((err: unknown) => log.warn('could not tell the queue we left', { queue, error: String(err) }));
}

/**
 * How an offer made under a reservation ended, per agent offered: told to each agent (fire and forget) and to the
 * queue that made it. An agent without an outcome was never rung: cancelled.
 */
export async function reportOffer(a: AgentAssignment, outcomes: Record<string, AgentOfferOutcome>, callWorkflowId: string): Promise<void> {
  const queue = getExternalWorkflowHandle(queueWorkflowId(a.queue));
  await Promise.all(
    offerMembers(a).map(async ({ agentId, reservationId }) => {
      const outcome = outcomes[agentId] ?? 'cancelled';
      releaseAgent({ ...a, agentId, reservationId }, outcome === 'busy' ? 'cancelled' : outcome);
      await queue
        .signal(offerResultSignal, { callWorkflowId, agentId, reservationId, outcome: outcome === 'missed' ? 'failed' : outcome })
        .catch((err: unknown) => log.warn('could not report the offer to the queue', { queue: a.queue, error: String(err) }));
    }),
  );
}

/** Tell the agent's workflow how the offer made under its reservation ended (fire and forget: it's a signal). */
export function releaseAgent(a: AgentAssignment, outcome: Exclude<AgentOfferOutcome, 'busy'>): void {
  void getExternalWorkflowHandle(agentWorkflowId(a.agentId))
    .signal(agentOfferOutcomeSignal, {
      reservationId: a.reservationId,
      outcome,
      wrapUpSeconds: a.wrapUpSeconds,
      missesBeforeAway: a.missesBeforeAway,
    })
    .catch((err: unknown) => log.warn('could not report the offer to the agent', { agentId: a.agentId, error: String(err) }));
}
