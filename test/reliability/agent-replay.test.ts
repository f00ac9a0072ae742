import { describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTestEnvironmentForFile } from '../helpers/services.js';
import { createTestWorker } from '../helpers/test-worker.js';
import { checkHistories, describeProblems } from '../../src/temporal/history-check.js';
import { agentWorkflowId, reserveUpdate } from '../../src/contracts/agent.js';
import { eventually } from '../helpers/eventually.js';

const { EventType } = proto.temporal.api.enums.v1;

// Issue 28: an agent's workflow written by the current code must replay on the current code. The shape that broke it
// (../shared/evidence, test/histories/agents/2026-11-29-sigkill-local-activities/): Postgres refuses the agent's inline write at once while the
// publish to the queues, a local activity started in the same task, is still running. The first execution schedules
// the write's fallback activity and then the reservation's lease timer; a replay used to make the timer first.
let env: TestWorkflowEnvironment;
workflowTestEnvironmentForFile((e) => (env = e));

describe('agent workflow with Postgres refusing its inline writes', () => {
  it('writes through the fallback activity and its history replays (local activity results in arrival order)', async () => {
    const taskQueue = 'agent-replay';
    let durableWrites = 0;
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        // The queues hear of the agent slowly, after Postgres has already refused the write.
        async publishAgentState() {
          await new Promise((resolve) => setTimeout(resolve, 300));
        },
        async recordAgentState() {
          if (Context.current().info.isLocal) throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
          durableWrites++;
        },
      },
    });
    const agentId = 'a1b2c3d4-0000-4000-8000-000000000028';
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('agentWorkflow', {
        workflowId: agentWorkflowId(agentId),
        taskQueue,
        args: [{ agentId, configuredQueues: ['support'] }],
      });
      await eventually(
        () => (durableWrites === 1 ? true : undefined),
        'the new agent written through the fallback activity',
      );
      await handle.executeUpdate(reserveUpdate, {
        args: [
          {
            reservationId: 'support:call-28:1',
            queue: 'support',
            callWorkflowId: 'call-28',
            callId: '28',
            leaseSeconds: 60,
          },
        ],
      });
      await eventually(
        () => (durableWrites === 2 ? true : undefined),
        'the reservation written through the fallback activity',
      );
      // The first execution made the commands in the order the results came: the fallback write, then the lease.
      const events = (await handle.fetchHistory()).events ?? [];
      const fallback = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
      const lease = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      expect(fallback).toBeGreaterThan(0);
      expect(lease).toBeGreaterThan(fallback);
    });

    const check = await checkHistories(env.client, { query: `WorkflowId = '${agentWorkflowId(agentId)}'` });
    expect(describeProblems(check)).toEqual([]);
    expect(check.replayed).toEqual({ agentWorkflow: 1 });
  });
});
