/**
 * The Teams users (agents) calls get transferred to: how each answers a transfer, and whether
 * they are busy talking to a transferred caller (readable as presence-like state).
 */
import { stripUndefined } from './json.js';
import type { AgentScript, AgentView, PresenceStep } from './types.js';

export const DEFAULT_AGENT_SCRIPT: Required<AgentScript> = {
  onTransfer: 'accept',
  answerAfterMs: 1000,
  talkMs: 30000,
  presence: [],
  onWhisper: 'press',
  // Teams' default: an unanswered call goes to the user's voicemail after about 20 s.
  callAnswering: { voicemailAfterMs: 20_000 },
};

interface AgentRecord {
  script: Required<AgentScript>;
  /** When the script was set: presence steps' atMs count from here. */
  scriptedAt: number;
  /** Other (non-transfer) calls the agent is on: redirect/invite/outbound. */
  onCalls: Set<string>;
  busy?: { callId: string; since: string; timer?: NodeJS.Timeout; onFree?: () => void };
}

export class AgentDirectory {
  private readonly agents = new Map<string, AgentRecord>();

  private record(userId: string): AgentRecord {
    let r = this.agents.get(userId);
    if (!r) {
      r = { script: { ...DEFAULT_AGENT_SCRIPT }, scriptedAt: Date.now(), onCalls: new Set() };
      this.agents.set(userId, r);
    }
    return r;
  }

  setScript(userId: string, script: AgentScript): void {
    const r = this.record(userId);
    r.script = { ...DEFAULT_AGENT_SCRIPT, ...stripUndefined(script) };
    r.script.presence = [...r.script.presence].sort((a, b) => a.atMs - b.atMs);
    r.scriptedAt = Date.now();
  }

  /** Scripted presence now (the last step whose atMs has passed), overridden by Busy/InACall on a call. */
  presence(userId: string): { availability: string; activity: string } {
    const r = this.agents.get(userId);
    if (!r) return { availability: 'PresenceUnknown', activity: 'PresenceUnknown' };
    if (r.busy || r.onCalls.size > 0) return { availability: 'Busy', activity: 'InACall' };
    const elapsed = Date.now() - r.scriptedAt;
    let current: PresenceStep | undefined;
    for (const step of r.script.presence) if (step.atMs <= elapsed) current = step;
    return current
      ? { availability: current.availability, activity: current.activity }
      : { availability: 'Available', activity: 'Available' };
  }

  /** Marks an agent on (or off) a call other than a transferred conversation. */
  setOnCall(userId: string, callId: string, on: boolean): void {
    const r = this.record(userId);
    if (on) r.onCalls.add(callId);
    else r.onCalls.delete(callId);
  }

  script(userId: string): Required<AgentScript> {
    return this.agents.get(userId)?.script ?? { ...DEFAULT_AGENT_SCRIPT };
  }

  isBusy(userId: string): boolean {
    const r = this.agents.get(userId);
    return r !== undefined && (r.busy !== undefined || r.onCalls.size > 0);
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
    const p = this.presence(userId);
    return {
      userId,
      script: r?.script ?? { ...DEFAULT_AGENT_SCRIPT },
      busy: this.isBusy(userId),
      ...(busy ? { callId: busy.callId, busySince: busy.since } : {}),
      availability: p.availability,
      activity: p.activity,
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
      r.onCalls.clear();
    }
  }
}
