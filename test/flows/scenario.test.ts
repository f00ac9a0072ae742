/**
 * Scenarios and notification quirks through the real app stack (Temporal dev server, embedded Postgres, worker,
 * Express, emulator): a call with every quirk on still connects with a correct CDR; `switchboard simulate` runs a
 * JSON scenario as a child process and prints the call's steps; the TS API runs one in-process.
 */
import { runCli } from '../helpers/cli.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_QUIRKS } from '../../devkit/emulator/index.js';
import {
  defineScenario,
  loadScenario,
  runScenario,
  ScenarioError,
  type ScenarioStep,
} from '../../devkit/scenarios/scenario.js';
import { Call } from '../../src/db/entities/call.js';
import { queues } from '../../flows/index.js';
import { callResult as resultOf, stackForFile, startTestStack, type TestStack } from '../helpers/stack.js';
import { expectEveryHistoryReplays } from '../helpers/replay-check.js';

let stack: TestStack;
const [adele, alex] = queues.support!.agents as [string, string];
const root = path.resolve(import.meta.dirname, '../..');

stackForFile(async () => (stack = await startTestStack()));

const callResult = (callId: string) => resultOf(stack.client, callId);

const cdr = (callId: string) => stack.orm.em.fork().findOneOrFail(Call, { id: callId });

const run = runCli;

describe('a call with every notification quirk on', () => {
  it('still connects, and the CDR is right', async () => {
    stack.emulator!.setAgent(adele, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 1500 });
    stack.emulator!.setAgent(alex, { onTransfer: 'accept', answerAfterMs: 300, talkMs: 1500 });
    const { callId } = await stack.emulator!.placeCall({ from: { phone: '+14255550140' }, quirks: ALL_QUIRKS });
    const summary = await callResult(callId);
    expect(summary.outcome).toBe('connected');

    const call = await cdr(callId);
    // Put through onto the agent's call (consultative transfer): Graph ends our leg with AppTransferred, no resultInfo.
    expect(call).toMatchObject({
      fromKind: 'phone',
      fromId: '+14255550140',
      queue: 'support',
      outcome: 'connected',
      endCode: null,
      endSubcode: null,
    });
    expect([adele, alex]).toContain(call.agentId);
    for (const t of [call.arrivedAt, call.answeredAt, call.connectedAt, call.endedAt]) expect(t).toBeInstanceOf(Date);

    // The quirks really were on the wire: duplicates, arrays, PascalCase, string subCode, established first.
    const notes = stack.emulator!.getCall(callId)!.history.flatMap((h) => (h.kind === 'notification' ? [h] : []));
    const items = notes.map((n) => (n.body as { value: { changeType: string; resourceData: unknown }[] }).value[0]!);
    expect(items.every((i) => Array.isArray(i.resourceData))).toBe(true);
    const states = items.map((i) => (i.resourceData as { state?: string }[])[0]?.state).filter(Boolean);
    expect(states.indexOf('Established')).toBeLessThan(states.indexOf('Establishing'));
    const terminated = items.find((i) => (i.resourceData as { state?: string }[])[0]?.state === 'Terminated')!;
    expect(terminated.changeType).toBe('Deleted');
    expect((terminated.resourceData as { terminationReason: unknown }[])[0]!.terminationReason).toBe('AppTransferred');
    // The string codes and `subCode` spelling are on the wire wherever Graph sends a resultInfo: the greeting's.
    const completed = items.find(
      (i) =>
        (i.resourceData as { '@odata.type'?: string }[])[0]?.['@odata.type'] === '#microsoft.graph.playPromptOperation',
    )!;
    expect((completed.resourceData as { resultInfo: unknown }[])[0]!.resultInfo).toMatchObject({
      code: '200',
      subCode: '0',
    });
    expect(states.filter((s) => s === 'Incoming').length).toBe(2);
  });
});

describe('switchboard simulate', () => {
  it('runs a JSON scenario against the running stack and prints the call steps', async () => {
    const file = path.join(root, 'devkit/scenarios/support-connected.json');
    const r = await run(['simulate', file], { EMULATOR_URL: stack.emulator!.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`scenario support-connected against ${stack.emulator!.url}`);
    expect(r.stdout).toMatch(/caller\s+caller\s+\+14255550100 dials the bot/);
    expect(r.stdout).toMatch(/POST \/answer -> 202/);
    expect(r.stdout).toMatch(/updated established -> 2\d\d/);
    expect(r.stdout).toMatch(/8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f takes the caller in place of call/);
    const last = r.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(/^caller [0-9a-f-]{36}: terminated \(AppTransferred\)$/);
    const callId = /^caller ([0-9a-f-]{36}):/.exec(last)![1]!;
    expect(await cdr(callId)).toMatchObject({ outcome: 'connected', agentId: alex });
  });

  it('fails with a clear message for a bad scenario file or an unreachable emulator', async () => {
    const missing = await run(['simulate', path.join(root, 'devkit/scenarios/nope.json')], {
      EMULATOR_URL: stack.emulator!.url,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^simulate: cannot read scenario .*nope\.json/);
    const noFile = await run(['simulate'], {});
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('usage: switchboard simulate');
    const down = await run(['simulate', path.join(root, 'devkit/scenarios/support-connected.json')], {
      EMULATOR_URL: 'http://127.0.0.1:9',
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the emulator at http://127.0.0.1:9');
  });
});

describe('scenarios as data and through the TS API', () => {
  it('every shipped scenario loads and validates', async () => {
    for (const name of ['support-connected', 'caller-abandons', 'quirky-graph']) {
      const s = await loadScenario(path.join(root, `devkit/scenarios/${name}.json`));
      expect(s.name).toBe(name);
      expect(s.calls.length).toBeGreaterThan(0);
    }
    expect(() => defineScenario({ name: 'x', calls: [{ from: { phone: '12345' } }] })).toThrow(ScenarioError);
    expect(() =>
      defineScenario({ name: 'x', calls: [{ from: { phone: '+12345678901' }, digits: [{ atMs: 0, keys: 'xyz' }] }] }),
    ).toThrow(/digits/);
    expect(() => defineScenario({ name: 'x', calls: [] })).toThrow(/calls/);
  });

  it('runScenario: a caller who is never served and hangs up is abandoned; the pressed digit and presence are scripted', async () => {
    const scenario = await loadScenario(path.join(root, 'devkit/scenarios/caller-abandons.json'));
    const steps: ScenarioStep[] = [];
    const result = await runScenario(scenario, { emulatorUrl: stack.emulator!.url, onStep: (s) => steps.push(s) });
    expect(result.calls).toHaveLength(1);
    const [only] = result.calls;
    expect(only!.state).toBe('terminated');
    expect(only!.resultInfo).toMatchObject({ code: 200, subcode: 4097 });
    expect(steps.map((s) => s.detail)).toEqual(
      expect.arrayContaining(['Diego Siciliani dials the bot', 'presses 0', 'hangs up']),
    );
    expect(stack.emulator!.getAgent(adele)).toMatchObject({ availability: 'Away', activity: 'Away' });
    const summary = await callResult(only!.callId);
    expect(summary.outcome).toBe('abandoned');
    expect(await cdr(only!.callId)).toMatchObject({ outcome: 'abandoned', fromKind: 'user' });
  });

  it('runScenario: two quirky callers a second apart both connect', async () => {
    const scenario = await loadScenario(path.join(root, 'devkit/scenarios/quirky-graph.json'));
    const result = await runScenario(scenario, { emulatorUrl: stack.emulator!.url });
    expect(result.calls.map((c) => c.label).sort()).toEqual(['first', 'second']);
    for (const c of result.calls) {
      expect(c.terminationReason).toBe('AppTransferred');
      expect((await callResult(c.callId)).outcome).toBe('connected');
    }
  });
});

// Issue 28: runs last. The scenarios' calls (quirky and plain), the queues, the agents and the presence poller replay
// on a fresh worker.
it('every workflow history it produced replays on a fresh worker', async () => {
  await expectEveryHistoryReplays(stack.client, {
    expected: ['callWorkflow', 'queueWorkflow', 'agentWorkflow', 'presencePollerWorkflow'],
  });
});
