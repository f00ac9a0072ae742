import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queueMemberships } from '../../src/routing/membership.js';
import { signedInTab } from '../helpers/browser.js';
import { ringRequests } from '../helpers/routing.js';
import { callResult, eventually, type TestStack } from '../helpers/stack.js';
import { demoAgentId, stackAndBrowserForFile } from '../helpers/tabs-stack.js';

// Opting out in the agent's Teams tab (issue 23, point 7: "a supervisor opts an agent out, and that agent's next offer
// does not come"), judged by the offers themselves, not by queue membership: on the real stack in a real browser,
// Adele (first in support's serial order, flows/index.ts) leaves support in her tab and the next support call rings
// Alex only; she opts back in and the next call rings her first again.
const ADELE = demoAgentId('Adele Vance');
const ALEX = demoAgentId('Alex Wilber');
let stack: TestStack;
let browser: Browser;

stackAndBrowserForFile((s, b) => ([stack, browser] = [s, b]));

/** Who each ring of the call went to, in the order Switchboard placed them. */
const rungFor = (callId: string) =>
  ringRequests(stack.emulator!.requests, callId).map(
    (r) => (r.body as { targets: { identity: { user: { id: string } } }[] }).targets[0]!.identity.user.id,
  );

const inSupport = async (agentId: string) =>
  (await queueMemberships(stack.client, [agentId], 1000)).get(agentId)?.includes('support');

/** A support call answered by whoever is offered it; resolves with who took it and who was rung. */
async function supportCall(from: string) {
  const { callId } = await stack.emulator!.placeCall({ from: { phone: from }, applicationInstanceId: 'ra-support' });
  const summary = await callResult(stack.client, callId, 60_000);
  return { agentId: summary.agentId, rung: rungFor(callId) };
}

describe("opting out in the agent's tab (issue 23)", () => {
  it('an agent who opts out of a queue is not offered its next call, and is again once opted back in', async () => {
    for (const a of [ADELE, ALEX])
      stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 1000 });
    const adele = await signedInTab(browser, stack.webUrl!, 'Adele Vance', 'agent');

    await adele.getByRole('button', { name: 'Opt out of support' }).click();
    await adele.getByRole('button', { name: 'Opt in to support' }).waitFor();
    await eventually(async () => (await inSupport(ADELE)) === false, 'Adele out of support');

    // Adele is first in support's serial order and available, yet the call never rings her.
    const whileOut = await supportCall('+14255550161');
    expect(whileOut.agentId).toBe(ALEX);
    expect(whileOut.rung).toEqual([ALEX]);

    await adele.getByRole('button', { name: 'Opt in to support' }).click();
    await adele.getByRole('button', { name: 'Opt out of support' }).waitFor();
    await eventually(async () => (await inSupport(ADELE)) === true, 'Adele back in support');

    // Back in: the next call rings her first, and she takes it.
    const backIn = await supportCall('+14255550162');
    expect(backIn.rung[0]).toBe(ADELE);
    expect(backIn.agentId).toBe(ADELE);
    await adele.close();
  });
});
