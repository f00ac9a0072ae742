import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { QueueConfig } from '../flows/index.js';
import {
  agentAssignedSignal,
  enqueueSignal,
  leaveQueueSignal,
  offerResultSignal,
  type WaitingCall,
} from './messages.js';

type AgentStatus = 'available' | 'reserved' | 'wrapUp';

interface AgentSlot {
  status: AgentStatus;
  /** The call this agent is reserved for, while reserved. */
  callWorkflowId?: string;
  /** Epoch ms when wrap-up ends. */
  availableAt?: number;
}

export interface QueueWorkflowInput {
  config: QueueConfig;
  /** Carried over by continue-as-new. */
  state?: QueueSnapshot;
}

export interface QueueSnapshot {
  waiting: WaitingCall[];
  agents: Record<string, AgentSlot>;
  /** Per call, the agents who declined or missed it, and until when (epoch ms) they are not offered it again. */
  missed: Record<string, Record<string, number>>;
}

/**
 * The queue's state, in a plain class so the rules read without Temporal in the way.
 * First-available routing: the oldest waiting call goes to the first available agent in configuration order.
 */
export class QueueState {
  readonly waiting: WaitingCall[];
  readonly agents: Record<string, AgentSlot>;
  readonly missed: Record<string, Record<string, number>>;

  constructor(
    readonly config: QueueConfig,
    snapshot?: QueueSnapshot,
  ) {
    this.waiting = snapshot?.waiting ?? [];
    this.agents = snapshot?.agents ?? {};
    this.missed = snapshot?.missed ?? {};
    for (const id of config.agents) this.agents[id] ??= { status: 'available' };
  }

  enqueue(call: WaitingCall): void {
    if (this.waiting.some((w) => w.callWorkflowId === call.callWorkflowId)) return; // a retried activity
    if (this.reservationOf(call.callWorkflowId)) return; // already being offered
    // Keep first-in-first-out by the time the caller first entered, so a re-queued call keeps its place.
    const at = this.waiting.findIndex((w) => w.enqueuedAt > call.enqueuedAt);
    if (at === -1) this.waiting.push(call);
    else this.waiting.splice(at, 0, call);
  }

  leave(callWorkflowId: string): void {
    const i = this.waiting.findIndex((w) => w.callWorkflowId === callWorkflowId);
    if (i >= 0) this.waiting.splice(i, 1);
    const agent = this.reservationOf(callWorkflowId);
    if (agent) this.agents[agent] = { status: 'available' };
    delete this.missed[callWorkflowId];
  }

  offerResult(callWorkflowId: string, agentId: string, outcome: 'connected' | 'failed', now: number): void {
    const slot = this.agents[agentId];
    if (!slot || slot.callWorkflowId !== callWorkflowId) return; // stale or duplicate
    if (outcome === 'connected') {
      // Without presence (see the routing issue) the queue can't see the agent's call end; wrap-up stands in.
      this.agents[agentId] = { status: 'wrapUp', availableAt: now + this.config.wrapUpSeconds * 1000 };
      delete this.missed[callWorkflowId];
    } else {
      this.agents[agentId] = { status: 'available' };
      (this.missed[callWorkflowId] ??= {})[agentId] = now + this.config.reofferAfterSeconds * 1000;
    }
  }

  release(agentId: string): void {
    this.agents[agentId] = { status: 'available' };
  }

  endWrapUps(now: number): void {
    for (const [id, slot] of Object.entries(this.agents)) {
      if (slot.status === 'wrapUp' && (slot.availableAt ?? 0) <= now) this.agents[id] = { status: 'available' };
    }
  }

  /** The next moment something changes by itself: a wrap-up ends or a missed agent may be offered again. */
  nextTimer(now: number): number | undefined {
    const ends = Object.values(this.agents)
      .filter((s) => s.status === 'wrapUp')
      .map((s) => s.availableAt ?? 0);
    for (const call of this.waiting) {
      for (const until of Object.values(this.missed[call.callWorkflowId] ?? {})) if (until > now) ends.push(until);
    }
    return ends.length ? Math.min(...ends) : undefined;
  }

  /** Reserve agents for waiting calls; returns the matches to announce. */
  match(now: number): { call: WaitingCall; agentId: string }[] {
    const matches: { call: WaitingCall; agentId: string }[] = [];
    for (let i = 0; i < this.waiting.length; ) {
      const call = this.waiting[i]!;
      const missed = this.missed[call.callWorkflowId] ?? {};
      const agentId = this.config.agents.find(
        (id) => this.agents[id]?.status === 'available' && !((missed[id] ?? 0) > now),
      );
      if (!agentId) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.agents[agentId] = { status: 'reserved', callWorkflowId: call.callWorkflowId };
      matches.push({ call, agentId });
    }
    return matches;
  }

  reservationOf(callWorkflowId: string): string | undefined {
    return Object.entries(this.agents).find(([, s]) => s.callWorkflowId === callWorkflowId)?.[0];
  }

  snapshot(): QueueSnapshot {
    return { waiting: this.waiting, agents: this.agents, missed: this.missed };
  }
}

/** Continue as new well before the history grows large or nears 10,000 signals. */
const MAX_HISTORY_EVENTS = 4000;

/** A long-lived entity workflow per queue: matches waiting calls to free agents. */
export async function queueWorkflow(input: QueueWorkflowInput): Promise<void> {
  const queue = new QueueState(input.config, input.state);
  let changed = true;
  const touch = () => {
    changed = true;
  };

  setHandler(enqueueSignal, (call) => {
    queue.enqueue(call);
    touch();
  });
  setHandler(leaveQueueSignal, ({ callWorkflowId }) => {
    queue.leave(callWorkflowId);
    touch();
  });
  setHandler(offerResultSignal, ({ callWorkflowId, agentId, outcome }) => {
    queue.offerResult(callWorkflowId, agentId, outcome, Date.now());
    touch();
  });

  for (;;) {
    const next = queue.nextTimer(Date.now());
    const timeout = next === undefined ? undefined : Math.max(1, next - Date.now());
    if (timeout === undefined) await condition(() => changed);
    else await condition(() => changed, timeout);
    changed = false;
    queue.endWrapUps(Date.now());

    for (const { call, agentId } of queue.match(Date.now())) {
      try {
        await getExternalWorkflowHandle(call.callWorkflowId).signal(agentAssignedSignal, {
          queue: input.config.name,
          agentId,
        });
      } catch (err) {
        // The call workflow is gone (the caller hung up and it finished): free the agent.
        log.info('call left before its offer', { callWorkflowId: call.callWorkflowId, error: String(err) });
        queue.release(agentId);
        touch();
      }
    }

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof queueWorkflow>({ config: input.config, state: queue.snapshot() });
    }
  }
}
