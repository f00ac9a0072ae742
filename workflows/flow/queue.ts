import { condition, workflowInfo } from '@temporalio/workflow';
import type { QueueAction } from '../../src/contracts/queue-config.js';
import { failureDetails, queueing, ESTABLISH_WAIT } from '../call-session.js';
import type { QueueOptions, QueueResult } from './api.js';
import type { CallContext } from './context.js';
import { HOLD_MUSIC, HOLD_MUSIC_MAX, SHIPPED_HOLD_MUSIC_REPEAT } from './hold-music.js';
import { leaveQueueNamed, offerMembers, reportOffer } from './reservation.js';
import { afterConnected } from './survey.js';
import { talkWithTransfers, transferredBefore } from './warm-transfer.js';

/** The queue verb, on the timeline as `verb:queue`; how the wait ended is the call's outcome, where it decides one. */
export function queueVerb(ctx: CallContext, name: string, options: QueueOptions): Promise<QueueResult> {
  return ctx.verb('queue', { queue: name, ...options }, async () => {
    if (ctx.session.terminated) return { outcome: 'abandoned', waitSeconds: 0 } as const;
    ctx.queueGaveUp = false;
    const result = await waitInQueue(ctx, name, options);
    // The talk is over: the post-call survey, when the flow or the queue asks one (survey.ts).
    if (result.outcome === 'connected') await afterConnected(ctx, result.agentId, options.survey);
    ctx.queueGaveUp = result.outcome === 'timeout' || result.outcome === 'overflow' || result.outcome === 'noAgents';
    if (result.outcome === 'connected') ctx.outcome = 'connected';
    else if (result.outcome === 'abandoned') ctx.outcome = 'abandoned';
    else if (result.outcome === 'callback') ctx.outcome = 'callback';
    return result;
  });
}

/**
 * The queue verb: wait in a queue with hold music and announcements until an agent takes the call (the caller is
 * transferred to them), the caller hangs up, or the queue gives up (overflow, timeout, no agents). Unless the flow
 * asked to handle those itself (`exits: 'flow'`), the queue's configured action is carried out here: another queue,
 * voicemail, a transfer, or a closing message.
 */
async function waitInQueue(ctx: CallContext, firstQueue: string, options: QueueOptions = {}): Promise<QueueResult> {
  const { session, recorder, callId } = ctx;
  const workflowId = workflowInfo().workflowId;
  let queueName = firstQueue;
  let queuedAtMs = Date.now();
  const priority = options.priority ?? ctx.priority;
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
    ? ctx.promptUris(options.holdMusic)
    : ctx.promptUris(Array.from({ length: SHIPPED_HOLD_MUSIC_REPEAT }, () => HOLD_MUSIC));

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
    const callbackAt =
      options.offerCallbackAfterSeconds !== undefined
        ? queuedAtMs + options.offerCallbackAfterSeconds * 1000
        : Infinity;
    const waitingOver = () => Boolean(session.assignment) || Boolean(session.exit) || session.terminated;
    const nextBreak = () => Math.min(nextAnnouncement, callbackOffered ? Infinity : callbackAt);

    // An agent being rung for this call: hold music goes on until they answer (a blind transfer silences it).
    const ringing = () =>
      Boolean(session.assignment) && session.assignment!.offerBy === 'ring' && !session.exit && !session.terminated;
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
        const finished = await condition(
          () => session.operations.has(opId) || waitingOver(),
          timed ? untilBreak() : HOLD_MUSIC_MAX,
        );
        const breakDue = Date.now() >= nextBreak();
        if (!finished && !breakDue) {
          recorder.event('holdMusicNoCompletion', { operationId: opId });
          await session.refreshFromGraph();
        }
        if (
          (waitingOver() || breakDue) &&
          !session.operations.has(opId) &&
          !session.terminated &&
          !(ringing() && !breakDue)
        ) {
          await session.cancelMedia(session.assignment ? 'offer' : 'announcement');
          playing = undefined;
        }
      }

      if (!waitingOver() && !callbackOffered && Date.now() >= callbackAt) {
        callbackOffered = true;
        const taken = await ctx.steps.takeCallback(queueName, options);
        if (taken) {
          // The caller hangs up and keeps their place: the workflow stays in the queue and calls them back.
          const waitSeconds = waited();
          recorder.set({ waitSeconds });
          const callback = await ctx.steps.keepPlaceForCallback(
            { queue: queueName, queuedAtMs, priority, number: taken.number, waitSeconds },
            options,
          );
          return { outcome: 'callback', waitSeconds, number: taken.number, callback };
        }
        continue;
      }

      if (!waitingOver() && Date.now() >= nextAnnouncement) {
        nextAnnouncement = Date.now() + every;
        announcements++;
        const where = await queueing
          .queuePosition({ queue: queueName, callWorkflowId: workflowId })
          .catch(() => undefined);
        if (where && where.position > 0) {
          recorder.event('announcement', { ...where });
          const minutes = Math.max(1, Math.round(where.ewtSeconds / 60));
          await session.play(
            [
              ctx.promptUri(`announcements/position-${Math.min(where.position, 20)}.wav`),
              ctx.promptUri(`announcements/wait-${Math.min(minutes, 30)}-minutes.wav`),
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
      await carryOut(ctx, exit.action, queueName);
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
    // The flow may say how this wait's agent is put through, whatever the queue says (QueueOptions.connectBy).
    // A transferred caller is in a group call already: the next agent joins it (warm-transfer.ts).
    const connectBy = options.connectBy ?? (transferredBefore(session) ? 'conference' : undefined);
    const offered = connectBy ? { ...assignment, connectBy } : assignment;
    const offer = await ctx.steps.offerToAgents(session, offered, {
      music: holdMusic,
      ...(playing !== undefined && !session.operations.has(playing) ? { playing } : {}),
    });

    if (offer.agentId) {
      const agentId = offer.agentId;
      // Connected when Graph said so (the same moment our leg may have ended), not after we told the queue.
      const waitSeconds = Math.round(Date.now() - queuedAtMs) / 1000;
      const connectedAt = new Date().toISOString();
      // How (conferenceIn set 'conference'): the CDR says which calls have an exact talk end (talk_ended_at).
      recorder.set({ agentId, connectedAt, waitSeconds, ...(offer.conference ? {} : { connectedBy: 'transfer' }) });
      await reportOffer(assignment, offer.outcomes, workflowId, {
        at: connectedAt,
        endReported: offer.conference === true,
      });
      recorder.event('connected', { agentId, waitSeconds });
      // In a conference Switchboard stays until the roster shows the talk over (conference.ts). After a transfer
      // Graph ends our leg (terminated); the caller now talks to the agent directly.
      if (offer.conference) {
        // The agent may send the caller on (warm-transfer.ts): to another queue, with the time already waited.
        const after = await talkWithTransfers(ctx, { assignment, agentId, queue: queueName, holdMusic });
        if ('queue' in after) {
          [queueName, queuedAtMs, session.assignment] = [after.queue, Date.now() - waitSeconds * 1000, undefined];
          recorder.set({ queue: queueName });
          continue;
        }
        return { outcome: 'connected', agentId: after.agentId, waitSeconds };
      } else if (!(await condition(() => session.terminated, ESTABLISH_WAIT))) await session.refreshFromGraph();
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
async function carryOut(
  ctx: CallContext,
  action: Exclude<QueueAction, { type: 'queue' }>,
  queueName: string,
): Promise<void> {
  if (action.type === 'transfer') {
    await ctx.call.transfer('userId' in action ? { user: action.userId } : { phone: action.phone });
    return;
  }
  if (action.type === 'voicemail') {
    await ctx.call.voicemail(action.mailbox ?? queueName);
    return;
  }
  if (action.prompt && !ctx.session.terminated) await ctx.session.play(ctx.promptUris(action.prompt), 'queue-exit');
  ctx.outcome = 'queueDisconnected';
  await ctx.session.hangUpQuietly();
}
