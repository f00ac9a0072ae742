import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CallbackActivities } from '../../src/contracts/activities/callbacks.js';
import type { GraphActivities } from '../../src/contracts/activities/graph.js';
import type { CallRecord, RecordActivities, TimelineEntry } from '../../src/contracts/activities/records.js';
import type { VoicemailActivities } from '../../src/contracts/activities/voicemail.js';
import { callWorkflowId, graphNotificationSignal } from '../../src/contracts/call.js';
import type { CallNotification, CallState, ResultInfo } from '../../src/contracts/graph-call.js';
import type { ParticipantActivities } from '../../src/contracts/activities/participants.js';
import { SimulatedConference } from './simulated-conference.js';
import { simulatedStoreActivities, type SimulatedStoreState, type SurveyRow } from './simulated-stores.js';
import type {
  CalleeBehaviour,
  MessageBehaviour,
  SimulatedAgentBehaviour,
  SimulatedCallback,
  SimulatedOutboundCall,
  SimulatedPrompt,
  SimulatedVoicemail,
} from './simulated-types.js';

export type * from './simulated-types.js';

const TONES: Record<string, string> = { '*': 'star', '#': 'pound' };

/**
 * Graph's side of calls for workflows on Temporal's time-skipping test server, where the emulator's wall-clock
 * timers can't follow skipped time: flow tests (devkit/flow-testing) and the workflow tests. Each activity sends back
 * the notifications Graph documents, as signals, the same way the webhook does. Prompts complete at once unless
 * `autoComplete` says otherwise (hold music never does: it loops until the test lets time pass). Records, voicemails
 * and callbacks are kept in memory (simulated-stores.ts).
 */
export class SimulatedGraph implements SimulatedStoreState {
  readonly requests: { op: string; callId: string; detail?: unknown }[] = [];
  readonly prompts: SimulatedPrompt[] = [];
  readonly records = new Map<string, CallRecord>();
  readonly timeline = new Map<string, Map<number, TimelineEntry>>();
  readonly voicemails: SimulatedVoicemail[] = [];
  private readonly states = new Map<string, CallState>();
  private readonly toneSubscribed = new Set<string>();
  private readonly toneSequence = new Map<string, number>();
  /** Per agent, what they do with a transfer; the constructor's choice for everyone else. */
  readonly agentBehaviour = new Map<string, SimulatedAgentBehaviour>();
  /** Per call, what the caller does when recorded (default: speaks for 8 s). */
  readonly messageBehaviour = new Map<string, MessageBehaviour>();
  /** Callback rows, as the callbacks activities keep them in Postgres. */
  readonly callbacks: SimulatedCallback[] = [];
  /** Post-call survey rows (issue 24), as the survey activity keeps them in Postgres: call id → one per question. */
  readonly surveyResponses = new Map<string, SurveyRow[]>();
  /** Calls placed with createCall, in order. */
  readonly outboundCalls: SimulatedOutboundCall[] = [];
  /** Per phone number, what the person does when called (default: answers). */
  readonly calleeBehaviour = new Map<string, CalleeBehaviour>();
  /** Calls whose notifications go to a workflow other than `call-<id>` (outbound calls, by their callbackUri). */
  private readonly routes = new Map<string, string>();
  /** Prompt files Graph refuses to play (a missing or malformed file behind the prompt URL). */
  readonly refusedPrompts = new Set<string>();
  /** The recordings store refuses every write (a full disk, a bucket without permission): each attempt is counted. */
  recordingStoreDown = false;
  /** Record writes still to refuse, as Postgres does while it is away (tests of the recorder's fallback). */
  recordWritesToRefuse = 0;
  /** Survey writes are refused while true, as Postgres does while it is away (the survey must not hold the caller). */
  surveyStoreDown = false;
  surveyWriteAttempts = 0;
  storeAttempts = 0;
  /** What happens to a transfer to a phone number or user outside the queues. */
  transferOutBehaviour: 'accept' | 'decline' = 'accept';
  private nextOp = 1;
  private rings = 0;
  /** Calls placed to agents to offer them a call (ringAgent): call id → agent. */
  private readonly ringing = new Map<string, string>();
  /** Group calls (connectBy 'conference', issue 24): the test makes the agent or the caller leave them. */
  readonly conference = new SimulatedConference({
    requests: this.requests,
    notify: (n) => this.notify(n),
    stateOf: (callId) => this.states.get(callId),
    ringTo: (callId) => this.ringing.get(callId),
    end: (callId) => this.state(callId, 'terminated'),
    later: (ms, send) => this.later(ms, send),
  });

  constructor(
    private readonly client: Client,
    /** What an agent does with a transfer. */
    private readonly agent: 'accept' | 'decline' | 'ignore',
    /** Complete the greeting at once; hold music is completed by the test (or never, to lose the notification). */
    private readonly completeGreeting = true,
    /** Which prompts complete by themselves; the default completes the greeting and a queue's closing message. */
    private readonly autoComplete?: (clientContext: string) => boolean,
  ) {}

  /**
   * The time-skipping server's clock lock (FlowTest sets it there). A notification sent after its request returned
   * holds it: otherwise, with every workflow waiting on it and no timer due, the server skips straight to the next
   * timer, which can be the test server's ten-year execution timeout of the queue and agent workflows.
   */
  timeLock?: { lock(): Promise<unknown>; unlock(): Promise<unknown> };

  /**
   * Run `send` a moment (`ms`) after the request that caused it returned, as Graph does, holding the test server's
   * clock meanwhile (timeLock): what it sends is what the workflow waits for.
   */
  async later(ms: number, send: () => Promise<void>): Promise<void> {
    const clock = this.timeLock;
    await clock?.lock();
    setTimeout(() => void send().finally(() => clock?.unlock()), ms);
  }

  private async notify(n: CallNotification): Promise<void> {
    if (n.kind === 'state') this.states.set(n.callId, n.state);
    await this.client.workflow
      .getHandle(this.routes.get(n.callId) ?? callWorkflowId(n.callId))
      .signal(graphNotificationSignal, n);
  }

  private state(callId: string, state: CallState, resultInfo?: ResultInfo) {
    return this.notify({ kind: 'state', callId, state, ...(resultInfo ? { resultInfo } : {}), payload: { state } });
  }

  stateOf(callId: string): CallState | undefined {
    return this.states.get(callId);
  }

  async completePrompt(operationId: string): Promise<void> {
    const p = this.prompts.find((x) => x.operationId === operationId)!;
    if (p.completed) return;
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
    if (this.states.get(callId) === 'terminated') return;
    await this.state(callId, 'terminated', { code: 200, subcode: 5002 });
  }

  /** The caller presses keys: toneInfo notifications, as Graph sends them once the bot subscribed to tones. */
  async press(callId: string, keys: string): Promise<void> {
    if (!this.toneSubscribed.has(callId))
      throw new Error(`call ${callId}: keys pressed before subscribeToTone are not reported by Graph`);
    for (const key of keys) {
      const sequenceId = (this.toneSequence.get(callId) ?? 0) + 1;
      this.toneSequence.set(callId, sequenceId);
      const tone = TONES[key] ?? `tone${key}`;
      await this.notify({ kind: 'tone', callId, tone, sequenceId, payload: { toneInfo: { tone, sequenceId } } });
    }
  }

  private completesByItself(clientContext: string): boolean {
    if (this.autoComplete) return this.autoComplete(clientContext);
    return (clientContext === 'greeting' && this.completeGreeting) || clientContext === 'queue-exit';
  }

  /** Graph's activities, and the in-memory stores' (simulated-stores.ts). */
  activities(): GraphActivities & ParticipantActivities & RecordActivities & VoicemailActivities & CallbackActivities {
    return {
      ...simulatedStoreActivities(this),
      ...this.conference.activities(),
      createCall: async ({ phone, applicationInstanceId, tenantId, callbackUri }) => {
        // As Graph does: the call exists at once (201), its notifications go to the callbackUri it was given.
        const workflowId = new URL(callbackUri).searchParams.get('workflowId');
        if (!workflowId)
          throw new Error(
            `createCall: the callbackUri ${callbackUri} names no workflow, so its notifications would reach nobody`,
          );
        const callId = `outbound-${this.outboundCalls.length + 1}-${randomUUID()}`;
        const behaviour = this.calleeBehaviour.get(phone) ?? 'answer';
        this.routes.set(callId, workflowId);
        this.outboundCalls.push({ callId, workflowId, phone, applicationInstanceId, tenantId, callbackUri, behaviour });
        this.requests.push({
          op: 'createCall',
          callId,
          detail: { phone, applicationInstanceId, tenantId, callbackUri },
        });
        await this.state(callId, 'establishing');
        if (behaviour === 'answer') await this.state(callId, 'established');
        else {
          // The ring time is Graph's; it ends an unanswered call with a SIP-style code.
          // The pairs Graph documents (src/contracts/graph-result-codes.ts): 486 busy, 603 declined, 408/10057 no answer.
          const [code, subcode] = behaviour === 'busy' ? [486, 0] : behaviour === 'decline' ? [603, 0] : [408, 10057];
          await this.state(callId, 'terminated', { code, subcode, message: behaviour });
        }
        return { callId };
      },
      answerCall: async ({ callId }) => {
        this.requests.push({ op: 'answer', callId });
        await this.state(callId, 'establishing');
        await this.state(callId, 'established');
      },
      subscribeToTone: async ({ callId }) => {
        this.requests.push({ op: 'subscribeToTone', callId });
        this.toneSubscribed.add(callId);
      },
      playPrompt: async ({ callId, clientContext, promptUris }) => {
        const refused = promptUris.map((u) => u.split('/').pop()!).find((f) => this.refusedPrompts.has(f));
        if (refused) {
          this.requests.push({ op: 'playPrompt:refused', callId, detail: { clientContext, promptUris } });
          // What Graph answers for media it can't fetch or play: a 4xx, which the activity does not retry.
          throw ApplicationFailure.nonRetryable(
            `Graph playPrompt failed: 400 BadRequest: cannot play ${refused}`,
            'GraphError',
          );
        }
        const operationId = `op-${this.nextOp++}`;
        this.requests.push({ op: 'playPrompt', callId, detail: { clientContext, promptUris } });
        this.prompts.push({
          callId,
          operationId,
          clientContext,
          files: promptUris.map((u) => u.split('/').pop()!),
          completed: false,
        });
        // Completed before the request returns: on the time-skipping server a completion that comes a moment later, in
        // real time, can lose the race against a timer the server skips to (nothing else being in flight).
        if (this.completesByItself(clientContext)) await this.completePrompt(operationId);
        // An agent who answered hears the whisper on their ring, and presses 1 to take the call.
        const agent = this.ringing.get(callId);
        if (agent && (this.agentBehaviour.get(agent) ?? this.agent) === 'accept' && this.toneSubscribed.has(callId))
          await this.press(callId, '1');
        return { operationId };
      },
      recordResponse: async ({ callId, clientContext, promptUri, maxRecordDurationInSeconds }) => {
        const operationId = `op-${this.nextOp++}`;
        this.requests.push({
          op: 'recordResponse',
          callId,
          detail: { clientContext, promptUri, maxRecordDurationInSeconds },
        });
        if (promptUri)
          this.prompts.push({
            callId,
            operationId,
            clientContext,
            files: [promptUri.split('/').pop()!],
            completed: true,
          });
        const behaviour = this.messageBehaviour.get(callId) ?? { speakSeconds: 8 };
        // The message is over before the request returns (see playPrompt: no real-time race with skipped timers).
        if (behaviour === 'hangUp') await this.hangUp(callId);
        const spoke = typeof behaviour === 'object';
        await this.notify({
          kind: 'operation',
          callId,
          operationId,
          operationType: 'recordResponse',
          status: 'completed',
          completionReason:
            behaviour === 'hangUp' ? 'operationCanceled' : spoke ? 'stopToneDetected' : 'initialSilenceTimeout',
          clientContext,
          resultInfo: { code: 200, subcode: 0 },
          payload: spoke
            ? {
                recordingLocation: `simulated://recordings/${operationId}`,
                recordingAccessToken: randomUUID(),
                speakSeconds: behaviour.speakSeconds,
              }
            : { recordingLocation: '', recordingAccessToken: '' },
        });
        return { operationId };
      },
      cancelMediaProcessing: async ({ callId }) => {
        this.requests.push({ op: 'cancelMediaProcessing', callId });
      },
      ringAgent: async ({ agentId, callbackUri }) => {
        // An offer by ringing: our own call to the agent, whose notifications go to the workflow that rings.
        const workflowId = new URL(callbackUri).searchParams.get('workflowId');
        if (!workflowId)
          throw new Error(
            `ringAgent: the callbackUri ${callbackUri} names no workflow, so its notifications would reach nobody`,
          );
        const callId = `ring-${++this.rings}-${agentId}`;
        this.routes.set(callId, workflowId);
        this.ringing.set(callId, agentId);
        this.requests.push({ op: 'ring', callId, detail: { agentId } });
        await this.state(callId, 'establishing');
        const behaviour = this.agentBehaviour.get(agentId) ?? this.agent;
        // Accepting agents pick up at once, as does a voicemail; one who ignores it rings until we hang up.
        if (behaviour === 'accept' || behaviour === 'voicemail' || behaviour === 'noKey')
          await this.state(callId, 'established');
        else if (behaviour === 'decline')
          await this.state(callId, 'terminated', { code: 603, subcode: 0, message: 'declined' });
        // On another call (Teams presence hadn't caught up): Graph ends the ring at once with SIP's 486.
        else if (behaviour === 'busy')
          await this.state(callId, 'terminated', { code: 486, subcode: 0, message: 'busy' });
        return { callId };
      },
      transferCall: async ({ callId, agentId, replacesCallId }) => {
        if (replacesCallId) {
          // Consultative: the agent already answered our call to them; the caller takes its place.
          this.requests.push({ op: 'transfer', callId, detail: { agentId, replacesCallId } });
          await this.state(callId, 'transferring');
          if (this.ringing.get(replacesCallId) !== agentId || this.states.get(replacesCallId) !== 'established') {
            await this.state(callId, 'established', {
              code: 500,
              subcode: 7700,
              message: 'the call to replace is not an established call to the target',
            });
            return;
          }
          await this.state(callId, 'transferAccepted');
          await this.state(callId, 'terminated');
          await this.state(replacesCallId, 'terminated');
          return;
        }
        this.requests.push({ op: 'transfer', callId, detail: { agentId } });
        await this.state(callId, 'transferring');
        const behaviour = this.agentBehaviour.get(agentId) ?? this.agent;
        if (behaviour === 'accept') {
          await this.state(callId, 'transferAccepted');
          await this.state(callId, 'terminated', { code: 0, subcode: 7015 });
        } else {
          // Graph reports a declined and an unanswered transfer alike (the ring timeout is Graph's).
          await this.state(callId, 'established', {
            code: 500,
            subcode: 7000,
            message: behaviour === 'ignore' ? 'no answer' : behaviour === 'busy' ? 'busy' : 'declined',
          });
        }
      },
      transferCallTo: async ({ callId, target }) => {
        this.requests.push({ op: 'transferOut', callId, detail: { target } });
        await this.state(callId, 'transferring');
        if (this.transferOutBehaviour === 'accept') {
          await this.state(callId, 'transferAccepted');
          await this.state(callId, 'terminated', { code: 0, subcode: 7015 });
        } else {
          await this.state(callId, 'established', { code: 500, subcode: 7000, message: 'declined' });
        }
      },
      getCallState: async ({ callId }) => {
        this.requests.push({ op: 'getCall', callId });
        return { state: this.states.get(callId) ?? 'established' };
      },
      // call-keepalive.md: 200 while the call is up, 404 (gone) once it has ended.
      keepAlive: async ({ callId }) => {
        this.requests.push({ op: 'keepAlive', callId });
        return this.states.get(callId) === 'terminated' ? 'gone' : 'alive';
      },
      hangUp: async ({ callId }) => {
        this.requests.push({ op: 'delete', callId });
        if (this.states.get(callId) !== 'terminated') {
          // Graph confirms our own hang-up with terminated (and no further notifications).
          // The call's workflow may be over by then (it asked Graph for the state instead): Graph's notification then
          // has no workflow to reach, as our webhook would find.
          await this.later(10, () =>
            this.state(callId, 'terminated', { code: 0, subcode: 0 }).catch((err: unknown) => {
              if (!(err instanceof WorkflowNotFoundError)) throw err;
            }),
          );
        }
      },
    };
  }

  eventTypes(callId: string): string[] {
    return this.events(callId).map((e) => e.type);
  }

  events(callId: string): TimelineEntry[] {
    return [...(this.timeline.get(callId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
}
