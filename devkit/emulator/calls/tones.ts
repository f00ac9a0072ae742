/**
 * DTMF: the other party presses keys when their script says; once the bot has subscribed to tones each press is a
 * toneInfo notification, and a stop tone ends a running recording.
 */
import { randomUUID } from 'node:crypto';
import { stripUndefined } from '../json.js';
import type { DigitPress } from '../types.js';
import type { CancelOperation, EmulatedCall, OperationStarted } from './emulated-call.js';
import type { CallRegistry } from './registry.js';

const TONE_NAMES: Record<string, string> = { '*': 'star', '#': 'pound', A: 'a', B: 'b', C: 'c', D: 'd' };
function toneName(key: string): string {
  return /^[0-9]$/.test(key) ? `tone${key}` : (TONE_NAMES[key.toUpperCase()] ?? key);
}

export class Tones {
  constructor(private readonly calls: CallRegistry) {}

  scheduleDigits(call: EmulatedCall, digits: DigitPress[] | undefined): void {
    for (const d of digits ?? []) {
      // Script time: wall-clock, not scaled.
      this.calls.after(call, d.atMs, () => {
        for (const key of d.keys) this.pressKey(call, key);
      });
    }
  }

  /** The caller (or callee) presses a key: a toneInfo notification once subscribed; a stop tone ends a recording. */
  pressKey(call: EmulatedCall, key: string): void {
    if (call.state !== 'established') {
      this.calls.log(call, 'caller', `presses ${key} while the call is ${call.state} (no effect)`);
      return;
    }
    this.calls.log(call, 'caller', `presses ${key}`);
    if (call.current?.stopTone?.(key.toUpperCase())) return;
    if (!call.toneSubscribed) return;
    call.toneSequence += 1;
    this.calls.notify(call, 'updated', {
      '@odata.type': '#microsoft.graph.call',
      state: call.state,
      toneInfo: { '@odata.type': '#microsoft.graph.toneInfo', sequenceId: call.toneSequence, tone: toneName(key) },
    });
  }

  /** POST /communications/calls/{id}/subscribeToTone */
  subscribeToTone(callId: string, req: { clientContext?: string }): OperationStarted {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['established'], 'subscribeToTone');
    call.toneSubscribed = true;
    const op: CancelOperation = {
      id: randomUUID(),
      type: 'subscribeToTone',
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      status: 'completed',
    };
    call.operations.set(op.id, op);
    this.calls.log(call, 'media', 'bot subscribed to tones');
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: stripUndefined({
        '@odata.type': '#microsoft.graph.subscribeToToneOperation',
        id: op.id,
        status: 'completed',
        clientContext: op.clientContext,
      }),
    };
  }
}
