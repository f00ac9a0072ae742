import type { Client } from '@temporalio/client';
import type { GraphActivities, RecordActivities, CallRecord, TimelineEntry } from '../../activities/index.js';
import type { CallNotification, CallState, ResultInfo } from '../../src/graph/notifications.js';
import { callWorkflowId, graphNotificationSignal } from '../../workflows/messages.js';

/**
 * Graph's side of a call for workflow tests on the time-skipping server, where the emulator's wall-clock timers
 * can't follow skipped time. Each activity sends back the notifications Graph documents, as signals, the same way
 * the webhook does; the test decides when prompts complete. Records are kept in memory.
 */
export class ScriptedGraph {
  readonly requests: { op: string; callId: string; detail?: unknown }[] = [];
  readonly prompts: { callId: string; operationId: string; clientContext: string; completed: boolean }[] = [];
  readonly records = new Map<string, CallRecord>();
  readonly timeline = new Map<string, Map<number, TimelineEntry>>();
  private readonly states = new Map<string, CallState>();
  /** Per agent, what they do with a transfer; the constructor's choice for everyone else. */
  readonly agentBehaviour = new Map<string, 'accept' | 'decline' | 'ignore'>();
  private nextOp = 1;

  constructor(
    private readonly client: Client,
    /** What an agent does with a transfer. */
    private readonly agent: 'accept' | 'decline',
    /** Complete the greeting at once; hold music is completed by the test (or never, to lose the notification). */
    private readonly completeGreeting = true,
  ) {}

  private async notify(n: CallNotification): Promise<void> {
    if (n.kind === 'state') this.states.set(n.callId, n.state);
    await this.client.workflow.getHandle(callWorkflowId(n.callId)).signal(graphNotificationSignal, n);
  }

  private state(callId: string, state: CallState, resultInfo?: ResultInfo) {
    return this.notify({ kind: 'state', callId, state, ...(resultInfo ? { resultInfo } : {}), payload: { state } });
  }

  async completePrompt(operationId: string): Promise<void> {
    const p = this.prompts.find((x) => x.operationId === operationId)!;
    p.completed = true;
    await this.notify({
      kind: 'operation',
      callId: p.callId,
      operationId,
      operationType: 'playPrompt',
      status: 'completed',
      completionReason: 'completedSuccessfully',
      clientContext: p.clientContext,
      resultInfo: { code: 200, subcode: 0 },
      payload: {},
    });
  }

  async hangUp(callId: string): Promise<void> {
    await this.state(callId, 'terminated', { code: 200, subcode: 5002 });
  }

  activities(): GraphActivities & RecordActivities {
    return {
      answerCall: async ({ callId }) => {
        this.requests.push({ op: 'answer', callId });
        await this.state(callId, 'establishing');
        await this.state(callId, 'established');
      },
      playPrompt: async ({ callId, clientContext, promptUris }) => {
        const operationId = `op-${this.nextOp++}`;
        this.requests.push({ op: 'playPrompt', callId, detail: { clientContext, promptUris } });
        this.prompts.push({ callId, operationId, clientContext, completed: false });
        if (clientContext === 'greeting' && this.completeGreeting) setTimeout(() => void this.completePrompt(operationId), 10);
        // A queue's closing message plays to its end; hold music and announcements are completed by the test.
        if (clientContext === 'queue-exit') setTimeout(() => void this.completePrompt(operationId), 10);
        return { operationId };
      },
      cancelMediaProcessing: async ({ callId }) => {
        this.requests.push({ op: 'cancelMediaProcessing', callId });
      },
      transferCall: async ({ callId, agentId }) => {
        this.requests.push({ op: 'transfer', callId, detail: { agentId } });
        await this.state(callId, 'transferring');
        const behaviour = this.agentBehaviour.get(agentId) ?? this.agent;
        if (behaviour === 'accept') {
          await this.state(callId, 'transferAccepted');
          await this.state(callId, 'terminated', { code: 0, subcode: 7015 });
        } else {
          // Graph reports a declined and an unanswered transfer alike (the ring timeout is Graph's).
          await this.state(callId, 'established', { code: 500, subcode: 7000, message: behaviour === 'ignore' ? 'no answer' : 'declined' });
        }
      },
      transferCallTo: async ({ callId, target }) => {
        this.requests.push({ op: 'transferOut', callId, detail: { target } });
        await this.state(callId, 'transferring');
        await this.state(callId, 'transferAccepted');
        await this.state(callId, 'terminated', { code: 0, subcode: 7015 });
      },
      getCallState: async ({ callId }) => {
        this.requests.push({ op: 'getCall', callId });
        return { state: this.states.get(callId) ?? 'established' };
      },
      hangUp: async ({ callId }) => {
        this.requests.push({ op: 'delete', callId });
      },
      recordCall: async ({ record, events }) => {
        this.records.set(record.callId, record);
        const t = this.timeline.get(record.callId) ?? new Map<number, TimelineEntry>();
        for (const e of events) t.set(e.seq, e);
        this.timeline.set(record.callId, t);
      },
    };
  }

  eventTypes(callId: string): string[] {
    return [...(this.timeline.get(callId)?.values() ?? [])].sort((a, b) => a.seq - b.seq).map((e) => e.type);
  }
}
