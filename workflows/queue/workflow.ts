import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { QueueAction } from '../../src/contracts/queue-config.js';
import type { RoutingActivities } from '../../src/contracts/activities/queueing.js';
import { queueExitSignal, type QueueExit } from '../../src/contracts/call.js';
import type { QueueLiveRow, QueueWorkflowInput } from '../../src/contracts/queue.js';
import {
  QUEUE_LIVE_HOLD_ONLY_PATCH,
  QUEUE_LIVE_THROTTLED_PATCH,
  QUEUE_REFUSAL_KEEPS_TURN_PATCH,
  QUEUE_RESERVE_AT_ONCE_PATCH,
  QUEUE_RESERVE_BY_SIGNAL_PATCH,
} from '../patches.js';
import { setQueueHandlers, type QueueInbox } from './handlers.js';
import { match, releaseReservation, type Matching } from './matching.js';
import { QueueState } from './state.js';

const liveWriter = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** QUEUE_LIVE_THROTTLED_PATCH: the live panels refresh every 5 s, so a row a second is plenty. */
const LIVE_ROW_INTERVAL_MS = 1000;

/** Continue as new well before the history grows large or nears 10,000 signals. */
const MAX_HISTORY_EVENTS = 4000;

/** A long-lived entity workflow per queue: matches waiting calls to agents by the queue's routing method. */
export async function queueWorkflow(input: QueueWorkflowInput): Promise<void> {
  const { config } = input;
  const queue = new QueueState(config, input.state);
  queue.refusalKeepsTurn = patched(QUEUE_REFUSAL_KEEPS_TURN_PATCH);
  queue.oldestOnHoldOnly = patched(QUEUE_LIVE_HOLD_ONLY_PATCH);
  const inbox: QueueInbox = { exits: [], cancels: [], changed: true };
  const { exits, cancels } = inbox;
  // Decided once per run, so a run replays with the matching it started with.
  const matching: Matching = {
    atOnce: patched(QUEUE_RESERVE_AT_ONCE_PATCH),
    bySignal: patched(QUEUE_RESERVE_BY_SIGNAL_PATCH),
    cancels,
    inFlight: 0,
    wake: () => (inbox.changed = true),
  };
  setQueueHandlers(queue, inbox);

  const actionFor = (reason: QueueExit['reason']): QueueAction =>
    reason === 'overflow' ? config.overflowAction : reason === 'timeout' ? config.timeoutAction : config.noAgentsAction;
  let lastLive = '';
  // The live row is written in the background, latest value only: Postgres being away never holds up routing.
  let liveToWrite: QueueLiveRow | undefined;
  const liveThrottled = patched(QUEUE_LIVE_THROTTLED_PATCH);
  let liveWrittenAt = -Infinity;
  void (async () => {
    for (;;) {
      await condition(() => liveToWrite !== undefined);
      if (liveThrottled) {
        // A change after a quiet spell is written at once; a busy queue's changes meanwhile fold into the next write.
        const wait = liveWrittenAt + LIVE_ROW_INTERVAL_MS - Date.now();
        if (wait > 0) await sleep(wait);
        liveWrittenAt = Date.now();
      }
      const row = liveToWrite!;
      liveToWrite = undefined;
      await liveWriter.publishQueueLive(row);
    }
  })();

  for (;;) {
    const timeout = queue.nextTimer(Date.now());
    if (timeout === undefined) await condition(() => inbox.changed);
    else await condition(() => inbox.changed, timeout);
    inbox.changed = false;

    for (const call of queue.takeTimedOut(Date.now())) exits.push({ call, reason: 'timeout' });
    for (const call of queue.takeUnstaffed()) exits.push({ call, reason: 'noAgents' });
    while (exits.length) {
      const { call, reason } = exits.shift()!;
      await getExternalWorkflowHandle(call.callWorkflowId)
        .signal(queueExitSignal, { queue: config.name, reason, action: actionFor(reason) })
        .catch((err: unknown) =>
          log.info('call left before its queue exit', {
            callId: call.callId,
            callWorkflowId: call.callWorkflowId,
            error: String(err),
          }),
        );
    }
    while (cancels.length) await releaseReservation(cancels.shift()!);

    // A rejected reservation changes what the queue knows (an agent signed out): look again at once.
    if (await match(queue, matching)) inbox.changed = true;
    while (cancels.length) await releaseReservation(cancels.shift()!);

    const live = queue.live();
    const liveKey = JSON.stringify(live);
    if (liveKey !== lastLive) {
      lastLive = liveKey;
      liveToWrite = live;
    }

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(() => allHandlersFinished() && matching.inFlight === 0);
      if (exits.length || cancels.length) continue;
      await continueAsNew<typeof queueWorkflow>({ config, state: queue.s });
    }
  }
}
