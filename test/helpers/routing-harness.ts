/**
 * A routing harness for workflow tests on Temporal's test environment: a worker with the real queue and agent
 * workflows and routing activities, Graph scripted per agent (ScriptedGraph), and calls started into a queue.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../../src/temporal/worker.js';
import type { QueueConfig } from '../../src/contracts/queue-config.js';
import type { CallSummary, CallWorkflowInput } from '../../src/contracts/call.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import { agentStateQuery, agentWorkflowId } from '../../src/contracts/agent.js';
import { ScriptedGraph } from './scripted-graph.js';
import { routingActivities, startAgentWorkflows } from './routing.js';

export interface Harness {
  graph: ScriptedGraph;
  taskQueue: string;
  /** Start a call into `queue`; resolves when its workflow is running. */
  start(queue: string, priority?: number): Promise<{ callId: string; result: Promise<CallSummary> }>;
  /** One call, to the end. */
  call(queue: string): Promise<CallSummary>;
  /** Agents offered calls (rung), in order. */
  offered(): string[];
  connected(): string[];
}

/** `count` agent ids: prefix-1, prefix-2, … */
export const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

/**
 * The harness on a file's test environment (`env()` is read when a test runs, after the file's beforeAll set it):
 * withRouting runs `fn` with a worker for `queues` and their agents' workflows; agentState queries an agent's workflow.
 */
export function routingHarness(env: () => TestWorkflowEnvironment) {
  let n = 0;
  function input(queue: string, priority?: number): CallWorkflowInput {
    return {
      call: {
        callId: `rt-${++n}`,
        from: { kind: 'phone', id: `+1425555${String(n).padStart(4, '0')}` },
        to: { applicationInstanceId: 'ra-test' },
        receivedAt: new Date().toISOString(),
      },
      callbackUri: 'https://switchboard.test/api/calling',
      promptBaseUrl: 'https://switchboard.test/prompts',
      route: { queue, ...(priority ? { priority } : {}) },
    };
  }

  async function withRouting(
    name: string,
    queues: QueueConfig[],
    fn: (h: Harness) => Promise<void>,
  ): Promise<ScriptedGraph> {
    const taskQueue = `tq-${name}`;
    const graph = new ScriptedGraph(env().client, 'accept');
    const byName = Object.fromEntries(queues.map((q) => [q.name, q]));
    const worker = await Worker.create({
      connection: env().nativeConnection,
      dataConverter: env().client.options.dataConverter,
      taskQueue,
      workflowsPath,
      activities: { ...graph.activities(), ...routingActivities(env().client, taskQueue, byName) },
    });
    const h: Harness = {
      graph,
      taskQueue,
      async start(queue, priority) {
        const i = input(queue, priority);
        const handle = await env().client.workflow.start('callWorkflow', {
          workflowId: callWorkflowId(i.call.callId),
          taskQueue,
          args: [i],
        });
        const result = handle.result() as Promise<CallSummary>;
        result.catch(() => undefined); // a test may terminate a call instead of waiting for its result
        return { callId: i.call.callId, result };
      },
      async call(queue) {
        return (await h.start(queue)).result;
      },
      offered: () =>
        graph.requests.filter((r) => r.op === 'ring').map((r) => (r.detail as { agentId: string }).agentId),
      connected: () => [...graph.records.values()].filter((r) => r.outcome === 'connected').map((r) => r.agentId!),
    };
    await worker.runUntil(async () => {
      await startAgentWorkflows(env().client, taskQueue, byName);
      await fn(h);
    });
    return graph;
  }

  const agentState = (id: string) => env().client.workflow.getHandle(agentWorkflowId(id)).query(agentStateQuery);
  return { withRouting, agentState };
}
