/**
 * The Teams users (agents) calls get transferred to: how each answers a transfer, and whether
 * they are busy talking to a transferred caller (readable as presence-like state).
 */
import type { AgentScript, AgentView } from './types.js';

export const DEFAULT_AGENT_SCRIPT: Required<AgentScript> = { onTransfer: 'accept', answerAfterMs: 1000, talkMs: 30000 };

interface AgentRecord {
  script: Required<AgentScript>;
  busy?: { callId: string; since: string; timer?: NodeJS.Timeout; onFree?: () => void };
}

export class AgentDirectory {
  private readonly agents = new Map<string, AgentRecord>();

  private record(userId: string): AgentRecord {
    let r = this.agents.get(userId);
    if (!r) {
      r = { script: { ...DEFAULT_AGENT_SCRIPT } };
      this.agents.set(userId, r);
    }
    return r;
  }

  setScript(userId: string, script: AgentScript): void {
    this.record(userId).script = { ...DEFAULT_AGENT_SCRIPT, ...stripUndefined(script) };
  }

  script(userId: string): Required<AgentScript> {
    return this.agents.get(userId)?.script ?? { ...DEFAULT_AGENT_SCRIPT };
  }

  isBusy(userId: string): boolean {
    return this.agents.get(userId)?.busy !== undefined;
  }

  /** The agent talks to the caller of `callId` for talkMs, then is free again (onFree runs then). */
  startTalking(userId: string, callId: string, talkMs: number, onFree: () => void): void {
    const r = this.record(userId);
    this.endTalking(userId);
    const busy: NonNullable<AgentRecord['busy']> = { callId, since: new Date().toISOString(), onFree };
    busy.timer = setTimeout(() => this.endTalking(userId), talkMs);
    r.busy = busy;
  }

  /** Ends the agent's conversation early (the caller hung up) or on schedule; idempotent. */
  endTalking(userId: string, callId?: string): void {
    const r = this.agents.get(userId);
    if (!r?.busy || (callId !== undefined && r.busy.callId !== callId)) return;
    const { timer, onFree } = r.busy;
    if (timer) clearTimeout(timer);
    r.busy = undefined;
    onFree?.();
  }

  view(userId: string): AgentView {
    const r = this.agents.get(userId);
    const busy = r?.busy;
    return {
      userId,
      script: r?.script ?? { ...DEFAULT_AGENT_SCRIPT },
      busy: busy !== undefined,
      ...(busy ? { callId: busy.callId, busySince: busy.since } : {}),
      availability: busy ? 'Busy' : 'Available',
      activity: busy ? 'InACall' : 'Available',
    };
  }

  list(): AgentView[] {
    return [...this.agents.keys()].map((id) => this.view(id));
  }

  /** Clears every talk timer without running callbacks (emulator shutdown). */
  stop(): void {
    for (const r of this.agents.values()) {
      if (r.busy?.timer) clearTimeout(r.busy.timer);
      r.busy = undefined;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
