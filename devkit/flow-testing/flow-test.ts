/**
 * A flow test: the real call workflow, flows and routing engine on Temporal's time-skipping test server (or the dev
 * server, to deploy new flow code mid-call), with Graph simulated (SimulatedGraph) and the activities the worker
 * would run. Places simulated calls, lets time pass, and replays what it wrote.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createAgentActivities, startAgentWorkflows } from '../../activities/agents.js';
import { createLookupActivities } from '../../activities/lookups.js';
import { createQueueActivities, createRoutingActivities } from '../../activities/queueing.js';
import { createScheduleActivities } from '../../activities/schedules.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { lookups as configuredLookups } from '../../flows/lookups.js';
import { schedules as configuredSchedules } from '../../flows/schedules.js';
import { callWorkflowId, type CallWorkflowInput } from '../../src/contracts/call.js';
import { transferUpdate, type TransferResult } from '../../src/contracts/transfer.js';
import { temporalCliPath, temporalTestServerPath } from '../../src/infra/temporal-dev-server.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { fetchHistories, replayHistories, type HistoryCheck } from '../../src/temporal/history-check.js';
import { addCallSearchAttributes } from '../../src/temporal/search-attributes.js';
import { freeBusyAgent, holdAgentsBusy } from './busy-agents.js';
import { nextLocalTime } from './clock.js';
import { bundleFor, createFlowWorker } from './flow-worker.js';
import {
  FLOW_TEST_TENANT,
  type ActivityFunction,
  type CallOptions,
  type FlowTestHistories,
  type FlowTestOptions,
} from './options.js';
import { SimulatedCaller } from './simulated-caller.js';
import { SimulatedGraph, type CalleeBehaviour } from './simulated-graph.js';

let harnesses = 0;

export class FlowTest {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly graph: SimulatedGraph,
    private worker: Worker,
    private running: Promise<void>,
    private readonly taskQueue: string,
    private readonly promptBaseUrl: string,
    private readonly activities: object,
    private flows: string | undefined,
    private readonly phoneRegion: string | undefined,
  ) {}

  static async start(options: FlowTestOptions = {}): Promise<FlowTest> {
    const env =
      options.server === 'dev'
        ? await TestWorkflowEnvironment.createLocal({
            server: { executable: { type: 'existing-path', path: temporalCliPath() } },
            client: { dataConverter: ephemeralDataConverter() },
          })
        : await TestWorkflowEnvironment.createTimeSkipping({
            server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
            client: { dataConverter: ephemeralDataConverter() },
          });
    // The call workflow sets its search attributes: a server that does not know them fails its workflow tasks.
    await addCallSearchAttributes(env.connection, env.namespace ?? 'default');
    const taskQueue = `flow-test-${++harnesses}`;
    const agents = options.agents ?? 'accept';
    const graph = new SimulatedGraph(
      env.client,
      agents === 'accept' || agents === 'decline' || agents === 'ignore' ? agents : 'accept',
      true,
      (ctx) => !ctx.startsWith('hold-'),
    );
    if (typeof agents === 'object') for (const [id, b] of Object.entries(agents)) graph.agentBehaviour.set(id, b);
    const testService = options.server === 'dev' ? undefined : env.connection.testService;
    if (testService)
      graph.timeLock = {
        lock: () => testService.lockTimeSkipping({}),
        unlock: () => testService.unlockTimeSkipping({}),
      };
    const queues = options.queues ?? configuredQueues;
    const exceptions = options.scheduleExceptions ?? {};
    const own = {
      ...graph.activities(),
      ...createQueueActivities(env.client, taskQueue, queues),
      ...createRoutingActivities(env.client, undefined),
      ...createAgentActivities({ client: env.client, taskQueue, orm: undefined, queues }),
      ...createScheduleActivities(async (s) => exceptions[s] ?? [], options.schedules ?? configuredSchedules),
      ...createLookupActivities(options.lookups ?? configuredLookups),
    };
    const activities = { ...own, ...options.activities?.(own as Record<string, ActivityFunction>) };
    const worker = await createFlowWorker(env, taskQueue, activities, options.flows);
    const running = worker.run();
    const ids = agents === 'signedOut' ? [] : await startAgentWorkflows(env.client, taskQueue, queues);
    // Held by a reservation for a call elsewhere, through the same Update the queues use: staffed, never free.
    if (agents === 'busy') await holdAgentsBusy(env.client, ids, queues);
    return new FlowTest(
      env,
      graph,
      worker,
      running,
      taskQueue,
      options.promptBaseUrl ?? 'https://switchboard.test/prompts',
      activities,
      options.flows,
      options.phoneRegion,
    );
  }

  /**
   * Deploy other flow code while calls are in progress, the way a worker restart with new code does: the running
   * worker stops and a new one, built from `flows` (default: the real flows/flows.ts), takes over the same calls.
   */
  async deploy(flows?: string): Promise<void> {
    this.worker.shutdown();
    await this.running.catch(() => undefined);
    this.worker = await createFlowWorker(this.env, this.taskQueue, this.activities, flows);
    this.running = this.worker.run();
    this.flows = flows;
  }

  /** The test server's clock. */
  async now(): Promise<Date> {
    return new Date(await this.env.currentTimeMs());
  }

  /** Let time pass (skipped, not waited): '90s', '40m', or milliseconds. */
  async wait(duration: string | number): Promise<void> {
    await this.env.sleep(duration as Parameters<TestWorkflowEnvironment['sleep']>[0]);
  }

  /** With `agents: 'busy'`: the agent's other call ends (no wrap-up), and they are free for the queues again. */
  async freeAgent(agentId: string): Promise<void> {
    await freeBusyAgent(this.env.client, agentId);
  }

  /**
   * Act as the agent talking to the caller (issue 24, point 4): send them to another queue or to a colleague, warm
   * (the agent stays until the next one is in) or blind, through the call's `transfer` Update, as the admin API does.
   */
  async transfer(
    callId: string,
    to: { queue: string } | { agentId: string },
    options: { by: string; blind?: boolean },
  ): Promise<TransferResult> {
    return this.env.client.workflow.getHandle(callWorkflowId(callId)).executeUpdate(transferUpdate, {
      args: [{ ...to, requestedBy: options.by, ...(options.blind ? { blind: true } : {}) }],
    });
  }

  /** What the person at this number does when Switchboard calls them (a callback): answer (default), or not. */
  callee(phone: string, behaviour: CalleeBehaviour): void {
    this.graph.calleeBehaviour.set(phone, behaviour);
  }

  /** Place a call; it runs the flow for the number dialled. */
  async call(options: CallOptions): Promise<SimulatedCaller> {
    if (options.at !== undefined) {
      const now = await this.now();
      const at = options.at instanceof Date ? options.at : nextLocalTime(now, options.at);
      const ms = at.getTime() - now.getTime();
      if (ms < 0) throw new Error(`the test clock is already past ${at.toISOString()}`);
      if (ms > 0) await this.env.sleep(ms);
    }
    const callId = randomUUID();
    const from = options.from ?? '+14255550100';
    const input: CallWorkflowInput = {
      call: {
        callId,
        from:
          typeof from === 'string'
            ? { kind: 'phone', id: from }
            : { kind: 'user', id: from.user, ...(from.name ? { displayName: from.name } : {}) },
        to: { applicationInstanceId: options.dial },
        tenantId: FLOW_TEST_TENANT,
        receivedAt: (await this.now()).toISOString(),
      },
      callbackUri: 'https://switchboard.test/api/calling',
      promptBaseUrl: this.promptBaseUrl,
      ...(this.phoneRegion ? { phoneRegion: this.phoneRegion } : {}),
    };
    const handle = await this.env.client.workflow.start('callWorkflow', {
      workflowId: callWorkflowId(callId),
      taskQueue: this.taskQueue,
      args: [input],
    });
    return new SimulatedCaller(this, callId, handle as WorkflowHandle);
  }

  /**
   * Every workflow history on this test's server so far (the calls, the queues, the agents), fetched now: the server
   * goes with stop(). Keep them for FlowTest.replay, so a test file can end by replaying every history its tests wrote.
   */
  async histories(): Promise<FlowTestHistories> {
    return { runs: await fetchHistories(this.env.client), flows: this.flows };
  }

  /**
   * Kept histories replayed on a fresh replay worker with the workflow code that wrote them (the flows module each
   * test's worker ran last): one that does not replay is a change that would break calls in progress, or a
   * nondeterminism bug (issue 28). Workflow tasks that failed while they ran are listed too.
   */
  static async replay(kept: FlowTestHistories[]): Promise<HistoryCheck> {
    const check: HistoryCheck = { replayed: {}, replayFailures: [], failedTasks: [] };
    for (const flows of new Set(kept.map((k) => k.flows))) {
      const runs = kept.filter((k) => k.flows === flows).flatMap((k) => k.runs);
      const one = await replayHistories(runs, {
        workflowBundle: await bundleFor(flows),
        dataConverter: ephemeralDataConverter(),
      });
      for (const [type, n] of Object.entries(one.replayed)) check.replayed[type] = (check.replayed[type] ?? 0) + n;
      check.replayFailures.push(...one.replayFailures);
      check.failedTasks.push(...one.failedTasks);
    }
    return check;
  }

  /** This test's histories so far, replayed now (FlowTest.replay). */
  async checkHistories(): Promise<HistoryCheck> {
    return FlowTest.replay([await this.histories()]);
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await this.running.catch(() => undefined);
    await this.env.teardown();
  }
}
