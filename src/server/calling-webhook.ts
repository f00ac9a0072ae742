import type { Request, Response } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { Logger } from 'pino';
import { parseCommsNotifications } from '../graph/notifications.js';
import { callWorkflowId, graphNotificationSignal, type CallWorkflowInput } from '../contracts/call.js';
import type { CallNotification, IncomingCall } from '../contracts/graph-call.js';
import { callsRefusedTotal, notificationsTotal, webhookLatency } from '../metrics.js';
import type { RecordingTokens } from '../recordings/recording-tokens.js';
import type { AnswerAdmission } from './answer-admission.js';
import { tellsWorkflowNothing } from './unread-notifications.js';

export interface CallingWebhookDeps {
  client: Client;
  taskQueue: string;
  /** Ask Temporal to hand the call's first workflow task to this process's worker (its client shares the connection). */
  eagerStart: boolean;
  logger: Logger;
  /** Our own webhook URL, given to Graph as the call's callbackUri. */
  callbackUri: string;
  promptBaseUrl: string;
  /** How often the call workflow sends keepAlive for the calls it holds (call-keepalive.md). */
  keepAliveSeconds?: number;
  /** PHONE_REGION: the country keyed numbers are read in where the line names none (CallWorkflowInput.phoneRegion). */
  phoneRegion?: string;
  /** Where a recording's access token is kept instead of the call's history (recording-tokens.ts). */
  recordingTokens?: RecordingTokens;
  /**
   * Admission control (answer-admission.ts): with it, an incoming call that arrives while this process's calls wait
   * too long for their answer is refused busy through `refuseCall` instead of started.
   */
  admission?: { limits: AnswerAdmission; refuseCall: (callId: string) => Promise<void> };
  /**
   * The search attributes a call's workflow starts with (src/temporal/search-attributes.ts: its line, flow and the
   * caller's keyed hash), so the Temporal UI finds it from its first moment; the workflow adds the rest as it goes.
   */
  searchAttributes?: (call: IncomingCall) => SearchAttributePair[];
}

/**
 * POST /api/calling: Graph's calling notifications. The answer is 202 only once Temporal has accepted every
 * start or signal in the body, so a 2xx means the notification is durable. Unknown calls are acknowledged.
 */
export function callingWebhook(deps: CallingWebhookDeps) {
  const { client, logger } = deps;

  async function startCall(call: IncomingCall): Promise<{ result: 'accepted' | 'duplicate'; eager?: boolean }> {
    const workflowId = callWorkflowId(call.callId);
    const input: CallWorkflowInput = {
      call,
      callbackUri: deps.callbackUri,
      promptBaseUrl: deps.promptBaseUrl,
      ...(deps.keepAliveSeconds !== undefined ? { keepAliveSeconds: deps.keepAliveSeconds } : {}),
      ...(deps.phoneRegion ? { phoneRegion: deps.phoneRegion } : {}),
    };
    try {
      const handle = await client.workflow.start('callWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        // A duplicate while it runs joins the running workflow; one after it ended is refused, never re-run.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...(deps.eagerStart ? { requestEagerStart: true } : {}),
        ...(deps.searchAttributes ? { typedSearchAttributes: deps.searchAttributes(call) } : {}),
      });
      return { result: 'accepted', ...(deps.eagerStart ? { eager: handle.eagerlyStarted } : {}) };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { result: 'duplicate' };
      throw err;
    }
  }

  async function signalCall(n: CallNotification, workflowId: string): Promise<'signalled' | 'unknown'> {
    try {
      const delivered = deps.recordingTokens ? await deps.recordingTokens.withoutToken(n) : n;
      await client.workflow.getHandle(workflowId).signal(graphNotificationSignal, delivered);
      return 'signalled';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'unknown';
      throw err;
    }
  }

  /** Refuse the call busy if the worker is behind with its answers: true when it was refused. */
  async function refusedBusy(callId: string): Promise<boolean> {
    if (!deps.admission) return false;
    const decision = deps.admission.limits.decide();
    if (decision.admit) return false;
    try {
      await deps.admission.refuseCall(callId);
    } catch (err) {
      // Graph did not take the refusal: try to answer the call after all rather than leave it ringing.
      logger.error({ callId, err }, 'could not refuse an incoming call; starting it');
      return false;
    }
    deps.admission.limits.refusedCall(callId);
    callsRefusedTotal.inc({ reason: 'busy' });
    const { reason, oldestWaitMs, unanswered } = decision;
    logger.info({ callId, reason, oldestWaitMs, unanswered }, 'incoming call refused: busy');
    return true;
  }

  return async (req: Request, res: Response): Promise<void> => {
    const stopTimer = webhookLatency.startTimer();
    let parsed: ReturnType<typeof parseCommsNotifications>;
    try {
      parsed = parseCommsNotifications(req.body);
    } catch (err) {
      // The parser must not throw on any input; if it does (e.g. a malformed %-escape in a call id), it is bad input.
      parsed = {
        ok: false,
        error: `unreadable notification: ${err instanceof Error ? err.message : String(err)}`,
      } as typeof parsed;
    }
    if (!parsed.ok) {
      if (parsed.legacy) {
        // Microsoft documents that a 204 makes the platform resend a legacy-format notification in Graph's format.
        logger.info('legacy-format calling notification; asked for the Graph format with 204');
        res.status(204).end();
        return;
      }
      notificationsTotal.inc({ result: 'rejected' });
      logger.warn({ reason: parsed.error }, 'rejected calling notification');
      res.status(400).json({ error: { code: 'BadRequest', message: parsed.error } });
      return;
    }

    // Graph call ids are GUID-like; one Temporal could not take as part of a workflow id (too long, control
    // characters) would otherwise be answered 503 "retry later" forever. Refuse it as bad input instead.
    const badId = parsed.items
      .map((item) =>
        item.kind === 'incoming'
          ? item.call.callId
          : item.kind === 'notification'
            ? item.notification.callId
            : item.callId,
      )
      .find((id) => typeof id === 'string' && !isUsableCallId(id));
    if (badId !== undefined) {
      notificationsTotal.inc({ result: 'rejected' });
      logger.warn({ reason: 'unusable call id', callIdLength: badId.length }, 'rejected calling notification');
      res
        .status(400)
        .json({ error: { code: 'BadRequest', message: 'call id is not usable (at most 200 printable characters)' } });
      return;
    }

    // A call Switchboard placed itself (a callback) has no workflow of its own: the callbackUri it was created with
    // names the call workflow that placed it (`?workflowId=call-…`), and every notification in the body goes there.
    const routedTo = placedBy(req.query['workflowId']);
    if (routedTo === null) {
      notificationsTotal.inc({ result: 'rejected' });
      logger.warn({ reason: 'unusable workflowId parameter' }, 'rejected calling notification');
      res.status(400).json({ error: { code: 'BadRequest', message: 'workflowId must name a call workflow (call-…)' } });
      return;
    }

    // The call the notification being handed over is about, for the error line if Temporal refuses it.
    let current: { callId: string; workflowId: string } | undefined;
    try {
      // Notifications in one body are for ordered events of usually one call: deliver them in order.
      for (const item of parsed.items) {
        const id =
          item.kind === 'incoming'
            ? item.call.callId
            : item.kind === 'notification'
              ? item.notification.callId
              : item.callId;
        const target =
          item.kind === 'notification' && routedTo ? routedTo : typeof id === 'string' ? callWorkflowId(id) : undefined;
        current = typeof id === 'string' && target ? { callId: id, workflowId: target } : undefined;
        if (item.kind === 'incoming') {
          if (await refusedBusy(item.call.callId)) {
            notificationsTotal.inc({ result: 'refused' });
            continue;
          }
          // The caller waits from now: a start that Temporal is slow to accept counts against the answer too.
          deps.admission?.limits.started(item.call.callId);
          let started: Awaited<ReturnType<typeof startCall>>;
          try {
            started = await startCall(item.call);
          } catch (err) {
            deps.admission?.limits.settled(item.call.callId); // not taken: Graph will send it again or end it
            throw err;
          }
          const { result, eager } = started;
          if (result === 'duplicate') deps.admission?.limits.settled(item.call.callId); // its workflow has ended
          notificationsTotal.inc({ result: result === 'accepted' ? 'accepted' : 'duplicate' });
          logger.info(
            {
              callId: item.call.callId,
              workflowId: callWorkflowId(item.call.callId),
              result,
              ...(eager !== undefined ? { eager } : {}),
            },
            'incoming call',
          );
        } else if (item.kind === 'notification') {
          const n = item.notification;
          // Any news of the call after its incoming notification means it was answered or has ended.
          if (!(n.kind === 'state' && n.state === 'incoming')) deps.admission?.limits.settled(n.callId);
          if (!routedTo && deps.admission?.limits.wasRefused(n.callId)) {
            // A call we refused has no workflow: its `terminated` is expected, not a lost call.
            notificationsTotal.inc({ result: 'refusedCall' });
            continue;
          }
          const workflowId = routedTo ?? callWorkflowId(item.notification.callId);
          if (tellsWorkflowNothing(n)) {
            // Acknowledged, not signalled: a workflow task and history events for nothing it reads.
            notificationsTotal.inc({ result: 'unread' });
            logger.debug({ callId: n.callId, workflowId, kind: n.kind }, 'notification not signalled: nothing read');
            continue;
          }
          const result = await signalCall(item.notification, workflowId);
          notificationsTotal.inc({ result: result === 'signalled' ? 'accepted' : 'unknownCall' });
          const log = { callId: item.notification.callId, workflowId, kind: item.notification.kind };
          if (result === 'unknown') logger.warn(log, 'notification for a call with no running workflow; acknowledged');
          else logger.debug(log, 'notification delivered');
        } else {
          notificationsTotal.inc({ result: 'ignored' });
          logger.warn({ ...current, reason: item.reason }, 'notification ignored');
        }
      }
      res.status(202).end();
      stopTimer();
    } catch (err) {
      // Temporal did not accept it: say so, so nothing is acknowledged that isn't durable.
      logger.error({ ...current, err }, 'could not hand a notification to Temporal');
      res
        .status(503)
        .json({ error: { code: 'ServiceUnavailable', message: 'workflow service unavailable, retry later' } });
    }
  };
}

/**
 * The `workflowId` query parameter of a callbackUri we gave Graph for a call we placed: undefined when absent, null
 * when it is not a call workflow's id (only call workflows take Graph's notifications).
 */
function placedBy(param: unknown): string | undefined | null {
  if (param === undefined) return undefined;
  if (typeof param !== 'string' || !param.startsWith('call-') || !isUsableCallId(param.slice('call-'.length)))
    return null;
  return param;
}

/** A call id we can key a workflow with: 1–200 printable characters. */
function isUsableCallId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 200 && !/[\u0000-\u001f\u007f]/.test(id);
}
