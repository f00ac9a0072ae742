import { expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { callResult, eventually, stackForFile, type TestStack } from '../helpers/stack.js';
import { startStackWithTestFlows } from '../helpers/test-flows-stack.js';
import { TEST_CALLBACK_NUMBER } from '../helpers/test-flows-workflows.js';
import {
  agentAvailabilitySignal,
  agentOfferOutcomeSignal,
  agentStateQuery,
  agentWorkflowId,
  reserveUpdate,
} from '../../src/contracts/agent.js';
import { queues } from '../../flows/index.js';
import { QueueLive } from '../../src/db/entities/agent-state.js';
import { codecFor } from '../../src/temporal/data-converter.js';
import { decodeHistoryPayloads } from '../../src/temporal/history-codec.js';

// Issue 22, point 1: Temporal sees no personal data in clear. Real calls over the real stack (Graph emulator over
// HTTP, webhook, Temporal dev server, worker, Postgres): a Teams user leaves a voicemail (their name, a recording
// token), a CRM customer calls the VIP line (their number, what the lookup found), a caller asks to be called back on
// another number (their number, the digits they typed, the callback number). Then every history in the namespace is
// read as Temporal stores it, without the codec: none of it is there. Through the codec, all of it is, but the
// recording token: the webhook keeps it in Postgres for the voicemail activity (src/recordings/recording-tokens.ts).
let stack: TestStack;
stackForFile(async () => {
  stack = await startStackWithTestFlows();
  return stack;
});

const CALLER_NAME = 'Ada Lovelace-Privacy';
const VIP_CALLER = '+14255550150'; // flows/customers.json: Contoso Ltd
const VIP_CUSTOMER = 'Contoso Ltd';
const CALLBACK_CALLER = '+14255550177';
const TYPED_DIGITS = '4255550188';
const CALLBACK_NUMBER = '+14255550188';
const [adele, alex] = queues.support!.agents as [string, string];

const agentState = async (agentId: string) =>
  (await stack.client.workflow.getHandle(agentWorkflowId(agentId)).query(agentStateQuery)).state;

/** Every history in the namespace, as text: payload bytes read as UTF-8, as anyone with access to Temporal sees them. */
async function allHistoriesAsText(client: Client, decode: boolean): Promise<string> {
  const codec = await codecFor(stack.config);
  const texts: string[] = [];
  for await (const wf of client.workflow.list()) {
    const raw = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const history = decode ? await decodeHistoryPayloads(raw, codec) : raw;
    // Bytes as text: the holder's own value, since a Buffer's toJSON would otherwise turn it into a list of numbers.
    texts.push(
      JSON.stringify(history, function (this: Record<string, unknown>, k: string, v: unknown) {
        const own = this[k];
        return own instanceof Uint8Array ? Buffer.from(own).toString('utf8') : v;
      }),
    );
  }
  return texts.join('\n');
}

async function setAvailability(agentIds: string[], state: 'signedOut' | 'available') {
  for (const agentId of agentIds)
    await stack.client.workflow
      .getHandle(agentWorkflowId(agentId))
      .signal(agentAvailabilitySignal, { state, reason: 'test' });
}

it('keeps callers’ numbers, names, digits, callback numbers, lookup data and recording tokens out of Temporal in clear', async () => {
  // A Teams user leaves a message on the sales line, whose agents are all signed out.
  const sales = queues.sales!.agents;
  await setAvailability(sales, 'signedOut');
  // Should this wait time out, its message says what the queue's row and the agents' workflows held. Each agent is told
  // once: three fresh-clone runs saw one still available, its sign-out handled before the start-up's queue list that
  // came first, both in the run's first task (fixed: workflows/agent/signal-order.ts, agent-sign-out-before-first-task).
  let seen = '';
  await eventually(async () => {
    const live = await stack.orm.em.fork().findOne(QueueLive, { queue: 'sales' });
    if (live?.agentsSignedOut === sales.length) return true;
    const agents = await Promise.all(sales.map(async (id) => `${id.slice(0, 4)}:${await agentState(id)}`));
    seen = `row ${JSON.stringify(live)}; agents ${agents.join(', ')}`;
    return undefined;
  }, 'the sales queue to see its agents signed out').catch((err: Error) => {
    throw new Error(`${err.message} (last seen: ${seen})`);
  });
  const voicemail = await stack.emulator!.placeCall({
    from: { user: { id: 'privacy-caller-user', displayName: CALLER_NAME } },
    applicationInstanceId: 'ra-sales',
    speechMs: 1500,
  });
  expect((await callResult(stack.client, voicemail.callId)).outcome).toBe('voicemail');
  // The token Graph's recordOperation notification carried (the emulator keeps what it sent).
  const sent = JSON.stringify(stack.emulator!.getCall(voicemail.callId)!.history);
  const token = /"recordingAccessToken":"([^"]+)"/.exec(sent)?.[1];
  expect(token, 'the emulator sent the recording a token').toBeTruthy();
  // The message was downloaded with it (the webhook kept it in Postgres, not in the workflow), and it is gone since.
  const knex = stack.orm.em.getKnex();
  expect(await knex('voicemail').where('call_id', voicemail.callId).first('status')).toEqual({ status: 'recorded' });
  expect(await knex('recording_token').count({ n: '*' })).toEqual([{ n: '0' }]);
  await setAvailability(sales, 'available');

  // Both support agents busy elsewhere (held by a reservation, as the routing engine holds them).
  for (const agentId of [adele, alex]) {
    await eventually(async () => ((await agentState(agentId)) === 'available' ? true : undefined), `${agentId}`);
    await stack.client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(reserveUpdate, {
      args: [{ reservationId: `busy-${agentId}`, queue: 'support', callWorkflowId: 'call-elsewhere', callId: 'x' }],
    });
  }
  // A customer the CRM knows calls the VIP line and gives up after a while.
  const vip = await stack.emulator!.placeCall({
    from: { phone: VIP_CALLER },
    applicationInstanceId: 'ra-support-vip',
    hangUpAfterMs: 4000,
  });
  expect((await callResult(stack.client, vip.callId)).outcome).toBe('abandoned');

  // A caller takes the callback offered after 2 s on another number: 1 (yes), 2 (not this number), then the number.
  stack.emulator!.setAgent(adele, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 1000 });
  stack.emulator!.setCallee(CALLBACK_NUMBER, { onCall: 'answer', answerAfterMs: 300 });
  const callback = await stack.emulator!.placeCall({
    from: { phone: CALLBACK_CALLER },
    applicationInstanceId: TEST_CALLBACK_NUMBER,
    digits: [
      { atMs: 2600, keys: '1' },
      { atMs: 3600, keys: '2' },
      { atMs: 4600, keys: `${TYPED_DIGITS}#` },
    ],
  });
  const row = await eventually(
    async () =>
      (await stack.orm.em.getKnex()('callback').where('call_id', callback.callId).first()) as
        { number: string } | undefined,
    'the callback row',
    30_000,
  );
  expect(row.number).toBe(CALLBACK_NUMBER);
  await stack.client.workflow.getHandle(agentWorkflowId(adele)).signal(agentOfferOutcomeSignal, {
    reservationId: `busy-${adele}`,
    outcome: 'cancelled',
    wrapUpSeconds: 0,
    missesBeforeAway: 1,
  });
  expect((await callResult(stack.client, callback.callId)).outcome).toBe('callback');

  const secrets = {
    'caller name': CALLER_NAME,
    'VIP caller number': VIP_CALLER,
    'callback caller number': CALLBACK_CALLER,
    'typed digits': TYPED_DIGITS,
    'callback number': CALLBACK_NUMBER,
    'lookup result': VIP_CUSTOMER,
  };
  const raw = await allHistoriesAsText(stack.client, false);
  for (const [what, value] of Object.entries(secrets)) expect(raw.includes(value), `${what} in clear`).toBe(false);
  expect(raw.includes(token!), 'recording token in clear').toBe(false);

  // The codec decodes all of it: the histories do hold these calls. The recording token never entered them.
  const decoded = await allHistoriesAsText(stack.client, true);
  for (const [what, value] of Object.entries(secrets)) expect(decoded.includes(value), `${what} decoded`).toBe(true);
  expect(decoded.includes(token!), 'recording token in a decoded history').toBe(false);
});
