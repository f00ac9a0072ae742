import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { workflowsPath } from '../../src/temporal/worker.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { FlowTest } from '../../devkit/flow-testing/index.js';
import { queues } from '../../flows/index.js';
import { CALL_PATCHES_AT_ONCE_PATCH } from '../../workflows/patches.js';

// The call recorder (workflows/call-recorder.ts) writes the CDR and timeline at milestones, not after every event
// (issue 9: recordCall was 64% of a call's activities). On the time-skipping server with a simulated Graph.
let t: FlowTest | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const [adele] = queues.support!.agents as [string];

/** Wait (real time) until `check` holds, failing with `what` after 15 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const activityType = (e: HistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
/** The type of the local activity a marker records (Core SDK's `core_local_activity` marker), if it is one. */
const localActivityType = (e: HistoryEvent) => {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== 'core_local_activity') return undefined;
  const data = m.details?.['data']?.payloads?.[0]?.data;
  return data
    ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type
    : undefined;
};
/** A write of the record: a local activity, or the ordinary activity it falls back to. */
const isWrite = (e: HistoryEvent) => activityType(e) === 'recordCall' || localActivityType(e) === 'recordCall';
/** What the history's markers carry (a patch marker names its patch). */
const patches = (events: HistoryEvent[]) =>
  events
    .flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}))
    .flatMap((p) => p.payloads ?? [])
    .map((p) => Buffer.from(p.data ?? []).toString('utf8'))
    .join('\n');

describe('the call recorder', () => {
  it('writes at milestones: a queued caller is in Postgres before an agent takes them; every entry once, in order', async () => {
    t = await FlowTest.start({ agents: 'busy' });
    // A number without a flow of its own: the default flow, greeting then the support queue.
    const caller = await t.call({ dial: 'ra-unlisted' });
    await caller.hears('greeting.wav');
    await caller.hears('hold-music.wav');

    // Queued is a milestone: the record and the timeline so far are written while the caller waits.
    await until(() => caller.record()?.queuedAt !== undefined, 'the record written when the caller was queued');
    expect(caller.record()).toMatchObject({ queue: 'support', flow: 'default' });
    expect(caller.record()!.answeredAt).toBeDefined();
    expect(caller.record()!.outcome).toBeUndefined();
    expect(caller.timeline().map((e) => e.type)).toEqual(
      expect.arrayContaining(['incoming', 'answered', 'verb:queue']),
    );

    await t.freeAgent(adele);
    const summary = await caller.result();
    expect(summary.outcome).toBe('connected');

    // Everything is there once the call is over: each entry once, numbered without gaps, the outcome last.
    const timeline = caller.timeline();
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(timeline.at(-1)!.type).toBe('outcome');
    const record = caller.record()!;
    expect(record).toMatchObject({ outcome: 'connected', agentId: adele, queue: 'support' });
    for (const field of ['answeredAt', 'queuedAt', 'offeredAt', 'connectedAt', 'endedAt'] as const)
      expect(record[field], field).toBeDefined();

    const events = (await caller.history()).events ?? [];
    // The call took the new write policy (MILESTONE_BATCHES_PATCH, among the patches a new call has at once)…
    expect(patches(events)).toContain(CALL_PATCHES_AT_ONCE_PATCH);
    // …so a few writes carried all of it: answered, queued, connected, the end with the outcome — not one per event.
    // Each write is a local activity first (CALL_LOCAL_GRAPH_PATCH), an ordinary one only when that failed.
    const writes = events.filter(isWrite).length;
    expect(events.filter((e) => activityType(e) === 'recordCall')).toHaveLength(0);
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(6);
    expect(timeline.length).toBeGreaterThan(4 * writes);
    // The answer is the first thing the call does, a local activity (CALL_LOCAL_GRAPH_PATCH), and no write is
    // scheduled before Graph has accepted it (its marker is recorded once it has).
    expect(patches(events)).toContain(CALL_PATCHES_AT_ONCE_PATCH); // CALL_LOCAL_GRAPH_PATCH among them
    const effects = events.filter((e) => activityType(e) !== undefined || localActivityType(e) !== undefined);
    expect(localActivityType(effects[0]!)).toBe('answerCall');
    const answerDone = events.indexOf(effects[0]!);
    const firstWrite = events.findIndex(isWrite);
    expect(firstWrite).toBeGreaterThan(answerDone);

    // And the new policy replays: the same code, given this history, makes the same commands.
    // Through the flow kit's payload codec: its histories are encrypted as production's are.
    await expect(
      Worker.runReplayHistory({ workflowsPath, dataConverter: ephemeralDataConverter() }, { events }),
    ).resolves.toBeUndefined();
  });

  it('falls back to the ordinary activity when the local write fails (Postgres away), and loses nothing', async () => {
    t = await FlowTest.start({ agents: 'busy' });
    // The first write (answered) is refused once: its local attempt fails, the activity then writes it.
    t.graph.recordWritesToRefuse = 1;
    const caller = await t.call({ dial: 'ra-unlisted' });
    await caller.hears('hold-music.wav');
    await until(() => caller.record()?.queuedAt !== undefined, 'the record written when the caller was queued');
    await caller.hangUp();
    expect((await caller.result()).outcome).toBe('abandoned');
    expect(caller.record()).toMatchObject({ outcome: 'abandoned', queue: 'support' });
    expect(caller.record()!.answeredAt).toBeDefined();
    const timeline = caller.timeline();
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));

    const events = (await caller.history()).events ?? [];
    const failedInline = events.filter(
      (e) => localActivityType(e) === 'recordCall' && e.markerRecordedEventAttributes?.failure,
    );
    const ordinary = events.filter((e) => activityType(e) === 'recordCall');
    expect(failedInline).toHaveLength(1);
    expect(ordinary).toHaveLength(1);
    expect(events.indexOf(ordinary[0]!)).toBeGreaterThan(events.indexOf(failedInline[0]!));
    // Later writes go local again: answered (the fallback), queued, and the end with the outcome.
    expect(events.filter(isWrite)).toHaveLength(4);
  });

  it('writes a caller who hangs up in the queue with the time waited, the end and the outcome together', async () => {
    t = await FlowTest.start({ agents: 'busy' });
    const caller = await t.call({ dial: 'ra-unlisted' });
    await caller.hears('hold-music.wav');
    await until(() => caller.record()?.queuedAt !== undefined, 'the record written when the caller was queued');
    await caller.waits('90s');
    await caller.hangUp();
    const summary = await caller.result();
    expect(summary.outcome).toBe('abandoned');

    const record = caller.record()!;
    expect(record).toMatchObject({ outcome: 'abandoned', queue: 'support' });
    expect(record.endedAt).toBeDefined();
    expect(record.waitSeconds).toBeGreaterThanOrEqual(90);
    const types = caller.timeline().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['state:terminated', 'abandoned', 'verb:queue:done', 'outcome']));
    expect(types.at(-1)).toBe('outcome');
    const timeline = caller.timeline();
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    // Answered, queued, and the end with the outcome: the hang-up is no write of its own.
    const events = (await caller.history()).events ?? [];
    expect(events.filter(isWrite)).toHaveLength(3);
  });
});
