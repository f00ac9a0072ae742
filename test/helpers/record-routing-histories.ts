/**
 * `npm run histories:record-routing -- <what>`: five calls through three agents on the real stack (dev server,
 * Postgres, the emulator), then every agent and queue workflow's history saved for test/reliability/replay.test.ts, in
 * a new folder test/histories/routing/<today>-<what>/ listed in releases.json. Calls' histories come from the flow
 * tests (`npm run histories:record`); these are the routing workflows'. Earlier releases' folders stay as they are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { startStack } from '../../src/stack.js';
import { emulatorStandIn } from '../../devkit/emulator/stand-in.js';
import { DEFAULT_QUEUE, type QueueConfig } from '../../src/routing/types.js';
import proto from '@temporalio/proto';
import { listRelease, newHistoryFolder } from './history-releases.js';
const { temporal } = proto;
const out = await newHistoryFolder('routing', process.argv[2]);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sb-cap-'));
const config = loadConfig({
  PORT: String(await freePort()),
  DATA_DIR: dataDir,
  TEMPORAL_DEV_PORT: String(await freePort()),
  TEMPORAL_DEV_UI_PORT: '0',
  EMBEDDED_POSTGRES_PORT: String(await freePort()),
  EMULATOR_PORT: '0',
  EMULATOR_MEDIA_SPEED: '10',
  LOG_LEVEL: 'error',
});
const agents = Array.from({ length: 3 }, (_, i) => `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const stack = await startStack(config, createLogger('error'), {
  graphStandIn: emulatorStandIn,
  queues: {
    support: {
      ...DEFAULT_QUEUE,
      name: 'support',
      agents,
      agentSkills: {},
      method: 'longestIdle',
      wrapUpSeconds: 1,
      maxCalls: 100,
      maxWaitSeconds: 3600,
    } satisfies QueueConfig,
  },
});
for (const a of agents) stack.emulator!.setAgent(a, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 1500 });
await new Promise((r) => setTimeout(r, 3000));
for (let i = 0; i < 5; i++) await stack.emulator!.placeCall({ from: { phone: `+142555500${i}` } });
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
await stack.stop();
await rm(dataDir, { recursive: true, force: true });
await listRelease(out);
process.exit(0);
