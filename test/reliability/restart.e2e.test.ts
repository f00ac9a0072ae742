import { expect, it } from 'vitest';
import { eventually, type TestStack } from '../helpers/stack.js';
import { restartableStackForFile } from '../helpers/restartable-stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { queues } from '../../flows/index.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { ringRequests } from '../helpers/routing.js';
import { Call } from '../../src/db/entities/call.js';
import { CallEvent } from '../../src/db/entities/call-event.js';

// Durability: stop Temporal, Postgres, the worker and the web process while a caller waits, start them again on
// the same data folder, and the call carries on. The emulator plays Microsoft's side and stays up throughout.
const restartable = restartableStackForFile('restart');
let stack: TestStack | undefined;

it('keeps a queued call through a restart of every Switchboard process and Temporal', async () => {
  const [adele, alex] = queues.support!.agents as [string, string];
  const switchboard = await restartable();
  const { emulator } = switchboard;
  // A declined agent is offered the call again after 4 s: after the restart, not during it.
  const testQueues = { support: { ...queues.support!, reofferAfterSeconds: 4 } };

  emulator.setAgent(adele, { onTransfer: 'decline', answerAfterMs: 100 });
  emulator.setAgent(alex, { onTransfer: 'decline', answerAfterMs: 100 });
  stack = await switchboard.start({ queues: testQueues });
  const { callId } = await emulator.placeCall({ from: { phone: '+14255550142' } });
  const transfers = () => emulator.requests.filter((r) => r.path.endsWith(`${callId}/transfer`));
  // Offers ring the agent with a call of our own, whose callbackUri names this call's workflow.
  const rings = () => ringRequests(emulator.requests, callId);
  // Stop once both agents have declined and the caller is back on hold music, so no offer is mid-flight.
  await eventually(() => {
    const declined = rings().filter((r) => r.status === 201);
    const last = declined.at(-1);
    const holdAfter = last && emulator.requests.some((r) => r.path.endsWith(`${callId}/playPrompt`) && r.at > last.at);
    return declined.length >= 2 && holdAfter ? true : undefined;
  }, 'two declined offers and hold music again').catch((err: unknown) => {
    const h = emulator!
      .getCall(callId)!
      .history.map(
        (e) =>
          `${e.kind} ${'path' in e ? String(e.path) : ''} ${'summary' in e ? String(e.summary) : ''} ${'detail' in e ? String(e.detail) : ''}`,
      );
    throw new Error(`${(err as Error).message}\n${h.join('\n')}`);
  });

  await switchboard.stop(); // everything of ours goes down; the caller is still on the line, hearing hold music
  stack = undefined;
  emulator.setAgent(adele, { onTransfer: 'accept', answerAfterMs: 100, talkMs: 1000 });
  stack = await switchboard.start({ queues: testQueues });

  const summary = await stack.client.workflow.getHandle(callWorkflowId(callId)).result();
  expect(summary).toMatchObject({ outcome: 'connected', agentId: adele });

  const em = stack.orm.em.fork();
  const call = await em.findOneOrFail(Call, { id: callId });
  // Put through onto the call that rang Adele (consultative transfer): Graph ends our leg with AppTransferred, no code.
  expect(call).toMatchObject({ outcome: 'connected', agentId: adele, queue: 'support', endSubcode: null });
  const types = (await em.find(CallEvent, { callId }, { orderBy: { seq: 'asc' } })).map((e) => e.type);
  expect(types.filter((t) => t === 'incoming')).toHaveLength(1);
  expect(types.filter((t) => t === 'answered')).toHaveLength(1);
  expect(types.indexOf('offerFailed')).toBeLessThan(types.indexOf('connected'));
  expect(emulator.requests.filter((r) => r.path.endsWith(`${callId}/answer`))).toHaveLength(1);
  expect(transfers().at(-1)!.body).toMatchObject({ transferTarget: { identity: { user: { id: adele } } } });
});

// Issue 28: runs last, on the restarted stack: the same Temporal data, so every history from both sides of the
// restart (the call, the queue, the agents, the presence poller) replays on a fresh worker.
it('every workflow history it produced, before and after the restart, replays on a fresh worker', async () => {
  expect(stack, 'the restarted stack is up').toBeDefined();
  await expectEveryHistoryReplays(stack!.client, {
    expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow', 'presencePollerWorkflow'],
  });
});
