import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/infra/temporal-dev-server.js';
import { ephemeralDataConverter } from '../../src/temporal/data-converter.js';
import { addCallSearchAttributes } from '../../src/temporal/search-attributes.js';
import { routingActivities, startAgentWorkflows } from '../helpers/routing.js';
import { ScriptedGraph } from '../helpers/scripted-graph.js';
import { callWorkflowId } from '../../src/contracts/call.js';
import type { CallWorkflowInput } from '../../src/contracts/call.js';
import { eventually } from '../helpers/eventually.js';
import { queues } from '../../flows/index.js';
import { createTestWorker } from '../helpers/test-worker.js';

// The call workflow on the time-skipping test server: 40 minutes of hold music run in seconds.
// Each test gets its own server: the queue and agent workflows one test leaves running (and the skipped time) can't
// reach the next, and a retried test never meets the worker of its first attempt.
let env: TestWorkflowEnvironment;
let attempt = 0;

beforeEach(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    // Payloads and failures encrypted as the production worker's are (src/temporal/data-converter.ts).
    client: { dataConverter: ephemeralDataConverter() },
  });
  await addCallSearchAttributes(env.connection, env.namespace ?? 'default');
});

afterEach(async () => {
  await env?.teardown();
});

/**
 * Run a test's steps, naming the step it was in if it stalls: a stall on the time-skipping server otherwise shows up
 * only as vitest's bare timeout.
 */
async function steps<T>(graph: ScriptedGraph, body: (step: (name: string) => void) => Promise<T>): Promise<T> {
  let current = 'start';
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const last = graph.requests
        .slice(-5)
        .map((r) => r.op)
        .join(', ');
      reject(new Error(`stalled in step "${current}" (last Graph requests: ${last})`));
    }, 100_000);
  });
  try {
    return await Promise.race([body((name) => (current = name)), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

function input(callId: string): CallWorkflowInput {
  return {
    call: {
      callId,
      from: { kind: 'phone', id: '+14255550123' },
      to: { applicationInstanceId: 'ra-unlisted' }, // the default flow: greeting, then support
      receivedAt: new Date().toISOString(),
    },
    callbackUri: 'https://switchboard.test/api/calling',
    promptBaseUrl: 'https://switchboard.test/prompts',
  };
}

async function withWorker<T>(graph: ScriptedGraph, name: string, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `${name}-${++attempt}`;
  // Agents who decline are not offered the same call again within the hour, so offers don't interrupt the wait; the
  // queue keeps a caller up to 45 minutes.
  const testQueues = { support: { ...queues.support!, reofferAfterSeconds: 3600, maxWaitSeconds: 2700 } };
  const worker = await createTestWorker(env, {
    taskQueue,
    activities: { ...graph.activities(), ...routingActivities(env.client, taskQueue, testQueues) },
  });
  return worker.runUntil(async () => {
    await startAgentWorkflows(env.client, taskQueue, testQueues);
    return fn(taskQueue);
  });
}

describe('call workflow on the time-skipping server', () => {
  it('loops hold music for a 40-minute wait and records the abandon with the time waited', async () => {
    const graph = new ScriptedGraph(env.client, 'decline');
    const callId = 'call-hold-loop';
    await withWorker(graph, 'tq-hold-loop', (taskQueue) =>
      steps(graph, async (step) => {
        const handle = await env.client.workflow.start('callWorkflow', {
          workflowId: callWorkflowId(callId),
          taskQueue,
          args: [input(callId)],
        });
        // Every agent declines, so the caller stays in queue. Each hold-music prompt plays for 60 s of skipped time.
        for (let round = 1; round <= 40; round++) {
          step(`hold-music round ${round}`);
          const prompt = await eventually(
            () => graph.prompts.find((p) => p.clientContext.startsWith('hold-') && !p.completed),
            `hold-music round ${round}`,
          );
          await env.sleep('60s');
          await graph.completePrompt(prompt.operationId);
        }
        step('round 41');
        await eventually(() => graph.prompts.find((p) => p.clientContext === 'hold-41'), 'round 41');
        step('hang-up and result');
        await graph.hangUp(callId);
        const summary = await handle.result();

        expect(summary.outcome).toBe('abandoned');
        expect(summary.waitSeconds).toBeGreaterThanOrEqual(2400);
        expect(summary.waitSeconds).toBeLessThan(2400 + 120);
      }),
    );

    const holdPrompts = graph.requests.filter(
      (r) => r.op === 'playPrompt' && String((r.detail as { clientContext: string }).clientContext).startsWith('hold-'),
    );
    expect(holdPrompts).toHaveLength(41);
    // One round asks Graph for the shipped 8-second track 20 times over (its limit per playPrompt): a round per 160 s.
    expect(holdPrompts[0]!.detail).toMatchObject({
      promptUris: Array.from({ length: 20 }, () => 'https://switchboard.test/prompts/hold-music.wav'),
    });
    // Both configured agents were offered the call (rung) once each, then left out of its offers.
    const rings = graph.requests.filter((r) => r.op === 'ring').map((r) => (r.detail as { agentId: string }).agentId);
    expect(rings).toHaveLength(2);
    expect(new Set(rings).size).toBe(2);
    expect(graph.requests.filter((r) => r.op === 'transfer')).toHaveLength(0);

    const record = graph.records.get(callId)!;
    expect(record.outcome).toBe('abandoned');
    expect(record.queue).toBe('support');
    expect(record.agentId).toBeUndefined();
    expect(record.waitSeconds).toBe((Date.parse(record.endedAt!) - Date.parse(record.queuedAt!)) / 1000);
    const types = graph.eventTypes(callId);
    expect(types.filter((t) => t === 'offerFailed')).toHaveLength(2);
    expect(types.filter((t) => t === 'playPrompt:completed')).toHaveLength(41); // greeting + 40 rounds
    expect(types.slice(-3)).toEqual(['abandoned', 'verb:queue:done', 'outcome']);
  });

  it('replays hold music when a completion notification is lost, asking Graph for the call state', async () => {
    const graph = new ScriptedGraph(env.client, 'decline');
    const callId = 'call-lost-notification';
    await withWorker(graph, 'tq-lost-notification', (taskQueue) =>
      steps(graph, async (step) => {
        const handle = await env.client.workflow.start('callWorkflow', {
          workflowId: callWorkflowId(callId),
          taskQueue,
          args: [input(callId)],
        });
        step('first hold music');
        await eventually(() => graph.prompts.find((p) => p.clientContext === 'hold-1'), 'hold music');
        // No hold-music completion ever arrives; 21 minutes pass, a minute at a time: a replay every 5 minutes.
        for (let minute = 1; minute <= 21; minute++) {
          step(`minute ${minute} of the wait`);
          await env.sleep('1m');
        }
        step('hang-up and result');
        await graph.hangUp(callId);
        const summary = await handle.result();
        expect(summary.outcome).toBe('abandoned');
        expect(summary.waitSeconds).toBeGreaterThanOrEqual(20 * 60);
      }),
    );
    const types = graph.eventTypes(callId);
    const lost = types.filter((t) => t === 'holdMusicNoCompletion').length;
    expect(lost).toBe(4);
    expect(graph.requests.filter((r) => r.op === 'getCall').length).toBe(lost);
    expect(graph.requests.filter((r) => r.op === 'ring')).toHaveLength(2);
    // Once both offers were declined, hold music started once, then again after each lost completion.
    const afterOffers = types.slice(types.lastIndexOf('offerFailed'));
    expect(afterOffers.filter((t) => t === 'promptStarted')).toHaveLength(1 + lost);
  });
});
