/**
 * Issue 27, point 2: a pending callback that a queue's action sends on to another queue counts in the right queues.
 *
 * The support line (flows/support-line.ts) offers a callback after 2 minutes on hold. Here the support queue gives a
 * call up after 300 s and sends it on to sales (timeoutAction), every agent is on another call (time-skipping
 * server), and the CDR, timeline and callback rows go to a real, migrated Postgres (the worker's own activities)
 * as well as to the flow test's stores. The caller takes the callback, support times the callback out and sends it to
 * sales, where Megan frees up and the caller is called back and put through to her.
 *
 * Worked out by hand (H = the caller's time on hold in support before they asked to be called back, 2 minutes and
 * the offer's few seconds; support's segment spans its maxWaitSeconds, 300 s, as its timeout runs from entry):
 *   support: Queued 1, Answered 0, Abandoned 0, Callbacks 0, longest wait H; flow-out: timed out 1, sent on 1.
 *   sales:   Queued 1, Answered 1 (the completed callback), within the threshold 1 (wait 0: the caller held on no
 *            queue after support), Abandoned 0, Callbacks 1, ASA 0, longest wait 0; flow-out: received 1.
 *   All:     Queued 2, Answered 1. The call's total wait (call explorer) is H.
 * A second callback, sent on the same way, is not answered in sales (three tries): support as above; sales Queued 1,
 * Answered 0, Abandoned 0, Callbacks 1; Callbacks failed 1.
 * Before CALLBACK_SENT_ON_SEGMENTS_PATCH: support Queued 2, Answered 1, and sales nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackActivities } from '../../activities/callbacks.js';
import { createRecordActivities } from '../../activities/records.js';
import { FlowTest, type SimulatedCaller } from '../../devkit/flow-testing/index.js';
import type { MacroContext } from '../../devkit/analytics/grafana-macros.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { startAnalyticsDatabase, type AnalyticsDatabase, type Row } from '../helpers/analytics-db.js';
import { OPTIONS, VARS, panelRunner, type PanelRunner } from '../helpers/dashboards.js';
import { expectReplayCheck } from '../helpers/replay-check.js';
import { untilCallbackConfirm } from '../helpers/support-line-callback.js';

const MAX_WAIT = 300;
const queues = {
  ...configuredQueues,
  support: {
    ...configuredQueues.support!,
    maxWaitSeconds: MAX_WAIT,
    timeoutAction: { type: 'queue', queue: 'sales' } as const,
  },
};
const [megan] = configuredQueues.sales!.agents as [string];
const QP = 'queue-performance.json';

let adb: AnalyticsDatabase;
let panels: PanelRunner;
let t: FlowTest;

beforeAll(async () => {
  adb = await startAnalyticsDatabase('callback-sent-on');
  panels = await panelRunner(adb);
  const records = createRecordActivities(adb.orm);
  const callbacks = createCallbackActivities(adb.orm);
  t = await FlowTest.start({
    agents: 'busy',
    queues,
    // Every write to the flow test's stores (what the caller helpers read) and to Postgres (what the panels read).
    activities: (own) => ({
      recordCall: async (input: Parameters<typeof records.recordCall>[0]) => {
        await own.recordCall!(input);
        await records.recordCall(input);
      },
      requestCallback: async (input: Parameters<typeof callbacks.requestCallback>[0]) => {
        await own.requestCallback!(input);
        return callbacks.requestCallback(input);
      },
      updateCallback: async (input: Parameters<typeof callbacks.updateCallback>[0]) => {
        await own.updateCallback!(input);
        await callbacks.updateCallback(input);
      },
    }),
  });
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await adb?.stop();
});

/** Wait (real time) until `check` holds, failing with `what` after 15 s. */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const num = (v: unknown) => (v === null || v === undefined ? v : Number(v));
const byQueue = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r.queue), r]));

/** From `from` to an hour after the test clock's now, every queue selected (what All sends). */
async function rangeFrom(from: Date): Promise<MacroContext> {
  return { from, to: new Date((await t.now()).getTime() + 3600_000), interval: '1h', vars: VARS, options: OPTIONS };
}

/** A queue's row of the Queue performance dashboard's "Per queue" table, as numbers. */
async function perQueue(range: MacroContext): Promise<Record<string, Record<string, unknown>>> {
  const rows = byQueue(await panels.run(QP, 'Per queue', range));
  const out: Record<string, Record<string, unknown>> = {};
  for (const [q, r] of Object.entries(rows))
    out[q] = {
      queued: num(r.queued),
      answered: num(r.answered),
      within: num(r.answered_within),
      abandoned: num(r.abandoned),
      callbacks: num(r.callbacks),
      asa: num(r.asa_seconds),
      maxWait: num(r.max_wait_seconds),
    };
  return out;
}

/** The "Flow-out per queue" table: [timed out, sent on, received] per queue. */
async function flowOut(range: MacroContext): Promise<Record<string, unknown[]>> {
  const rows = byQueue(await panels.run(QP, 'Flow-out per queue', range));
  return Object.fromEntries(
    Object.entries(rows).map(([q, r]) => [q, [num(r.timed_out), num(r.sent_on), num(r.received)]]),
  );
}

/**
 * Call the support line, hold 2 minutes, take the callback; support times it out at 300 s and sends it to sales.
 * Returns the caller and H, their time on hold in support (the queue verb's wait: the hold before they asked).
 */
async function callbackSentOnToSales(from: string): Promise<{ caller: SimulatedCaller; hold: number }> {
  const caller = await t.call({ dial: 'ra-support', from });
  await untilCallbackConfirm(caller);
  await caller.press('1');
  await caller.hears('callback-accepted.wav');
  await until(() => caller.callback() !== undefined, 'the callback row');
  // Support gives the callback up at 300 s and sends it on: sales holds it now, in the callback row.
  await t.wait(`${MAX_WAIT}s`);
  await until(async () => {
    const { rows } = await adb.client.query<{ queue: string }>('select queue from callback where call_id = $1', [
      caller.callId,
    ]);
    return rows[0]?.queue === 'sales';
  }, 'the callback row in sales');
  const hold = await holdOf(caller);
  return { caller, hold };
}

async function holdOf(caller: SimulatedCaller): Promise<number> {
  await until(() => caller.timeline().some((e) => e.type === 'queueExit'), 'the queue exit on the timeline');
  return (caller.timeline().find((e) => e.type === 'queueExit')!.payload as { waitSeconds: number }).waitSeconds;
}

describe('a pending callback sent on to another queue', () => {
  it('support counts a timed-out segment, sales the answered callback; the caller’s wait stays on the call', async () => {
    const from = await t.now();
    const { caller, hold } = await callbackSentOnToSales('+14255550166');
    await t.freeAgent(megan);
    const result = await caller.result();
    expect(result.outcome).toBe('callback');
    expect(caller.callback()).toMatchObject({ status: 'completed', attempts: 1, agentId: megan, queue: 'sales' });

    const timeline = caller.timeline();
    const queued = timeline.filter((e) => e.type === 'queued');
    const exit = timeline.find((e) => e.type === 'queueExit');
    const done = timeline.find((e) => e.type === 'verb:queue:done')?.payload as { waitSeconds: number };
    // H: 2 minutes on hold, then the offer and its confirmation; the same the queue verb returned.
    expect(hold).toBe(done.waitSeconds);
    expect(hold).toBeGreaterThanOrEqual(120);
    expect(hold).toBeLessThan(180);
    expect(exit?.payload).toMatchObject({
      queue: 'support',
      reason: 'timeout',
      action: { type: 'queue', queue: 'sales' },
      callback: true,
      waitSeconds: hold,
    });
    // Support's timeout runs from the caller's entry there: the segment it ends spans its maxWaitSeconds (and the
    // signal's way to the call), not the caller's hold H as an entry worked out from the wait would.
    const enteredAt = (exit!.payload as { enteredAt: string }).enteredAt;
    const span = (Date.parse(exit!.at) - Date.parse(enteredAt)) / 1000;
    expect(span).toBeGreaterThanOrEqual(MAX_WAIT);
    expect(span).toBeLessThan(MAX_WAIT + hold);
    expect(Date.parse(enteredAt)).toBeLessThanOrEqual(Date.parse(queued[0]!.at));
    expect(caller.record()).toMatchObject({ queue: 'sales', outcome: 'callback', waitSeconds: 0 });

    // The segments as Postgres keeps them: support's from its entry to its timeout, the call row in sales.
    const [seg] = (await adb.client.query('select * from queue_exit where call_id = $1', [caller.callId]))
      .rows as Row[];
    expect(seg).toMatchObject({ queue: 'support', reason: 'timeout', to_queue: 'sales', wait_seconds: hold });
    expect((seg!.entered_at as Date).toISOString()).toBe(enteredAt);
    expect(((seg!.left_at as Date).getTime() - (seg!.entered_at as Date).getTime()) / 1000).toBe(span);
    const [call] = (
      await adb.client.query('select queue, queued_at, wait_seconds from call where id = $1', [caller.callId])
    ).rows as Row[];
    expect(call).toMatchObject({ queue: 'sales', wait_seconds: 0 });
    expect((call!.queued_at as Date).getTime()).toBe((seg!.left_at as Date).getTime());

    const range = await rangeFrom(from);
    const figures = await perQueue(range);
    expect(figures.support).toEqual({
      queued: 1,
      answered: 0,
      within: 0,
      abandoned: 0,
      callbacks: 0,
      asa: null,
      maxWait: hold,
    });
    expect(figures.sales).toEqual({
      queued: 1,
      answered: 1,
      within: 1,
      abandoned: 0,
      callbacks: 1,
      asa: 0,
      maxWait: 0,
    });
    expect(await flowOut(range)).toEqual({ support: [1, 1, 0], sales: [0, 0, 1] });
    expect(await panels.value(QP, 'Queued', range)).toBe(2);
    expect(await panels.value(QP, 'Answered', range)).toBe(1);

    const [explored] = await adb.asReader('select total_wait_seconds from metrics.call_explorer where id = $1', [
      caller.callId,
    ]);
    expect(num(explored!.total_wait_seconds)).toBe(hold);
  });

  it('a callback that fails in sales: sales counts it queued and not answered, support still its flow-out', async () => {
    // Megan is free since the test before: sales dials at once, three times, 2 minutes apart, and nobody answers.
    const from = await t.now();
    t.callee('+14255550167', 'noAnswer');
    const { caller, hold } = await callbackSentOnToSales('+14255550167');
    expect((await caller.result()).outcome).toBe('callback');
    expect(caller.callback()).toMatchObject({ status: 'failed', attempts: 3, queue: 'sales' });

    const range = await rangeFrom(from);
    const figures = await perQueue(range);
    expect(figures.support).toMatchObject({ queued: 1, answered: 0, abandoned: 0, callbacks: 0, maxWait: hold });
    expect(figures.sales).toMatchObject({ queued: 1, answered: 0, abandoned: 0, callbacks: 1, maxWait: 0 });
    expect(await flowOut(range)).toEqual({ support: [1, 1, 0], sales: [0, 0, 1] });
    expect(await panels.value('voicemail-callbacks.json', 'Callbacks failed', range)).toBe(1);
  });

  it('every history replays', async () => {
    await expectReplayCheck(() => t.checkHistories(), ['callWorkflow', 'queueWorkflow', 'agentWorkflow']);
  });
});
