/**
 * A sign-out asked for while the agent is on a call is kept by their workflow and applied when the call and its
 * wrap-up end (patch agent-sign-out-after-call). agent_live shows the state now, `onCall` until then, so the admin
 * API's agent state, and `switchboard admin agent-state`, also say what is pending (pendingAvailability, read from the
 * agent workflow's state query). The real stack: Temporal, Postgres, the admin API, the agent's workflow and its
 * activities writing agent_live.
 */
import { describe, expect, it } from 'vitest';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workflowsPath } from '../../src/temporal/worker.js';
import { eventually } from '../helpers/eventually.js';
import { AGENT, adminApiForFile } from '../helpers/admin-api.js';
import { routingActivities, startAgentWorkflows, testQueue } from '../helpers/routing.js';
import {
  agentCallEndedSignal,
  agentOfferOutcomeSignal,
  agentStateQuery,
  agentWorkflowId,
  reserveUpdate,
} from '../../src/contracts/agent.js';

const api = adminApiForFile();
const TASK_QUEUE = 'agent-state-pending';
const QUEUES = { 'pending-q': testQueue('pending-q', [AGENT.oid]) };
const RESERVATION = 'pending-q:call-pending-1:1';

describe('a sign-out asked for during a call', () => {
  it('is shown as pending by the admin API and the CLI until the wrap-up ends, then the agent is signed out', async () => {
    const connection = await NativeConnection.connect({ address: api.services.temporal.address });
    const worker = await Worker.create({
      connection,
      taskQueue: TASK_QUEUE,
      workflowsPath,
      dataConverter: api.client.options.dataConverter,
      activities: routingActivities(api.client, TASK_QUEUE, QUEUES, api.orm),
    });
    const agent = api.client.workflow.getHandle(agentWorkflowId(AGENT.oid));
    const token = await api.token(AGENT);
    const stateNow = async () => (await api.call('GET', `/api/admin/agents/${AGENT.oid}/state`, { token })).json;
    try {
      await worker.runUntil(async () => {
        await startAgentWorkflows(api.client, TASK_QUEUE, QUEUES);
        await eventually(
          async () => ((await agent.query(agentStateQuery)).state === 'available' ? true : undefined),
          'the agent signed in',
        );
        // A call put through by conference: its workflow reports the end (endReported), presence plays no part.
        await agent.executeUpdate(reserveUpdate, {
          args: [{ reservationId: RESERVATION, queue: 'pending-q', callWorkflowId: 'call-pending-1', callId: 'p1' }],
          updateId: RESERVATION,
        });
        await agent.signal(agentOfferOutcomeSignal, {
          reservationId: RESERVATION,
          outcome: 'connected',
          wrapUpSeconds: 1,
          missesBeforeAway: 3,
          at: new Date().toISOString(),
          endReported: true,
        });
        await eventually(async () => ((await stateNow()).state === 'onCall' ? true : undefined), 'on call');
        expect((await stateNow()).pendingAvailability).toBeNull();

        const asked = await api.call('PUT', `/api/admin/agents/${AGENT.oid}/availability`, {
          token,
          body: { state: 'signedOut' },
        });
        expect([asked.status, asked.json]).toEqual([200, { agentId: AGENT.oid, state: 'signedOut', before: 'onCall' }]);
        const pending = await eventually(async () => {
          const now = await stateNow();
          return now.pendingAvailability === 'signedOut' ? now : undefined;
        }, 'the sign-out shown as pending');
        expect(pending).toMatchObject({ agentId: AGENT.oid, state: 'onCall', pendingAvailability: 'signedOut' });
        const printed = await api.cli(['agent-state', AGENT.oid], token);
        expect(printed.code).toBe(0);
        expect(printed.stdout).toMatch(/^state: +onCall$/m);
        expect(printed.stdout).toMatch(
          /^next: +signedOut, when the current offer or call ends \(after its wrap-up\)$/m,
        );

        // The call ends; the one-second wrap-up runs, then the sign-out is applied and nothing is pending any more.
        await agent.signal(agentCallEndedSignal, { reservationId: RESERVATION, at: new Date().toISOString() });
        const after = await eventually(async () => {
          const now = await stateNow();
          return now.state === 'signedOut' ? now : undefined;
        }, 'signed out after the wrap-up');
        expect(after.pendingAvailability).toBeNull();
        expect((await api.cli(['agent-state', AGENT.oid], token)).stdout).not.toMatch(/^next:/m);
      });
    } finally {
      await connection.close();
    }
  });
});
