/**
 * The emulated calls, one part per Graph resource, wired together here.
 *
 * Lifecycle (as documented for Graph v1.0):
 *   incoming --answer--> establishing --> established
 *   established --transfer--> transferring --> transferAccepted --> terminated (0/7015)
 *                                          \-> established + resultInfo 500/7000 (declined / no answer / busy)
 *   any --DELETE--> terminating --> terminated (200/5001)
 *   any --caller hangs up--> terminated (200/4097, or 200/540000 for a phone caller)
 *   incoming --no answer within 15 s--> terminated (408/1106)
 */
import { stripUndefined } from '../json.js';
import type { EmulatedCallView, OperationView } from '../types.js';
import { IncomingCalls } from './incoming.js';
import { Conference } from './conference.js';
import { CallLifecycle } from './lifecycle.js';
import { MediaOperations } from './media-operations.js';
import { Operations, recordingLocation } from './operations.js';
import { OutboundCalls } from './outbound.js';
import { Participants } from './participants.js';
import { Recordings } from './recordings.js';
import { CallRegistry, type CallManagerDeps } from './registry.js';
import { Ringing } from './ringing.js';
import { Tones } from './tones.js';
import { Transfers } from './transfers.js';

export class CallManager {
  readonly registry: CallRegistry;
  readonly lifecycle: CallLifecycle;
  readonly incoming: IncomingCalls;
  readonly outbound: OutboundCalls;
  readonly media: MediaOperations;
  readonly operations: Operations;
  readonly recordings: Recordings;
  readonly tones: Tones;
  readonly transfers: Transfers;
  readonly participants: Participants;
  readonly conference: Conference;
  readonly ringing: Ringing;

  constructor(deps: CallManagerDeps) {
    const calls = new CallRegistry(deps);
    this.registry = calls;
    // The media queue starts recordResponse operations, and a recording reports through the queue.
    this.media = new MediaOperations(calls, (call, op) => this.recordings.record(call, op));
    this.recordings = new Recordings(calls, this.media);
    this.operations = new Operations(calls);
    this.tones = new Tones(calls);
    this.ringing = new Ringing(calls);
    this.lifecycle = new CallLifecycle(calls, this.media);
    this.incoming = new IncomingCalls(calls, this.lifecycle, this.media, this.tones, this.ringing);
    this.outbound = new OutboundCalls(calls, this.lifecycle, this.media, this.tones, this.ringing);
    this.transfers = new Transfers(calls, this.lifecycle, this.media);
    this.conference = new Conference(calls);
    this.lifecycle.conference = this.conference;
    this.media.conference = this.conference;
    this.participants = new Participants(calls, this.ringing, this.conference, this.lifecycle);
  }

  /** What the emulator lets tests and the control API see of a call, history included. */
  view(callId: string): EmulatedCallView | undefined {
    const call = this.registry.get(callId);
    if (!call) return undefined;
    const operations: OperationView[] = [...call.operations.values()].map((op) =>
      'prompts' in op
        ? stripUndefined({
            id: op.id,
            type: op.type,
            clientContext: op.clientContext,
            status: op.status,
            completionReason: op.completionReason,
            resultInfo: op.resultInfo,
            prompts: op.prompts.map((p) => p.uri),
            recordingLocation: op.recording
              ? recordingLocation(op.recording, this.registry.options.baseUrl())
              : undefined,
          })
        : stripUndefined({
            id: op.id,
            type: op.type,
            clientContext: op.clientContext,
            status: op.status,
            resultInfo: op.resultInfo,
          }),
    );
    return structuredClone(
      stripUndefined({
        id: call.id,
        callChainId: call.callChainId,
        state: call.state,
        direction: call.direction,
        source: call.source,
        targets: call.targets,
        callbackUri: call.callbackUri,
        createdAt: call.createdAt,
        endedAt: call.endedAt,
        resultInfo: call.resultInfo,
        terminationReason: call.terminationReason,
        operations,
        transfer: call.transfer?.view,
        participants: this.conference.view(call),
        history: call.history,
      }),
    );
  }

  stop(): void {
    this.registry.stop();
  }
}
