import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sample, samples } from '../helpers/prometheus.js';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../src/infra/temporal-dev-server.js';
import { spawnRole, type RoleProcess } from '../../src/infra/role-process.js';
import { emulatorGraphEnv } from '../../src/config.js';
import { createRecordActivities } from '../../activities/records.js';
import { type CallRecord } from '../../src/contracts/activities/records.js';
import { callResult, startTestStack, type TestStack } from '../helpers/stack.js';
import { agentWorkflowId } from '../../src/contracts/agent.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { ringRequests } from '../helpers/routing.js';
import { queues } from '../../flows/index.js';

// One real call through the whole stack (webhook, Temporal, worker, Graph emulator, Postgres), with one Graph 503 on
// the answer: /metrics counts it by outcome, Graph error and latency, and every log line about it names the call.
let stack: TestStack | undefined;
let dir: string | undefined;
let workerProcess: RoleProcess | undefined;

afterAll(async () => {
  await workerProcess?.stop();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('observes a call in /metrics once, names the call in every log line about it, and keeps workflow stack traces off', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-observability-'));
  const logFile = path.join(dir, 'switchboard.log');
  stack = await startTestStack({ LOG_LEVEL: 'debug' }, { logFile });
  const metrics = async (url = `${stack!.webUrl}/metrics`) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };
  const before = await metrics();
  const connected = { outcome: 'connected' };
  const answerError = { operation: 'answer', status: '503', code: 'serviceNotAvailable' };

  for (const agent of queues.support!.agents)
    stack.emulator!.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 300 });
  stack.emulator!.injectFault({ action: 'answer', status: 503, times: 1 });
  const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550188' } });
  const workflowId = callWorkflowId(callId);
  expect((await callResult(stack.client, callId)).outcome).toBe('connected');
  // The calls the workflow placed to ring the agents (their notifications name the caller's workflow).
  const rings = new Set(ringRequests(stack.emulator!.requests, callId).map((r) => r.callId));
  expect(rings.size).toBeGreaterThan(0);

  // The workflow has written its last record when it returns, so every counter is final now.
  const after = await metrics();
  expect(
    sample(after, 'switchboard_calls_total', connected) - sample(before, 'switchboard_calls_total', connected),
  ).toBe(1);
  expect(
    sample(after, 'switchboard_graph_errors_total', answerError) -
      sample(before, 'switchboard_graph_errors_total', answerError),
  ).toBe(1);
  for (const h of ['switchboard_answer_latency_seconds', 'switchboard_offer_latency_seconds']) {
    expect(sample(after, `${h}_count`) - sample(before, `${h}_count`), h).toBe(1);
    // Observed in seconds from a real instant: the answer waited out one retry, the offer an agent's reservation.
    expect(sample(after, `${h}_sum`) - sample(before, `${h}_sum`), h).toBeGreaterThan(0);
    expect(sample(after, `${h}_sum`) - sample(before, `${h}_sum`), h).toBeLessThan(60);
  }

  // The live gauges, read from Postgres at scrape time: every agent counted once in some state, the queue's depth.
  const knex = stack.orm.em.getKnex();
  const agentsLive = Number((await knex('agent_live').count({ n: '*' }))[0]!.n);
  expect(agentsLive).toBeGreaterThan(0);
  expect(samples(after, 'switchboard_agents').reduce((n, s) => n + s.value, 0)).toBe(agentsLive);
  const support = await knex('queue_live').where('queue', 'support').first();
  expect(samples(after, 'switchboard_queue_calls_waiting').find((s) => s.labels.queue === 'support')?.value).toBe(
    support.calls_waiting,
  );
  // The Temporal SDK's worker metrics ride along with nothing configured (TEMPORAL_SDK_METRICS_PORT unset).
  expect(samples(after, 'temporal_worker_task_slots_available').length).toBeGreaterThan(0);

  // recordCall runs once per batch and again on every retry: writing the ended call's record again, as a retry
  // would, counts nothing more.
  const row = await stack.orm.em.getKnex()('call').where('id', callId).first();
  const record: CallRecord = {
    callId,
    workflowId,
    fromKind: row.from_kind,
    fromId: row.from_id,
    outcome: row.outcome,
    arrivedAt: new Date(row.arrived_at).toISOString(),
    endedAt: new Date(row.ended_at).toISOString(),
  };
  const { recordCall } = createRecordActivities(stack.orm);
  await Promise.all([recordCall({ record, events: [] }), recordCall({ record, events: [] })]);
  const again = await metrics();
  expect(sample(again, 'switchboard_calls_total', connected)).toBe(sample(after, 'switchboard_calls_total', connected));

  // Workflow stack traces are off unless WORKFLOW_STACK_TRACES says otherwise (they cost the worker CPU): the stack
  // trace query of a waiting agent workflow names none of its frames (on, it shows agentWorkflow waiting in
  // condition), while this process's own stacks (web process, activities) are untouched.
  const agentId = Object.values(queues).flatMap((q) => q.agents)[0]!;
  const trace = await stack.client.workflow.getHandle(agentWorkflowId(agentId)).query<string>('__stack_trace');
  expect(typeof trace).toBe('string');
  expect(trace).not.toMatch(/agentWorkflow|condition/);
  expect(new Error('here').stack).toMatch(/observability\.test\.ts/);

  await stack.stop();
  stack = undefined;

  // Every line of ours that mentions the call (webhook, workflow `log`, activity `log`, the SDK's lines about its
  // activities) carries callId and workflowId. The Temporal server's own output and the Graph emulator's (Graph's
  // side of the call) are not Switchboard's log lines.
  const lines = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter((l) => l.includes(callId))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.component !== 'temporal' && l.component !== 'graph-emulator');
  const kinds = new Set(
    lines.map((l) =>
      l.component !== 'temporal-sdk'
        ? 'app'
        : l.activityId !== undefined
          ? 'activity'
          : l.workflowType !== undefined
            ? 'workflow'
            : 'sdk',
    ),
  );
  expect(lines.length).toBeGreaterThan(5);
  // The webhook's, the workflow's and activities' lines are all among them.
  expect([...kinds]).toEqual(expect.arrayContaining(['app', 'workflow', 'activity']));
  // A line about a ring the workflow placed carries that call's id, and the caller's workflow id.
  const missing = lines.filter(
    (l) =>
      (l.callId !== callId && !rings.has(l.callId as string)) ||
      (l.workflowId !== workflowId && l.callWorkflowId !== workflowId),
  );
  expect(missing).toEqual([]);
  // Web and worker in one process share the Temporal connection: Temporal handed the call's first workflow task
  // straight to this worker (eager start) instead of queueing it.
  expect(lines.find((l) => l.msg === 'incoming call')).toMatchObject({ result: 'accepted', eager: true });
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

it('a worker-only process (`switchboard worker`) counts the call on its own /metrics, apart from the web process', async () => {
  // This process runs the web role only (Temporal dev server, Postgres, Express, the Graph emulator); the worker is a
  // `switchboard worker` process of its own, as production runs it, serving /metrics on WORKER_METRICS_PORT.
  stack = await startTestStack({}, { roles: { worker: false, web: true } });
  const emulator = stack.emulator!;
  workerProcess = await spawnRole(
    'worker',
    'cli/main.ts',
    ['worker'],
    {
      TEMPORAL_ADDRESS: stack.temporalAddress,
      DATABASE_URL: stack.databaseUrl,
      ...emulatorGraphEnv(emulator),
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      PUBLIC_URL: stack.config.publicUrl,
      DATA_DIR: stack.dataDir,
      WORKER_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    },
    /Switchboard is running/,
  );
  const workerUrl = /metrics (http:\/\/\S+)/.exec(workerProcess.output())?.[1];
  expect(workerUrl, workerProcess.output()).toBeDefined();
  const webUrl = `${stack.webUrl}/metrics`;
  const [workerBefore, webBefore] = [await scrape(workerUrl!), await scrape(webUrl)];

  const connected = { outcome: 'connected' };
  const accepted = { result: 'accepted' };
  for (const agent of queues.support!.agents)
    emulator.setAgent(agent, { onTransfer: 'accept', answerAfterMs: 200, talkMs: 300 });
  const { callId } = await emulator.placeCall({ from: { phone: '+14255550189' } });
  expect((await callResult(stack.client, callId)).outcome).toBe('connected');

  // The workflow has written its last record when it returns: the worker's counters are final now.
  const [workerAfter, webAfter] = [await scrape(workerUrl!), await scrape(webUrl)];
  const delta = (after: string, before: string, name: string, labels: Record<string, string> = {}) =>
    sample(after, name, labels) - sample(before, name, labels);
  // The worker process observed the call: its outcome, its answer and the offer to an agent.
  expect(delta(workerAfter, workerBefore, 'switchboard_calls_total', connected)).toBe(1);
  expect(delta(workerAfter, workerBefore, 'switchboard_answer_latency_seconds_count')).toBe(1);
  expect(delta(workerAfter, workerBefore, 'switchboard_offer_latency_seconds_count')).toBe(1);
  // The web process did not: what the worker counts lives in the worker's registry only ...
  expect(delta(webAfter, webBefore, 'switchboard_calls_total', connected)).toBe(0);
  expect(delta(webAfter, webBefore, 'switchboard_answer_latency_seconds_count')).toBe(0);
  // ... and what the webhook counts (the call's incoming notification, accepted) in the web's only.
  expect(delta(webAfter, webBefore, 'switchboard_notifications_total', accepted)).toBeGreaterThanOrEqual(1);
  expect(delta(workerAfter, workerBefore, 'switchboard_notifications_total', accepted)).toBe(0);
});
