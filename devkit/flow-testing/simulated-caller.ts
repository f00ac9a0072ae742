import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { CallRecord, TimelineEntry } from '../../src/contracts/activities/records.js';
import { callWorkflowId, type CallSummary } from '../../src/contracts/call.js';
import type { SurveyRow } from './simulated-stores.js';
import type {
  MessageBehaviour,
  SimulatedCallback,
  SimulatedGraph,
  SimulatedOutboundCall,
  SimulatedVoicemail,
} from './simulated-graph.js';

/** What a caller needs of their flow test (FlowTest): Graph's side of the call, and the test's clock. */
export interface CallerLine {
  readonly graph: SimulatedGraph;
  wait(duration: string | number): Promise<void>;
}

/** One simulated caller: what they hear, what they press, how long they wait. */
export class SimulatedCaller {
  private heardUpTo = 0;

  constructor(
    private readonly test: CallerLine,
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

  /** The post-call survey's rows for this call (survey_response), in question order; empty when none was written. */
  survey(): SurveyRow[] {
    return this.graph.surveyResponses.get(this.callId) ?? [];
  }

  /**
   * Answer the post-call survey (issue 24, point 5) once the agent has left: for each question in turn, wait until
   * its prompt is heard and press the key; `null` presses nothing (the question times out as noAnswer).
   */
  async answersSurvey(answers: { prompt: string; key: string | null }[]): Promise<void> {
    for (const { prompt, key } of answers) {
      await this.hears(prompt);
      if (key !== null) await this.press(key);
      else await this.waits('10s');
    }
  }

  voicemail(): SimulatedVoicemail | undefined {
    return this.graph.voicemails.find((v) => v.callId === this.callId);
  }
}
