import { expect } from 'vitest';
import type { FlowTest } from '../../devkit/flow-testing/index.js';
import { agentStateQuery, agentWorkflowId, type AgentStateName } from '../../src/contracts/agent.js';

/**
 * Poll (real time, a few ms; the test server's clock stands still) until the agent's workflow is in `state`. A wrap-up
 * on the way to `available` ends by its timer: when the call's workflow closed before the agent's workflow set that
 * timer, no one waits on the server any more and its clock would not reach it, so the wait lets workflow time pass.
 */
export async function agentBecomes(t: FlowTest, agentId: string, state: AgentStateName): Promise<void> {
  const current = async () =>
    (await t.env.client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery)).state;
  for (let i = 0; i < 50 && (await current()) !== state; i++)
    if (state === 'available' && (await current()) === 'wrapUp') await t.wait('15s');
    else await new Promise((r) => setTimeout(r, 100));
  expect(await current()).toBe(state);
}
