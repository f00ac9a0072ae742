import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { ringRequests } from '../helpers/routing.js';
import { AGENTS, chaosStackForFile } from '../helpers/chaos-stack.js';
import { chaosClosingChecks, chaosScenarios, is2xx } from '../helpers/chaos-scenario.js';

// Chaos on real processes (test/helpers/chaos-stack.ts): the app's own processes die while calls are in flight: the
// worker (kill -9 with 50 calls in flight), the web process (kill -9 and restart while notifications arrive), and the
// web process while a notification is redelivered until Graph gives up on it. Each scenario checks every call from
// Temporal's, Graph's and Postgres's side, and then the rest of the system (test/helpers/chaos-scenario.ts); the file
// ends by replaying every history it produced. test/reliability/chaos-dependencies.test.ts breaks what the app
// depends on.

const chaos = chaosStackForFile();
const { startWorker, startWeb } = chaos;
const scenarios = chaosScenarios(chaos);
const { placeCalls, succeeded, notifications, expectAllConnected, beforeFault, afterFault } = scenarios;

describe('chaos', () => {
  it('kill -9 of the worker with 50 calls in flight: a new worker finishes every call exactly once', async () => {
    // Agents take 5 s to answer, so none of the 50 is over at the kill: some are ringing an agent, the rest queued,
    // and the last 10 are being answered: Graph has taken their answers, whose responses the worker waits for when it
    // dies (a lost response), so the next worker makes those requests again.
    const before = await beforeFault('worker kill -9');
    let killedAt = 0;
    for (const a of AGENTS) chaos.emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 5000, talkMs: 1500 });
    try {
      // The replacement starts first (a second replica, as production runs them): a Graph call must be answered
      // within 15 s, more than a cold start of a worker can promise on a busy 2-core machine. Then the calls, and
      // kill -9 of the old worker with its tasks in flight.
      const replacement = await startWorker();
      const ids = await placeCalls(50, 50, '01', async (placed, callId) => {
        // placeCall returns before the incoming notification is sent, so the fault is in place before the answer.
        if (placed > 40) chaos.emulator.injectFault({ action: 'answer', callId, status: 'noResponse', holdMs: 60_000 });
      });
      const answering = ids.slice(40);
      const lostAnswer = (id: string) =>
        chaos.emulator.requests.some((r) => r.callId === id && r.path.endsWith('/answer') && r.responseLost);
      // Kill once the offers have begun (an agent rings for 5 s) and the last answers wait for their responses.
      await eventually(
        () =>
          ids.some((id) => ringRequests(chaos.emulator.requests, id).length > 0) && answering.every(lostAnswer)
            ? true
            : undefined,
        'an agent ringing, and the last 10 answers taken by Graph',
      );
      // Where each call is, from Graph's side at this instant (no round trips before the kill).
      const steps = { over: 0, ringingAnAgent: 0, answeredAndQueued: 0, answerInFlight: 0, notYetAnswered: 0 };
      for (const id of ids) {
        if (chaos.emulator.getCall(id)!.state === 'terminated') steps.over++;
        else if (ringRequests(chaos.emulator.requests, id).length > 0) steps.ringingAnAgent++;
        else if (lostAnswer(id)) steps.answerInFlight++;
        else if (succeeded(id, 'answer') > 0) steps.answeredAndQueued++;
        else steps.notYetAnswered++;
      }
      await chaos.worker!.kill();
      killedAt = chaos.emulator.requests.length;
      chaos.worker = replacement;
      console.log(`chaos ${JSON.stringify({ scenario: 'worker kill -9', atKill: steps })}`);
      expect(steps.over, 'calls over before the kill').toBe(0);
      expect(steps.ringingAnAgent, 'calls ringing an agent at the kill').toBeGreaterThan(0);
      expect(steps.answeredAndQueued, 'calls answered and queued at the kill').toBeGreaterThan(0);
      expect(steps.answerInFlight, 'calls whose answer was in flight at the kill').toBe(10);
      await expectAllConnected(ids, 'worker kill -9');
      // The answers in flight were made again (by the new worker); Graph refused the repeats, and the calls went on.
      for (const id of answering) {
        const answers = chaos.emulator.requests.filter((r) => r.callId === id && r.path.endsWith('/answer'));
        expect(answers[0]).toMatchObject({ status: 202, responseLost: true });
        expect(answers.length, `answer requests of ${id}`).toBeGreaterThan(1);
        expect(answers.slice(1).map((r) => r.status)).toEqual(answers.slice(1).map(() => 400));
      }
    } finally {
      chaos.emulator.clearFaults();
      for (const a of AGENTS) chaos.emulator.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1500 });
    }
    await afterFault('worker kill -9', before, killedAt);
  }, 240_000);

  it('kill -9 and restart of the web process while notifications arrive: redelivered, nothing lost or applied twice', async () => {
    const before = await beforeFault('web restart');
    let restartedAt = 0;
    const ids = await placeCalls(20, 150, '02', async (placed) => {
      if (placed === 8) {
        await chaos.web!.kill();
        chaos.web = await startWeb();
        restartedAt = chaos.emulator.requests.length;
      }
    });
    await expectAllConnected(ids, 'web restart');
    const all = ids.flatMap(notifications);
    expect(
      all.filter((n) => !is2xx(n)),
      'notifications never accepted',
    ).toEqual([]);
    const redelivered = all.filter((n) => (n.attempts ?? 1) > 1).length;
    expect(redelivered, 'notifications that needed redelivery').toBeGreaterThan(0);
    console.log(`chaos ${JSON.stringify({ scenario: 'web restart', notifications: all.length, redelivered })}`);
    await afterFault('web restart', before, restartedAt);
  }, 240_000);

  it('a notification that never comes back: the call asks Graph (GET) and carries on', async () => {
    // Answers fail twice first, so they land while the web process is down; the calls' `established` notifications
    // are then redelivered until the emulator gives up.
    const before = await beforeFault('lost notification');
    chaos.emulator.injectFault({ action: 'answer', status: 503, times: 6 });
    const ids = await placeCalls(3, 0, '03');
    await eventually(
      () => (ids.every((id) => notifications(id).some((n) => n.summary === 'incoming' && is2xx(n))) ? true : undefined),
      'incoming notifications accepted',
    );
    await chaos.web!.kill();
    const lost = await eventually(
      () => {
        const gone = ids.filter((id) => notifications(id).some((n) => n.summary === 'established' && !is2xx(n)));
        return gone.length === ids.length ? gone : undefined;
      },
      'established notifications given up on',
      60_000,
    );
    chaos.web = await startWeb();
    const restartedAt = chaos.emulator.requests.length;
    await expectAllConnected(ids, 'lost notification');
    const fetched = await chaos.query<{ call_id: string }>(
      `select distinct call_id from call_event where call_id = any($1) and type = 'stateFetched'`,
      [lost],
    );
    expect(fetched.map((r) => r.call_id).sort()).toEqual([...lost].sort());
    await afterFault('lost notification', before, restartedAt);
  }, 240_000);

  // The processes started: worker, web, the replacement worker, and the web process restarted twice.
  chaosClosingChecks(chaos, scenarios, 5);
});
