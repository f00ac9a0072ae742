import { describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { callResult, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { queues } from '../../flows/index.js';
import { CALL_PATCHES_AT_ONCE_PATCH } from '../../workflows/patches.js';

// Issue 25, point 1: a call started now records one patch marker for the call workflow's standing patches
// (workflows/call-patches.ts) instead of one marker and one TemporalChangeVersion upsert per patch it asks (eight on
// a transferred call before). The emulator dials, the real worker runs the call; its history is read from Temporal.
let stack: TestStack;
const [adele, alex] = queues.support!.agents as [string, string];
stackForFile(async () => (stack = await startTestStack({})));

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The patch ids a history's markers record (the SDK's core_patch marker: details['patch-data'] = {id, deprecated}). */
function patchIds(events: HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_patch') return [];
    const data = m.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

const changeVersionUpserts = (events: HistoryEvent[]) =>
  events.filter(
    (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['TemporalChangeVersion'],
  ).length;

describe("a new call's patches", () => {
  it('a call answered, queued and transferred to an agent records one marker and one change-version upsert', async () => {
    for (const a of [adele, alex])
      stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 500 });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550100' } });
    expect((await callResult(stack.client, callId)).outcome).toBe('connected');

    const events = (await stack.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory()).events ?? [];
    expect(patchIds(events)).toEqual([CALL_PATCHES_AT_ONCE_PATCH]);
    expect(changeVersionUpserts(events)).toBe(1);
    await expectEveryHistoryReplays(stack.client, {
      expected: ['callWorkflow'],
      query: `WorkflowId = '${callWorkflowId(callId)}'`,
    });
  });
});
