/**
 * A transfer to a colleague reserves them first, through their agent workflow's `reserve` Update run by the
 * `reserveAgent` activity (workflows/flow/colleague.ts). An attempt that fails without an answer (timed out, its answer
 * lost) may have reserved the colleague all the same; before, nothing freed them until the lease ran out (alert time +
 * 300 s), and routing offered them no call meanwhile. Now the call releases them at once (patch
 * colleague-release-on-failure). The activity here reserves, then loses its answer. FlowTest on the time-skipping
 * server (test/fixtures/flows/transfer-line.ts: the support queue by conference, Adele first); its histories replay.
 */
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import type { ActivityFunction } from '../../devkit/flow-testing/options.js';
import { queues } from '../../flows/index.js';
import { agentStateQuery, agentWorkflowId, type AgentStateName } from '../../src/contracts/agent.js';
import { expectReplayCheck } from '../helpers/replay-check.js';

const flows = fileURLToPath(new URL('../fixtures/flows/transfer-line.ts', import.meta.url));
const [adele, alex] = queues.support!.agents as [string, string];

/** Set by a test: the next reservation goes through, then its answer is lost. Alex's state then, seen by the test. */
let loseNextAnswer = false;
let stateWhenLost: AgentStateName | undefined;

let t: FlowTest;
const agentState = (agentId: string) =>
  t.env.client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery);

const losesAnswer = (own: Readonly<Record<string, ActivityFunction>>): Record<string, ActivityFunction> => ({
  async reserveAgent(input: { agentId: string }) {
    const answer: unknown = await own.reserveAgent!(input);
    if (!loseNextAnswer) return answer;
    loseNextAnswer = false;
    stateWhenLost = (await agentState(input.agentId)).state;
    throw ApplicationFailure.create({ message: 'the reservation’s answer was lost', nonRetryable: true });
  },
});

beforeAll(async () => {
  t = await FlowTest.start({ flows, activities: losesAnswer });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** Poll (real time, a few ms; the test server's clock stands still, so no lease runs out) until the agent is `state`. */
async function agentBecomes(agentId: string, state: AgentStateName): Promise<void> {
  for (let i = 0; i < 50 && (await agentState(agentId)).state !== state; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect((await agentState(agentId)).state).toBe(state);
}

describe('a colleague whose reservation attempt fails without an answer (FlowTest)', () => {
  it('is released at once, not after the lease; the caller stays with the first agent, and a new try works', async () => {
    const caller = await t.call({ dial: 'ra-anything', from: '+14255550196' });
    for (let i = 0; i < 30 && !t.graph.eventTypes(caller.callId).includes('conferenced'); i++) await caller.waits('2s');
    await agentBecomes(adele, 'onCall');

    loseNextAnswer = true;
    const failed = await t.transfer(caller.callId, { agentId: alex }, { by: adele }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeDefined();
    expect(stateWhenLost).toBe('reserved'); // the Update went through before the answer was lost
    await agentBecomes(alex, 'available');
    expect(await agentState(adele)).toMatchObject({ state: 'onCall' });

    // The colleague is free for the next try, which reserves them afresh (a new reservation id).
    expect(await t.transfer(caller.callId, { agentId: alex }, { by: adele })).toMatchObject({
      outcome: 'transferring',
    });
    for (let i = 0; i < 30 && t.graph.eventTypes(caller.callId).filter((e) => e === 'conferenced').length < 2; i++)
      await caller.waits('2s');
    await agentBecomes(alex, 'onCall');
    await t.graph.conference.callerLeaves(caller.callId);
    expect(await caller.result()).toMatchObject({ outcome: 'connected', agentId: alex });
    // Recorded at the call's milestones: the failed try is on the timeline, without a state (there was no refusal).
    expect(caller.timeline().find((e) => e.type === 'agentTransferRefused')?.payload).toEqual({
      fromAgentId: adele,
      agentId: alex,
    });
  });

  it('every call, queue and agent history of this file replays', async () => {
    await expectReplayCheck(() => t.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
