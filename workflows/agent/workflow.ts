import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities } from '../../src/contracts/activities/agents.js';
import type { AgentWorkflowInput } from '../../src/contracts/agent.js';
import { INLINE_WRITE, writeInlineFirst } from '../inline-write.js';
import { proxyLocalActivitiesInOrder } from '../local-activities.js';
import {
  AGENT_INLINE_RECORD_PATCH,
  AGENT_LOCAL_PUBLISH_PATCH,
  AGENT_EARLY_CALL_END_PATCH,
  AGENT_SIGN_IN_FROM_NO_QUEUES_PATCH,
  AGENT_CALL_WORKFLOW_GONE_PATCH,
} from '../patches.js';
import { setAgentHandlers } from './handlers.js';
import { AgentRecorder } from './recorder.js';
import { AgentState } from './state.js';

const publish = proxyActivities<AgentActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});
/**
 * Telling the queues is a few signals to Temporal and no Postgres: a local activity, run inside the workflow task
 * that changed the state (AGENT_LOCAL_PUBLISH_PATCH).
 */
const publishLocal = proxyLocalActivitiesInOrder<AgentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});
const record = proxyActivities<AgentActivities>({
  startToCloseTimeout: '15s',
  // Postgres being away must never lose a state change: keep retrying until it is back.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});
/**
 * Whether a call's workflow still runs: one describe, inside the workflow task its timer fired (no activity task, no
 * task for the result). A few tries; then the check waits for the next one rather than decide without an answer.
 */
const { callWorkflowStatus } = proxyLocalActivitiesInOrder<AgentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});
/** Each Postgres write tried first inside the workflow task that changed the state (AGENT_INLINE_RECORD_PATCH). */
const recordInline = proxyLocalActivitiesInOrder<AgentActivities>(INLINE_WRITE);

/** Continue as new well before 2,000 updates or a large history. */
const MAX_HISTORY_EVENTS = 1500;

/**
 * One entity workflow per agent, the single owner of that agent's state. Queues reserve the agent through the
 * `reserve` Update, whose validator rejects unless the agent is available: Temporal runs one workflow's updates one
 * at a time, so an agent in several queues can never hold two reservations at once.
 */
export async function agentWorkflow(input: AgentWorkflowInput): Promise<void> {
  const info = workflowInfo();
  // Decided once per run, so a run replays with the publishing it started with.
  const { publishAgentState } = patched(AGENT_LOCAL_PUBLISH_PATCH) ? publishLocal : publish;
  const inlineRecord = patched(AGENT_INLINE_RECORD_PATCH);
  const agent = new AgentState(
    input.agentId,
    `${input.agentId}:${info.firstExecutionRunId}`,
    (input.presenceLagSeconds ?? 20) * 1000,
    input.state,
    Date.now(),
  );
  // Asked when it decides something (a signed-out agent told queues they already had, at a worker start), not once
  // per run: agents' runs last until they continue as new, and the deploy that ships the fix is itself a restart.
  agent.staysSignedOut = () => patched(AGENT_SIGN_IN_FROM_NO_QUEUES_PATCH);
  agent.keepsEarlyEnd = () => patched(AGENT_EARLY_CALL_END_PATCH);
  agent.checksCallWorkflow = () => patched(AGENT_CALL_WORKFLOW_GONE_PATCH);
  if (!input.state) {
    agent.dirty = true; // queues and Postgres learn of a new agent at once
    if (input.configuredQueues) agent.setQueues(() => (agent.s.configured = [...input.configuredQueues!]), Date.now());
  }
  setAgentHandlers(agent, input);
  const recorder = new AgentRecorder(input.agentId, (w) =>
    writeInlineFirst(inlineRecord ? recordInline.recordAgentState : undefined, record.recordAgentState, w),
  );

  for (;;) {
    const timeout = agent.nextTimer(Date.now());
    if (timeout === undefined) await condition(() => agent.dirty);
    else await condition(() => agent.dirty, timeout);
    await checkCallWorkflow(agent);
    agent.tick(Date.now());
    if (agent.dirty) {
      const pub = agent.publication();
      recorder.record(pub);
      await publishAgentState({ ...pub, changes: [] });
    }

    const now = workflowInfo();
    if ((now.continueAsNewSuggested || now.historyLength > MAX_HISTORY_EVENTS) && !agent.dirty) {
      await condition(() => allHandlersFinished() && recorder.idle);
      if (agent.dirty) continue;
      await continueAsNew<typeof agentWorkflow>({ ...input, configuredQueues: undefined, state: agent.s });
    }
  }
}

/**
 * An on-call agent whose call's end only its workflow reports asks, when the check is due, whether that workflow
 * still runs; one that is gone will never report it, and the talk ends here (AGENT_CALL_WORKFLOW_GONE_PATCH). Before
 * tick, so the wrap-up it starts, often already over, ends in the same workflow task.
 */
async function checkCallWorkflow(agent: AgentState): Promise<void> {
  const due = agent.callToCheck(Date.now());
  if (!due) return;
  const answer = await callWorkflowStatus({ workflowId: due.callWorkflowId }).catch((err: unknown) => {
    log.warn('could not ask whether the call workflow runs; asking again later', {
      callWorkflowId: due.callWorkflowId,
      error: String(err),
    });
    return undefined;
  });
  if (agent.callChecked(due.reservationId, answer, Date.now()))
    log.warn('call workflow gone before it reported the end of talk: the agent goes to wrap-up', {
      callId: due.callId,
      callWorkflowId: due.callWorkflowId,
      status: answer?.status,
    });
}
