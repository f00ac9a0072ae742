import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { startAgentWorkflows } from '../../activities/agents.js';
import { queues } from '../../flows/index.js';
import { lookups } from '../../flows/lookups.js';
import { schedules } from '../../flows/schedules.js';
import { voicemailBoxes } from '../../flows/voicemail-boxes.js';
import { CallControl } from '../../src/graph/call-control.js';
import { createGraphClient } from '../../src/graph/client.js';
import { ActivityFeed } from '../../src/graph/activity-feed.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { callActivityInterceptors } from '../../src/telemetry/call-context.js';
import { workflowInterceptorsPath } from '../../src/temporal/worker.js';
import { dataConverterFor } from '../../src/temporal/data-converter.js';
import { startTestStack, type TestStack } from './stack.js';

/** The workflows module the stack's worker runs: a replay of its histories needs the same. */
export const testFlowsWorkflowsPath = fileURLToPath(new URL('./test-flows-workflows.ts', import.meta.url));

/**
 * The real stack (Temporal dev server, embedded Postgres, Express webhook, Graph emulator over HTTP) with its worker
 * run here instead: the same activities and workflows as `switchboard up`, whose bundle adds the test-only flows of
 * test/helpers/test-flows-workflows.ts. Agents get their workflows; presence is not polled.
 */
export async function startStackWithTestFlows(env: Record<string, string> = {}): Promise<TestStack> {
  const stack = await startTestStack(env, { roles: { worker: false, web: true } });
  try {
    const { config } = stack;
    const emulator = stack.emulator!;
    const graph = createGraphClient({
      graphBaseUrl: emulator.graphBaseUrl,
      tenantId: config.graph.tenantId,
      clientId: config.graph.clientId,
      clientSecret: config.graph.clientSecret,
      authorityHost: config.graph.authorityHost,
      authorityMetadataUrl: emulator.authorityMetadataUrl,
    });
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowsPath: testFlowsWorkflowsPath,
      activities: createActivities({
        callControl: async () => new CallControl(await graph),
        activityFeed: async () => new ActivityFeed(await graph),
        publicUrl: config.publicUrl,
        orm: stack.orm,
        client: stack.client,
        taskQueue: config.temporal.taskQueue,
        recordingStore: new FolderRecordingStore(config.recordings.dir),
        queues,
        schedules,
        lookups,
        voicemailBoxes,
      }),
      interceptors: { workflowModules: [workflowInterceptorsPath], activity: [callActivityInterceptors] },
      // The stack's own client encrypts what it sends (src/temporal/data-converter.ts): the worker reads it with the same keys.
      dataConverter: await dataConverterFor(config),
    });
    const running = worker.run();
    await startAgentWorkflows(stack.client, config.temporal.taskQueue, queues);
    return {
      ...stack,
      worker,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
