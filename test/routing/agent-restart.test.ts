import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startWorkflowTestEnvironment } from '../helpers/services.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TeamsPresence } from '../../src/contracts/agent.js';
import { routingTaskQueue, workflowsPath } from '../../src/temporal/worker.js';
import { checkHistories } from '../../src/temporal/history-check.js';
import { setAgentAvailability, setQueueMembership } from '../../src/routing/membership.js';
import { failingTask } from '../../src/routing/failing-task.js';
import { RESTART_REASON } from '../../src/routing/agent-restart.js';
import { queues } from '../../flows/index.js';
import { agentStateQuery, agentWorkflowId, presenceSignal, type AgentSnapshotView } from '../../src/contracts/agent.js';
import { eventually } from '../helpers/eventually.js';
import { codecOf, dataConverterOf } from '../../src/temporal/data-converter.js';
import { newCodecKey, parseCodecKeys } from '../../src/temporal/payload-codec.js';
import { routingActivities, startAgentWorkflows } from '../helpers/routing.js';

// `switchboard agents restart` run as a user runs it (the CLI, as a child process) against a real Temporal dev
// server, with a worker running the real agent workflows where start-up puts them, for the agents of flows/.
const TASK_QUEUE = 'sb-agent-restart';
// Encrypted as in production: the worker, the test's client and the CLI share one key (TEMPORAL_CODEC_KEYS).
const CODEC_KEYS = newCodecKey('restart-test');
const dataConverter = dataConverterOf(codecOf(parseCodecKeys(CODEC_KEYS)));
const ROUTING = routingTaskQueue(TASK_QUEUE);
// In three queues (support, sales, billing): opted out of one, she still has two.
const ADELE = queues.support!.agents[0]!;
const ALEX = queues.support!.agents[1]!;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
/** The run the failing-task test makes fail on purpose. */
let poisonedRunId: string | undefined;

beforeAll(async () => {
  env = await startWorkflowTestEnvironment(dataConverter);
  worker = await Worker.create({
    connection: env.nativeConnection,
    dataConverter,
    taskQueue: ROUTING,
    workflowsPath,
    activities: routingActivities(env.client, ROUTING, queues),
  });
  running = worker.run();
  await startAgentWorkflows(env.client, ROUTING, queues);
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env_ = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    TEMPORAL_CODEC_KEYS: CODEC_KEYS,
    LOG_LEVEL: 'silent',
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', ...args],
      { env: env_, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const agent = (id: string) => env.client.workflow.getHandle(agentWorkflowId(id));
const stateOf = (id: string): Promise<AgentSnapshotView> => agent(id).query(agentStateQuery);

/** Opted in to or out of a queue, and away, as seen by the agent's workflow. */
async function changeQueueAndGoAway(id: string, queue: string, member: boolean): Promise<AgentSnapshotView> {
  await setQueueMembership(env.client, id, queue, member);
  await setAgentAvailability(env.client, id, 'away', 'test');
  return eventually(
    async () => {
      const s = await stateOf(id);
      return s.state === 'away' && s.queues.includes(queue) === member ? s : undefined;
    },
    `the agent away and ${member ? 'in' : 'out of'} ${queue}`,
  );
}

describe('switchboard agents restart', () => {
  it('starts a new run of an agent who opted out of a queue and is away, still opted out and away', async () => {
    const was = await changeQueueAndGoAway(ADELE, 'sales', false);
    expect(was).toMatchObject({ state: 'away', optedOut: ['sales'], queues: ['billing', 'support'] });
    const before = await agent(ADELE).describe();

    const { code, stdout, stderr } = await cli('agents', 'restart', ADELE);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const after = await agent(ADELE).describe();
    expect(after.runId).not.toBe(before.runId);
    expect(stdout).toContain(
      `restarted as run ${after.runId} (ended run ${before.runId}) with its state: away, queues billing, support, opted out of sales`,
    );
    expect(stdout).not.toContain('reset');
    expect(after.status.name).toBe('RUNNING');
    expect(after.taskQueue).toBe(ROUTING);
    expect(await stateOf(ADELE)).toEqual(was);
    const old = await env.client.workflow.getHandle(agentWorkflowId(ADELE), before.runId).describe();
    expect(old.status.name).toBe('TERMINATED');

    // The new run is the agent: it takes her back to available, in the queues she kept.
    await setAgentAvailability(env.client, ADELE, 'available', 'test');
    await eventually(
      async () => ((await stateOf(ADELE)).state === 'available' ? true : undefined),
      'the restarted agent available again',
    );
    expect((await stateOf(ADELE)).queues).toEqual(['billing', 'support']);
  });

  it('resets a run whose workflow task keeps failing to its last good task, then restarts it with the state it had', async () => {
    // Alex is listed in support only; he opts in to billing too.
    const was = await changeQueueAndGoAway(ALEX, 'billing', true);
    expect(was).toMatchObject({ state: 'away', queues: ['billing', 'support'] });
    const before = await agent(ALEX).describe();
    poisonedRunId = before.runId;
    // A signal the workflow code throws on (a TypeError in its presence handler): every attempt of the workflow task
    // that delivers it fails, and the run can no longer answer queries. Only a test can send a null presence.
    await agent(ALEX).signal(presenceSignal, null as unknown as TeamsPresence);
    await eventually(async () => failingTask(await agent(ALEX).fetchHistory()), 'the workflow task failing');

    const { code, stdout, stderr } = await cli('agents', 'restart', ALEX);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const after = await agent(ALEX).describe();
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `its workflow task was failing \\(WORKFLOW_WORKER_UNHANDLED_FAILURE: .*null.*\\), so run ${before.runId} was reset to event \\d+`,
      ),
    );
    expect(lines[1]).toBe('  signals received since, not reapplied: presence');
    const resetRunId = /as run (\S+)$/.exec(lines[0]!)![1]!;
    expect(new Set([before.runId, resetRunId, after.runId]).size).toBe(3);
    expect(lines[2]).toContain(`restarted as run ${after.runId} (ended run ${resetRunId}) with its state: away`);
    // The reset ran his last good workflow task again (the one that took her away), so that change is dated anew.
    const now = await stateOf(ALEX);
    expect({ ...now, since: was.since }).toEqual(was);
    expect(now.since).toBeGreaterThanOrEqual(was.since);
    // The reset run ended with the restart, as the failing one did with the reset; both say why.
    for (const runId of [before.runId, resetRunId]) {
      const history = await env.client.workflow.getHandle(agentWorkflowId(ALEX), runId).fetchHistory();
      const reasons = (history.events ?? []).map(
        (e) =>
          e.workflowExecutionTerminatedEventAttributes?.reason ?? e.workflowTaskFailedEventAttributes?.failure?.message,
      );
      expect(reasons).toContain(RESTART_REASON);
    }
    expect(failingTask(await agent(ALEX).fetchHistory())).toBeUndefined();
  });

  it('refuses an unknown agent with exit code 1 and changes nothing', async () => {
    const { code, stdout, stderr } = await cli('agents', 'restart', 'no-such-agent');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('unknown agent no-such-agent: no agent workflow exists for this id; nothing was changed\n');
    await expect(agent('no-such-agent').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('changes nothing when the workflow does not answer and its task is not failing (no worker polls for it)', async () => {
    const orphan = await env.client.workflow.start('agentWorkflow', {
      workflowId: agentWorkflowId('orphan'),
      taskQueue: 'nobody-polls',
      args: [{ agentId: 'orphan' }],
    });
    const { code, stdout, stderr } = await cli('agents', 'restart', 'orphan');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `agent orphan's workflow (run ${orphan.firstExecutionRunId}) did not answer within 5 s and its workflow task is not failing: is a worker running? Nothing was changed.`,
    );
    const after = await orphan.describe();
    expect(after.runId).toBe(orphan.firstExecutionRunId);
    expect(after.status.name).toBe('RUNNING');
    await orphan.terminate('test over');
  });

  it('leaves histories that replay, but for the run this test broke on purpose', async () => {
    const check = await checkHistories(env.client);
    expect(check.replayed.agentWorkflow).toBeGreaterThanOrEqual(5); // three agents, two of them restarted
    const problems = [...check.replayFailures, ...check.failedTasks].filter((p) => p.runId !== poisonedRunId);
    expect(problems).toEqual([]);
  });
});
