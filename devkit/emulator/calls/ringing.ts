/**
 * The people a call rings (redirect, invite, createCall): who they are on the wire, and how each answers. Agents
 * answer by their transfer script; anyone else by the callee script set for them.
 */
import { stripUndefined } from '../json.js';
import type { CalleeScript } from '../types.js';
import type { ParticipantTarget } from '../validation/common.js';
import type { CallRegistry } from './registry.js';
import { BUSY_REJECT_DELAY_MS } from './timing.js';

export interface RingOutcome {
  outcome: 'answer' | 'decline' | 'never' | 'busy' | 'unreachable';
  afterMs: number;
  talkMs?: number;
}

export class Ringing {
  private readonly callees = new Map<string, CalleeScript>();

  constructor(private readonly calls: CallRegistry) {}

  setCallee(id: string, script: CalleeScript): void {
    this.callees.set(id, script);
  }

  callee(key: string): CalleeScript | undefined {
    return this.callees.get(key);
  }

  participantIdentity(t: ParticipantTarget): Record<string, unknown> {
    return 'phone' in t
      ? {
          '@odata.type': '#microsoft.graph.identitySet',
          phone: { '@odata.type': '#microsoft.graph.identity', id: t.phone },
        }
      : {
          '@odata.type': '#microsoft.graph.identitySet',
          user: stripUndefined({
            '@odata.type': '#microsoft.graph.identity',
            id: t.userId,
            displayName: t.displayName,
            tenantId: this.calls.options.tenantId,
          }),
        };
  }

  /** How a scripted person answers a ring: agents by their transfer script, others by their callee script. */
  ringOutcome(key: string): RingOutcome {
    const callee = this.callees.get(key);
    if (callee) {
      const afterMs = callee.answerAfterMs ?? 1000;
      const outcome = callee.onCall ?? 'answer';
      return { outcome, afterMs };
    }
    const { agents } = this.calls.deps;
    if (agents.isBusy(key)) return { outcome: 'busy', afterMs: this.calls.scaled(BUSY_REJECT_DELAY_MS) };
    const script = agents.script(key);
    const map = { accept: 'answer', decline: 'decline', ignore: 'never' } as const;
    return { outcome: map[script.onTransfer], afterMs: script.answerAfterMs, talkMs: script.talkMs };
  }
}
