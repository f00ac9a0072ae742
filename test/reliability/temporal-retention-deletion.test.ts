import { afterAll, beforeAll, expect, it } from 'vitest';
import Long from 'long';
import { Client, NamespaceNotFoundError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath } from '../../src/infra/temporal-dev-server.js';
import { currentRetentionSeconds } from '../../src/temporal/namespace-retention.js';
import { eventually } from '../helpers/eventually.js';

// Issue 22, point 4: nothing older than the cutoff remains in any Temporal execution, and what is younger does. The
// namespace's retention (set by Switchboard: temporal-retention.test.ts) is how Temporal forgets: a closed run's
// history is deleted `retention + jitter` after it closed (DeleteHistoryEventTask; go.temporal.io/server
// service/history/workflow/task_generator.go, GenerateDeleteHistoryEventTask). The frontend refuses a retention under
// an hour (common/namespace/const.go MinRetentionLocal, service/frontend/namespace_handler.go
// validateRetentionDuration), and the server's clock cannot be skipped; but the dev server this repo runs (Temporal
// CLI 1.9.1, Server 1.32.0) reads that floor from the dynamic config key system.namespaceMinRetentionLocal, and the
// jitter (30 min by default) from history.retentionTimerJitterDuration. With both at a second, a closed run ages past
// a 5 s retention in seconds of wall time. A wait, not a timing assertion.
const RETENTION_SECONDS = 5;
const NAMESPACE = 'retention-test';
let env: TestWorkflowEnvironment;
let client: Client;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      extraArgs: [
        '--dynamic-config-value',
        'system.namespaceMinRetentionLocal="1s"',
        '--dynamic-config-value',
        'history.retentionTimerJitterDuration="1s"',
      ],
    },
  });
  // A namespace registered with the retention, rather than the default one's changed: the history service reads a
  // namespace's retention from a cache refreshed every few seconds, and a run that closes before it has the new value
  // is aged by the old one (24 h). A new namespace is known with its retention from the start.
  await env.connection.workflowService.registerNamespace({
    namespace: NAMESPACE,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(RETENTION_SECONDS) },
  });
  client = new Client({ connection: env.connection, namespace: NAMESPACE });
});

afterAll(async () => {
  await env?.teardown();
});

/** A call's workflow that no worker runs: it stays open until ended. */
function start(workflowId: string): Promise<WorkflowHandle> {
  // The frontend's namespace cache learns of the new namespace within seconds: until then it is "not found".
  return eventually(
    () =>
      client.workflow
        .start('callWorkflow', { workflowId, taskQueue: 'retention-no-worker', args: [{}] })
        .catch((err) => {
          if (err instanceof NamespaceNotFoundError) return undefined;
          throw err;
        }),
    `the namespace ${NAMESPACE} to be known`,
  );
}

const exists = (h: WorkflowHandle) =>
  h.describe().then(
    () => true,
    (err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    },
  );

it('deletes a closed run once it is older than the retention, and keeps the younger and the open ones', async () => {
  expect(await currentRetentionSeconds(client, NAMESPACE)).toBe(RETENTION_SECONDS);
  const old = await start('retention-closed-old');
  const open = await start('retention-open');
  await old.terminate('the call ended');

  // The closed run goes: its history and its visibility record.
  await eventually(async () => ((await exists(old)) ? undefined : true), 'the closed run to be deleted', 60_000);
  await expect(old.fetchHistory()).rejects.toMatchObject({ code: 5 }); // gRPC NOT_FOUND: no history left
  await eventually(async () => {
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${old.workflowId}'` })) return undefined;
    return true;
  }, 'its visibility record to go');

  // A run that closes now is younger than the retention: it stays. An open run is never aged: it stays.
  const young = await start('retention-closed-young');
  await young.terminate('the call ended');
  expect(await exists(young)).toBe(true);
  expect(await exists(open)).toBe(true);
  expect((await open.describe()).status.name).toBe('RUNNING');
});
