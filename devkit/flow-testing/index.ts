/**
 * Flow tests for admins: simulated callers through the real call flows, the real call workflow and the real
 * routing engine, on Temporal's time-skipping test server, so "wait 40 minutes" takes seconds. Graph is simulated
 * (SimulatedGraph); schedules, lookups and queues are the ones in flows/ unless a test overrides them.
 *
 *   const t = await FlowTest.start({ agents: 'decline' });
 *   const caller = await t.call({ dial: 'ra-main', from: '+14255550123', at: { weekday: 'tue', time: '10:00' } });
 *   await caller.hears('main-menu.wav');
 *   await caller.press('2');
 *   await caller.waits('40m');
 *   expect((await caller.result()).outcome).toBe('voicemail');
 *   await t.stop();
 *
 * See README.md, "Testing a flow".
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { temporalCliPath, temporalTestServerPath } from '../../src/infra/temporal-dev-server.js';
import { workflowsPath } from '../../src/temporal/worker.js';
import {
  fetchHistories,
  replayHistories,
  type HistoryCheck,
  type RunHistory,
} from '../../src/temporal/history-check.js';
import { createQueueActivities, createRoutingActivities } from '../../activities/queueing.js';
import { createAgentActivities, startAgentWorkflows } from '../../activities/agents.js';
import { createScheduleActivities } from '../../activities/schedules.js';
import { createLookupActivities, type Lookup } from '../../activities/lookups.js';
import { queues as configuredQueues } from '../../flows/index.js';
import { schedules as configuredSchedules } from '../../flows/schedules.js';
import { lookups as configuredLookups } from '../../flows/lookups.js';
import type { QueueConfig } from '../../src/routing/types.js';
import type { ScheduleDefinition, ScheduleException } from '../../src/schedules/types.js';
import type { CallRecord, TimelineEntry } from '../../src/contracts/activities/records.js';
import { agentOfferOutcomeSignal, agentWorkflowId, reserveUpdate } from '../../src/contracts/agent.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import type { CallSummary, CallWorkflowInput } from '../../src/contracts/call.js';
import {
  SimulatedGraph,
  type CalleeBehaviour,
  type MessageBehaviour,
  type SimulatedCallback,
  type SimulatedOutboundCall,
  type SimulatedVoicemail,
} from './simulated-graph.js';
import { nextLocalTime, type LocalTime } from './clock.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';

export { SimulatedGraph } from './simulated-graph.js';
export type { CalleeBehaviour, SimulatedCallback, SimulatedOutboundCall } from './simulated-graph.js';
export type { LocalTime } from './clock.js';

export type AgentBehaviour = 'accept' | 'decline' | 'ignore';

/** A flow test's workflow histories, kept past its server's end, and the flows module its worker ran last. */
export interface FlowTestHistories {
  runs: RunHistory[];
  flows: string | undefined;
}

export interface FlowTestOptions {
  /**
   * What agents do when offered a call: accept (default), decline or ignore it, per agent id or for all.
   * 'busy': every agent is signed in but on someone else's call for the whole test, so callers wait the queue's
   * full time. 'signedOut' signs nobody in, so queues have no agents.
   */
  agents?: AgentBehaviour | 'busy' | 'signedOut' | Record<string, AgentBehaviour>;
  /** Lookups to use instead of flows/lookups.ts (a CRM that is down, a customer who is a VIP…). */
  lookups?: Record<string, Lookup>;
  /** Holidays and special dates added at run time, as admins would through the API. */
  scheduleExceptions?: Record<string, ScheduleException[]>;
  schedules?: Record<string, ScheduleDefinition>;
  queues?: Record<string, QueueConfig>;
  /** Base URL the prompts appear under in Graph requests. */
  promptBaseUrl?: string;
  /**
   * A module to run instead of flows/flows.ts (same exports: `callFlows`, `flowFor`): to test a flow change before
   * it replaces the real one, and with `deploy`, what it does to calls already in progress.
   */
  flows?: string;
  /**
   * 'time-skipping' (default): waits are skipped. 'dev': Temporal's dev server in real time, for tests that stop
   * and replace the worker (`deploy`), which the time-skipping server can't follow: it keeps a stopped worker's
   * next task, and so its clock, waiting.
   */
  server?: 'time-skipping' | 'dev';
}

export interface CallOptions {
  /** The resource account (applicationInstance id) dialled; selects the flow. */
  dial: string;
  /** A phone number (E.164) or a Teams user `{ user: id, name? }`. Default: a phone number. */
  from?: string | { user: string; name?: string };
  /**
   * When the call arrives: a later instant, or the next local weekday/date and time (in the main office's time zone
   * unless given). The test server's clock only moves forward. Default: now.
   */
  at?: Date | LocalTime;
}

let harnesses = 0;
/** The tenant simulated calls come from (Graph puts the tenant id on every incoming call). */
export const FLOW_TEST_TENANT = '00000000-0000-4000-8000-0000000f1075';

// The alias must name the .ts file: the bundler's extensionAlias has already mapped the import's .js to it.
const FLOWS_MODULE = fileURLToPath(new URL('../../flows/flows.ts', import.meta.url));

/** A worker for the real workflows; `flows` replaces flows/flows.ts in its bundle. */
async function createWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
  flows?: string,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleFor(flows),
    activities,
    dataConverter: ephemeralDataConverter(),
  });
}

/** Bundling the workflows takes seconds; a test file's flow tests share one bundle per flows module. */
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
function bundleFor(flows: string | undefined): Promise<WorkflowBundleWithSourceMap> {
  const key = flows ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      logger: new DefaultLogger('WARN'),
      ...(flows ? { webpackConfigHook: (config) => replaceFlows(config, flows) } : {}),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/** Swap flows/flows.ts for the given module in a workflow bundle's webpack config. */
export function replaceFlows<C extends { resolve?: { alias?: unknown } }>(config: C, flows: string): C {
  const alias = (config.resolve?.alias ?? {}) as Record<string, string>;
  return { ...config, resolve: { ...config.resolve, alias: { ...alias, [FLOWS_MODULE]: flows } } };
}

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
    const taskQueue = `flow-test-${++harnesses}`;
    const agents = options.agents ?? 'accept';
    const graph = new SimulatedGraph(
      env.client,
      agents === 'accept' || agents === 'decline' || agents === 'ignore' ? agents : 'accept',
      true,
      (ctx) => !ctx.startsWith('hold-'),
    );
    if (typeof agents === 'object') for (const [id, b] of Object.entries(agents)) graph.agentBehaviour.set(id, b);
    const queues = options.queues ?? configuredQueues;
    const exceptions = options.scheduleExceptions ?? {};
    const activities = {
      ...graph.activities(),
      ...createQueueActivities(env.client, taskQueue, queues),
      ...createRoutingActivities(env.client, undefined),
      ...createAgentActivities({ client: env.client, taskQueue, orm: undefined, queues }),
      ...createScheduleActivities(async (s) => exceptions[s] ?? [], options.schedules ?? configuredSchedules),
      ...createLookupActivities(options.lookups ?? configuredLookups),
    };
    const worker = await createWorker(env, taskQueue, activities, options.flows);
    const running = worker.run();
    const ids = agents === 'signedOut' ? [] : await startAgentWorkflows(env.client, taskQueue, queues);
    if (agents === 'busy') {
      // Held by a reservation for a call elsewhere, through the same Update the queues use: staffed, never free.
      for (const agentId of ids) {
        // The agent signs in once its workflow has taken the queues it belongs to: until then the Update is refused.
        for (let attempt = 1; ; attempt++) {
          try {
            await env.client.workflow.getHandle(agentWorkflowId(agentId)).executeUpdate(reserveUpdate, {
              args: [
                {
                  reservationId: `busy-${agentId}`,
                  queue: Object.values(queues).find((q) => q.agents.includes(agentId))!.name,
                  callWorkflowId: 'call-elsewhere',
                  callId: 'elsewhere',
                },
              ],
            });
            break;
          } catch (err) {
            if (attempt >= 100) throw err;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    }
    return new FlowTest(
      env,
      graph,
      worker,
      running,
      taskQueue,
      options.promptBaseUrl ?? 'https://switchboard.test/prompts',
      activities,
      options.flows,
    );
  }

  /**
   * Deploy other flow code while calls are in progress, the way a worker restart with new code does: the running
   * worker stops and a new one, built from `flows` (default: the real flows/flows.ts), takes over the same calls.
   */
  async deploy(flows?: string): Promise<void> {
    this.worker.shutdown();
    await this.running.catch(() => undefined);
    this.worker = await createWorker(this.env, this.taskQueue, this.activities, flows);
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
    await this.env.client.workflow.getHandle(agentWorkflowId(agentId)).signal(agentOfferOutcomeSignal, {
      reservationId: `busy-${agentId}`,
      outcome: 'cancelled',
      wrapUpSeconds: 0,
      missesBeforeAway: 1,
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

/** One simulated caller: what they hear, what they press, how long they wait. */
export class SimulatedCaller {
  private heardUpTo = 0;

  constructor(
    private readonly test: FlowTest,
    readonly callId: string,
    private readonly handle: WorkflowHandle,
  ) {}

  private get graph(): SimulatedGraph {
    return this.test.graph;
  }

  /** Every prompt file played to this caller so far, in order (hold music included). */
  heard(): string[] {
    return this.graph.prompts.filter((p) => p.callId === this.callId).flatMap((p) => p.files);
  }

  /**
   * Wait until the caller hears this prompt (after the ones already checked), failing with what they heard instead
   * after `timeoutMs` of real time.
   */
  async hears(file: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const heard = this.heard();
      const at = heard.indexOf(file, this.heardUpTo);
      if (at >= 0) {
        this.heardUpTo = at + 1;
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`the caller did not hear ${file}; they heard: ${heard.join(', ') || 'nothing'}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Press keys on the dial pad (once the call is answered). */
  async press(keys: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.graph.requests.some((r) => r.op === 'subscribeToTone' && r.callId === this.callId)) {
      if (Date.now() > deadline) throw new Error('the call was never answered, so no key can be pressed');
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.graph.press(this.callId, keys);
  }

  /** Let time pass while the caller stays on the line: '2m', '40m'… */
  async waits(duration: string | number): Promise<void> {
    await this.test.wait(duration);
  }

  /** What the caller does at the voicemail beep (before the flow reaches it): speak for N seconds, stay silent, hang up. */
  atTheBeep(behaviour: MessageBehaviour): void {
    this.graph.messageBehaviour.set(this.callId, behaviour);
  }

  async hangUp(): Promise<void> {
    await this.graph.hangUp(this.callId);
  }

  /** How the call ended (waits for it to end, letting time pass as needed). */
  async result(): Promise<CallSummary> {
    const summary = (await this.handle.result()) as CallSummary;
    const dir = process.env.SWITCHBOARD_RECORD_HISTORIES;
    if (dir) {
      // `npm run histories:record`: the flow tests' calls become the replay test's recorded histories.
      await mkdir(dir, { recursive: true });
      const name = `${summary.flow ?? 'call'}-${this.callId.slice(0, 8)}.history.bin`;
      await writeFile(
        join(dir, name),
        temporal.api.history.v1.History.encode(await this.handle.fetchHistory()).finish(),
      );
    }
    return summary;
  }

  /** The call workflow's event history (for replay tests). */
  async history(): ReturnType<WorkflowHandle['fetchHistory']> {
    return this.handle.fetchHistory();
  }

  /** The CDR as last written. */
  record(): CallRecord | undefined {
    return this.graph.records.get(this.callId);
  }

  timeline(): TimelineEntry[] {
    return this.graph.events(this.callId);
  }

  /** The verbs the flow ran, in order (e.g. ['answer', 'isOpen', 'menu', 'queue', 'voicemail', 'hangup']). */
  path(): string[] {
    return this.timeline()
      .map((e) => e.type)
      .filter((t) => t.startsWith('verb:') && !t.endsWith(':done') && t.split(':').length === 2)
      .map((t) => t.slice('verb:'.length));
  }

  /** The callback this caller took, as its row stands. */
  callback(): SimulatedCallback | undefined {
    return this.graph.callbacks.find((c) => c.callId === this.callId);
  }

  /** The calls placed to call this caller back, in order. */
  callbackCalls(): SimulatedOutboundCall[] {
    const workflowId = callWorkflowId(this.callId);
    return this.graph.outboundCalls.filter((c) => c.workflowId === workflowId);
  }

  /** Every prompt the person called back heard, in order (hold music included). */
  heardOnCallback(): string[] {
    const ids = new Set(this.callbackCalls().map((c) => c.callId));
    return this.graph.prompts.filter((p) => ids.has(p.callId)).flatMap((p) => p.files);
  }

  voicemail(): SimulatedVoicemail | undefined {
    return this.graph.voicemails.find((v) => v.callId === this.callId);
  }
}
