/**
 * Scenarios as data: who calls when, what they press and say, when they hang up; how agents answer and what
 * presence they show over time; how people the bot calls answer. Written as JSON (devkit/scenarios/*.json) or in
 * TypeScript with `defineScenario`, and run against a running emulator's control API with `runScenario`
 * (`switchboard simulate <file>`).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { agentScriptSchema, calleeScriptSchema, callerScriptSchema } from '../emulator/server.js';
import type { AgentScript, CalleeScript, CallerScript, CallHistoryEntry, EmulatedCallView } from '../emulator/index.js';

export interface ScenarioCall extends CallerScript {
  /** Dial this long after the scenario starts. Default 0. */
  atMs?: number;
  /** A name for the printed steps. Default call1, call2… */
  label?: string;
}

export interface Scenario {
  name: string;
  description?: string;
  /** Teams users calls are offered or transferred to, by user id. */
  agents?: Record<string, AgentScript>;
  /** People the bot calls (outbound), by user id or E.164 number. */
  callees?: Record<string, CalleeScript>;
  calls: ScenarioCall[];
  /** Give up waiting for the calls to end after this long (a long wait needs more). Default 120000 ms. */
  timeoutMs?: number;
}

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    agents: z.record(z.string().min(1), agentScriptSchema).optional(),
    callees: z.record(z.string().min(1), calleeScriptSchema).optional(),
    timeoutMs: z.number().int().positive().optional(),
    calls: z
      .array(
        callerScriptSchema
          .extend({ atMs: z.number().nonnegative().optional(), label: z.string().min(1).optional() })
          .strict(),
      )
      .min(1),
  })
  .strict();

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Validates a scenario (TS API); throws ScenarioError naming the bad field. */
export function defineScenario(s: Scenario): Scenario {
  const parsed = scenarioSchema.safeParse(s);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ScenarioError(`invalid scenario: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data as Scenario;
}

export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`scenario ${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return defineScenario(json as Scenario);
  } catch (e) {
    throw new ScenarioError(`${file}: ${(e as Error).message}`);
  }
}

export interface ScenarioStep {
  call: string;
  callId: string;
  /** ms since the scenario started. */
  atMs: number;
  kind: CallHistoryEntry['kind'];
  detail: string;
}

export interface ScenarioResult {
  calls: {
    label: string;
    callId: string;
    state: string;
    resultInfo?: EmulatedCallView['resultInfo'];
    terminationReason?: string;
    /** Where the caller was transferred, and how the transfer ended (an agent took them: `accepted`). */
    transfer?: { target: { userId?: string; phone?: string }; outcome: string };
    steps: ScenarioStep[];
  }[];
}

function describeEntry(e: CallHistoryEntry, callId: string): string {
  if (e.kind === 'request')
    return `${e.method} ${e.path.replace(/^\/v1\.0\/communications\/calls\/[^/?]+/, '') || '/'} -> ${e.status}${callId ? '' : ''}`;
  if (e.kind === 'notification') {
    const what = e.resourceUrl.includes('/operations/')
      ? `operation ${e.summary}`
      : e.resourceUrl.endsWith('/participants')
        ? 'participants'
        : e.summary;
    return `${e.changeType} ${what} -> ${e.status ?? `failed: ${e.error ?? 'unknown'}`}`;
  }
  return e.detail;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunOptions {
  /** The emulator's base URL, e.g. http://127.0.0.1:4000 (its control API is under /emulator). */
  emulatorUrl: string;
  /** Called for every step of every call, as it is seen. */
  onStep?: (step: ScenarioStep) => void;
  /** Give up waiting for the calls to end after this long. Default 120000 ms. */
  timeoutMs?: number;
  pollMs?: number;
}

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base.replace(/\/+$/, '')}/emulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
    throw new ScenarioError(`cannot reach the emulator at ${base} (${why})`);
  }
  const text = await res.text();
  if (!res.ok) throw new ScenarioError(`emulator ${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Runs a scenario: scripts agents and callees, dials each call at its time, and follows every call until it ends. */
export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const s = defineScenario(scenario);
  const base = opts.emulatorUrl;
  await control(base, 'GET', '/health');
  for (const [id, script] of Object.entries(s.agents ?? {}))
    await control(base, 'PUT', `/agents/${encodeURIComponent(id)}`, script);
  for (const [id, script] of Object.entries(s.callees ?? {}))
    await control(base, 'PUT', `/callees/${encodeURIComponent(id)}`, script);

  const started = Date.now();
  const placed: {
    label: string;
    callId: string;
    seen: number;
    done: boolean;
    view?: EmulatedCallView;
    steps: ScenarioStep[];
  }[] = [];
  const dials = s.calls.map(async (c, i) => {
    const { atMs = 0, label = `call${i + 1}`, ...script } = c;
    await sleep(Math.max(0, started + atMs - Date.now()));
    const { callId } = (await control(base, 'POST', '/calls', script)) as { callId: string };
    placed.push({ label, callId, seen: 0, done: false, steps: [] });
  });
  const dialled = Promise.all(dials);
  let allDialled = false;
  void dialled.then(
    () => (allDialled = true),
    () => undefined,
  );

  const timeoutMs = opts.timeoutMs ?? s.timeoutMs ?? 120000;
  const deadline = started + timeoutMs;
  const poll = opts.pollMs ?? 200;
  // A call is followed until it has ended and its conversation with an agent (if any) has ended too.
  const finished = (v: EmulatedCallView) =>
    v.state === 'terminated' && (!v.transfer?.conversation || v.transfer.conversation.endedAt !== undefined);
  // The bot's rings to agents for these callers (a ring's callbackUri names its caller's workflow) are followed too:
  // who answered each (the agent, their voicemail, a forward) and whether they pressed the key at the whisper.
  const rings: typeof placed = [];
  const unrelated = new Set<string>();
  const findRings = async () => {
    const { value } = (await control(base, 'GET', '/calls')) as { value: { id: string }[] };
    for (const { id } of value) {
      if (unrelated.has(id) || placed.some((p) => p.callId === id) || rings.some((r) => r.callId === id)) continue;
      const v = (await control(base, 'GET', `/calls/${encodeURIComponent(id)}`)) as EmulatedCallView;
      const caller = placed.find((p) => v.direction === 'outgoing' && v.callbackUri?.includes(p.callId));
      if (caller) rings.push({ label: `ring${rings.length + 1}`, callId: id, seen: 0, done: false, steps: [] });
      else unrelated.add(id);
    }
  };
  for (;;) {
    await findRings();
    for (const p of [...placed, ...rings]) {
      if (p.done) continue;
      const view = (await control(base, 'GET', `/calls/${encodeURIComponent(p.callId)}`)) as EmulatedCallView;
      p.view = view;
      for (const e of view.history.slice(p.seen)) {
        const step: ScenarioStep = {
          call: p.label,
          callId: p.callId,
          atMs: Date.parse(e.at) - started,
          kind: e.kind,
          detail: describeEntry(e, p.callId),
        };
        p.steps.push(step);
        opts.onStep?.(step);
      }
      p.seen = view.history.length;
      if (finished(view)) p.done = true;
    }
    if (allDialled && placed.every((p) => p.done) && rings.every((r) => r.done)) break;
    if (Date.now() > deadline) {
      await dialled.catch(() => undefined);
      throw new ScenarioError(
        `scenario ${s.name}: calls still running after ${timeoutMs} ms: ${[...placed, ...rings]
          .filter((p) => !p.done)
          .map((p) => `${p.label} (${p.view?.state ?? '?'})`)
          .join(', ')}`,
      );
    }
    await sleep(poll);
  }
  await dialled;
  return {
    calls: placed.map((p) => ({
      label: p.label,
      callId: p.callId,
      state: p.view!.state,
      ...(p.view!.resultInfo ? { resultInfo: p.view!.resultInfo } : {}),
      ...(p.view!.terminationReason ? { terminationReason: p.view!.terminationReason } : {}),
      ...(p.view!.transfer ? { transfer: { target: p.view!.transfer.target, outcome: p.view!.transfer.outcome } } : {}),
      steps: p.steps,
    })),
  };
}

export function formatStep(step: ScenarioStep): string {
  return `${(step.atMs / 1000).toFixed(3).padStart(8)}s  ${step.call.padEnd(8)} ${step.kind.padEnd(12)} ${step.detail}`;
}
