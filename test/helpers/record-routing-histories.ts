/**
 * `npm run histories:record-routing -- <what>`: five calls through three agents on the real stack (dev server,
 * Postgres, the emulator), then every agent and queue workflow's history saved for test/reliability/replay.test.ts, in
 * a new folder test/histories/routing/<today>-<what>/ listed in releases.json. Calls' histories come from the flow
 * tests (`npm run histories:record`); these are the routing workflows'. Earlier releases' folders stay as they are.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import proto from '@temporalio/proto';
import { startSupportQueueStack } from '../../devkit/bench/support-queue-stack.js';
import { listRelease, newHistoryFolder } from './history-releases.js';
const { temporal } = proto;
const out = await newHistoryFolder('routing', process.argv[2]);
const { stack, emulator, stop } = await startSupportQueueStack({
  tmpPrefix: 'sb-cap-',
  agents: 3,
  talkMs: 1500,
  queue: { maxCalls: 100 },
  env: { EMULATOR_MEDIA_SPEED: '10' },
});
await new Promise((r) => setTimeout(r, 3000));
for (let i = 0; i < 5; i++) await emulator.placeCall({ from: { phone: `+142555500${i}` } });
await new Promise((r) => setTimeout(r, 40000));
for await (const run of stack.client.workflow.list({ query: `WorkflowType IN ('agentWorkflow', 'queueWorkflow')` })) {
  const h = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  const activities: Record<string, number> = {};
  for (const e of h.events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) activities[type] = (activities[type] ?? 0) + 1;
  }
  console.log(run.workflowId, run.status.name, `${(h.events ?? []).length} events`, JSON.stringify(activities));
  await writeFile(
    path.join(out, `${run.workflowId}-${run.runId.slice(0, 8)}.history.bin`),
    temporal.api.history.v1.History.encode(h).finish(),
  );
}
await stop();
await listRelease(out);
process.exit(0);
