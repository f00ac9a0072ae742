import { condition, patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { CallbackActivities } from '../../src/contracts/activities/callbacks.js';
import type { GraphActivities } from '../../src/contracts/activities/graph.js';
import type { AgentAssignment } from '../../src/contracts/call.js';
import { failureDetails, queueing, ESTABLISH_WAIT, type CallSession } from '../call-session.js';
import type { CallbackOutcome, QueueOptions } from './api.js';
import type { CallbackPlace, CallContext } from './context.js';
import { HOLD_MUSIC, holdUntil } from './hold-music.js';
import { clamp } from './limits.js';
import { leaveQueueNamed, reportOffer, type AgentOfferOutcome } from './reservation.js';
import { classifyRingEnd } from '../../src/contracts/graph-result-codes.js';
import { CALLBACK_SENT_ON_SEGMENTS_PATCH } from '../patches.js';

const callbacks = proxyActivities<CallbackActivities>({
  startToCloseTimeout: '10s',
  // Postgres being away must not lose the row; the callback itself goes on meanwhile (writes are in the background).
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});
// A retried createCall could ring the person twice: a few quick tries (429/5xx are refused before a call exists).
const dialer = proxyActivities<GraphActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});

export const CALLBACK_DEFAULTS = { attempts: 3, retryDelaySeconds: 120, intro: 'callback-intro.wav' } as const;
/** Graph ends an unanswered outbound call by itself; this is only the fallback if that notification is lost. */
const RING_MAX = '90s';

/**
 * After the caller took a callback: hang up, keep the call's place in the queue, and when its turn comes (an agent is
 * reserved for it) call the number back from the dialled resource account. The person who answers hears the intro
 * and is transferred to the reserved agent. A call that is not answered (no answer, busy, declined) releases the
 * agent; after the retry delay the callback re-joins the queue at its original place, for the next agent and the
 * next try. Everything is workflow state, so a restart of any process picks up where it was.
 */
export async function keepPlaceForCallback(
  ctx: CallContext,
  start: CallbackPlace,
  options: QueueOptions,
): Promise<CallbackOutcome> {
  const { session, recorder, callId } = ctx;
  const workflowId = workflowInfo().workflowId;
  const maxAttempts = clamp(Math.round(options.callbackAttempts ?? CALLBACK_DEFAULTS.attempts), 1, 10);
  const retryDelayMs =
    clamp(Math.round(options.callbackRetryDelaySeconds ?? CALLBACK_DEFAULTS.retryDelaySeconds), 10, 3600) * 1000;
  const intro = ctx.promptUris(options.callbackIntro ?? CALLBACK_DEFAULTS.intro);
  const holdMusic = ctx.promptUris(options.holdMusic ?? HOLD_MUSIC);
  const { number } = start;
  let queue = start.queue;
  let queuedAtMs = start.queuedAtMs;
  /** The caller's time on hold in the queue the callback is in: theirs before they asked in the first, none after. */
  let holdSeconds = start.waitSeconds;
  let attempts = 0;
  /** The person called back, on the line and waiting for an agent (after an agent missed the transfer). */
  let leg: CallSession | undefined;

  // The caller's own leg ends now; agents the queue reserves from here on are for the callback.
  session.awaitingCallback = true;

  // Rows are written in the background, in order: Postgres being away never holds up the callback.
  let writes: Promise<void> = Promise.resolve();
  const write = (fn: () => Promise<unknown>) => {
    writes = writes.then(fn).then(
      () => undefined,
      (err: unknown) => recorder.event('callbackWriteFailed', failureDetails(err)),
    );
  };
  write(() =>
    callbacks.requestCallback({
      callId,
      workflowId,
      queue,
      number,
      ...(ctx.from.id && ctx.from.kind !== 'unknown' ? { fromId: ctx.from.id } : {}),
      requestedAt: new Date().toISOString(),
    }),
  );

  await session.hangUpQuietly();
  if (!session.terminated && !(await condition(() => session.terminated, ESTABLISH_WAIT)))
    await session.refreshFromGraph();
  // For the caller the call is over: the CDR says so now, not when the callback is.
  recorder.set({
    outcome: 'callback',
    waitSeconds: start.waitSeconds,
    endedAt: recorder.record.endedAt ?? new Date().toISOString(),
  });
  recorder.event('callbackWaiting', { queue, number, attempts: maxAttempts, retryDelaySeconds: retryDelayMs / 1000 });

  const enqueue = async (): Promise<boolean> => {
    try {
      await queueing.enqueueCall({
        queue,
        waiting: {
          callWorkflowId: workflowId,
          callId,
          enqueuedAt: queuedAtMs,
          priority: start.priority,
          callback: true,
        },
      });
      recorder.event('queued', { queue, requeue: true, callback: true, priority: start.priority });
      return true;
    } catch (err) {
      recorder.event('queueFailed', { queue, ...failureDetails(err) });
      return false;
    }
  };
  const leaveQueue = () => leaveQueueNamed(queue, workflowId);
  const report = (a: AgentAssignment, outcomes: Record<string, AgentOfferOutcome>) =>
    reportOffer(a, outcomes, workflowId);
  const cancel = (a: AgentAssignment) => report(a, {});
  const end = async (outcome: CallbackOutcome): Promise<CallbackOutcome> => {
    session.awaitingCallback = false;
    write(() =>
      callbacks.updateCallback({
        callId,
        status: outcome.status,
        attempts,
        ...(outcome.agentId ? { agentId: outcome.agentId } : {}),
        lastError: outcome.reason ?? null,
        completedAt: new Date().toISOString(),
      }),
    );
    recorder.event(outcome.status === 'completed' ? 'callbackCompleted' : 'callbackFailed', {
      ...outcome,
      number,
      queue,
    });
    await writes;
    return outcome;
  };
  const fail = (reason: string) => end({ status: 'failed', attempts, reason });

  for (;;) {
    const turn = () => Boolean(session.assignment) || Boolean(session.exit);
    if (leg) await holdUntil(leg, holdMusic, () => turn() || leg!.terminated);
    else await condition(turn);

    if (leg?.terminated) {
      if (session.assignment) await cancel(session.assignment);
      session.assignment = undefined;
      await leaveQueue();
      return fail('the person called back hung up before an agent took the call');
    }
    if (session.exit) {
      const exit = session.exit;
      session.exit = undefined;
      if (exit.action.type === 'queue' && patched(CALLBACK_SENT_ON_SEGMENTS_PATCH)) {
        // Each queue counts its own segment (issue 27 point 2): the one left ends here as a flow-out, with the
        // caller's time on hold there (not the time the callback kept its place) and when it entered; the call
        // record moves to the next queue, where the callback is answered or fails. The caller held on no queue after.
        recorder.event('queueExit', {
          ...exit,
          callback: true,
          waitSeconds: holdSeconds,
          enteredAt: new Date(queuedAtMs).toISOString(),
        });
        holdSeconds = 0;
        recorder.set({ queue: exit.action.queue, queuedAt: new Date().toISOString(), waitSeconds: 0 });
      } else recorder.event('queueExit', { ...exit, callback: true });
      if (exit.action.type === 'queue') {
        // Sent on to another queue: the callback joins its end, as a caller would.
        queue = exit.action.queue;
        queuedAtMs = Date.now();
        write(() => callbacks.updateCallback({ callId, status: leg ? 'dialing' : 'requested', queue }));
        if (await enqueue()) continue;
        if (leg) await leg.hangUpQuietly();
        return fail(`the queue ${queue} could not be joined`);
      }
      // Voicemail, a transfer or a closing message need a caller on the line: the callback ends here.
      if (leg) await leg.hangUpQuietly();
      return fail(`the queue gave up on it (${exit.reason})`);
    }

    const assignment = session.assignment!;
    if (!leg) {
      attempts++;
      write(() => callbacks.updateCallback({ callId, status: 'dialing', attempts }));
      const dialled = await dial(ctx, { number, workflowId, intro, attempt: attempts });
      if ('reason' in dialled) {
        // Not the agent's miss: release them for other calls, and try again later from the same place in the queue.
        await cancel(assignment);
        session.assignment = undefined;
        recorder.event('callbackNotAnswered', { attempt: attempts, of: maxAttempts, reason: dialled.reason });
        if (attempts >= maxAttempts) return fail(`not answered after ${attempts} calls (last: ${dialled.reason})`);
        write(() => callbacks.updateCallback({ callId, status: 'requested', lastError: dialled.reason }));
        await sleep(retryDelayMs);
        if (await enqueue()) continue;
        return fail(`the queue ${queue} could not be joined`);
      }
      leg = dialled.leg;
      recorder.event('callbackAnswered', { attempt: attempts, callbackCallId: leg.callId });
      await leg.play(intro, 'callback-intro');
      if (leg.terminated) {
        await cancel(assignment);
        session.assignment = undefined;
        return fail('the person called back hung up during the introduction');
      }
    }

    // Offer the person called back to the reserved agent(s), as the queue verb does with a caller.
    const { agentId } = assignment;
    recorder.event('offered', {
      agentId,
      queue: assignment.queue,
      reservationId: assignment.reservationId,
      callback: true,
      callbackCallId: leg.callId,
    });
    const offer = await ctx.steps.offerToAgents(leg, assignment, { music: holdMusic });
    if (offer.agentId) {
      await report(assignment, offer.outcomes);
      recorder.event('connected', { agentId: offer.agentId, callback: true, callbackCallId: leg.callId });
      // Graph ends our leg after the transfer: the person now talks to the agent directly.
      if (!(await condition(() => leg!.terminated, ESTABLISH_WAIT))) await leg.refreshFromGraph();
      return end({ status: 'completed', attempts, agentId: offer.agentId });
    }
    await report(assignment, offer.outcomes);
    session.assignment = undefined;
    recorder.event('offerFailed', {
      agentId,
      callback: true,
      outcomes: offer.outcomes,
      resultInfo: leg.resultInfo,
      ...(offer.error !== undefined ? { error: String(offer.error) } : {}),
    });
    if (leg.state !== 'established' && !leg.terminated) await leg.refreshFromGraph();
    if (leg.terminated) return fail('the person called back hung up before an agent took the call');
    // The person stays on the line with hold music, back at the callback's place in the queue, for the next agent.
    if (!(await enqueue())) {
      await leg.hangUpQuietly();
      return fail(`the queue ${queue} could not be joined`);
    }
  }
}

/** Call the number from the dialled resource account; the call's notifications come back to this workflow. */
async function dial(
  ctx: CallContext,
  o: { number: string; workflowId: string; intro: string[]; attempt: number },
): Promise<{ leg: CallSession } | { reason: string }> {
  const { session, recorder } = ctx;
  // Our webhook, naming this workflow: Graph sends the new call's notifications there, and the webhook signals us.
  // (The call context has the webhook URL and the Call a flow sees does not: a flow never needs it, the callback does.)
  const webhook = ctx.callbackUri;
  const callbackUri = `${webhook}${webhook.includes('?') ? '&' : '?'}workflowId=${encodeURIComponent(o.workflowId)}`;
  let placed: { callId: string };
  try {
    placed = await dialer.createCall({
      phone: o.number,
      applicationInstanceId: ctx.incoming.to.applicationInstanceId!,
      tenantId: ctx.incoming.tenantId!,
      callbackUri,
      preFetchUris: o.intro,
    });
  } catch (err) {
    const details = failureDetails(err);
    recorder.event('callbackDialFailed', { attempt: o.attempt, ...details });
    return { reason: `the call could not be placed: ${String(details.error)}` };
  }
  const leg = session.attachLeg(placed.callId);
  recorder.event('callbackDialed', { attempt: o.attempt, number: o.number, callbackCallId: placed.callId });
  if (!(await condition(() => leg.state === 'established' || leg.terminated, RING_MAX))) {
    await leg.refreshFromGraph();
    if (leg.state !== 'established' && !leg.terminated) {
      await leg.hangUpQuietly();
      return { reason: 'no answer' };
    }
  }
  if (leg.terminated) return { reason: notAnswered(leg) };
  return { leg };
}

/** Why an outbound call ended before it was answered, from Graph's resultInfo read by the one result-code table. */
function notAnswered(leg: CallSession): string {
  const { end, code, subcode } = classifyRingEnd(leg.resultInfo);
  if (end === 'busy') return 'busy';
  if (end === 'declined') return 'declined';
  if (end === 'notAnswered') return 'no answer';
  const codes = code !== undefined ? ` (${code}/${subcode})` : '';
  return end === 'unreachable' ? `could not be reached${codes}` : `ended before it was answered${codes}`;
}
