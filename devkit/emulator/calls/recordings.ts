/**
 * recordResponse: the bot records what the other party says after an optional prompt and beep, and downloads it
 * from recordingLocation with the recordingAccessToken. The party's script says how long they speak; the
 * recording is a tone of that length.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { makeRecording } from '../../media/compressed-audio.js';
import { GraphHttpError } from '../graph-error.js';
import { MediaError } from '../media.js';
import type { ResultInfo } from '../types.js';
import type { RecordRequest } from '../validation/media-operations.js';
import type { EmulatedCall, OperationStarted, PromptOperation, Recording } from './emulated-call.js';
import type { MediaOperations } from './media-operations.js';
import type { CallRegistry } from './registry.js';
import { RESULT } from './results.js';

export class Recordings {
  private readonly recordings = new Map<string, Recording>();

  constructor(
    private readonly calls: CallRegistry,
    private readonly media: MediaOperations,
  ) {}

  /** POST /communications/calls/{id}/recordResponse */
  recordResponse(callId: string, req: RecordRequest): OperationStarted {
    const call = this.calls.live(callId);
    this.calls.requireState(call, ['established'], 'recordResponse');
    // bargeInAllowed: the new operation barges into queued and running media operations.
    if (req.bargeInAllowed) this.media.cancelMedia(call, true);
    const op: PromptOperation = {
      id: randomUUID(),
      type: 'recordResponse',
      record: req,
      ...(req.clientContext !== undefined ? { clientContext: req.clientContext } : {}),
      prompts: req.prompts,
      status: 'notStarted',
      done: false,
    };
    this.media.enqueue(call, op);
    return {
      location: `${call.resourceUrl}/operations/${op.id}`,
      body: {
        '@odata.type': '#microsoft.graph.recordOperation',
        id: op.id,
        status: 'running',
        resultInfo: null,
        recordingLocation: null,
        ...(op.clientContext !== undefined ? { clientContext: op.clientContext } : {}),
      },
    };
  }

  /** Plays the operation's prompt (and beep), then records until the party stops speaking, presses a stop tone, or time runs out. */
  async record(call: EmulatedCall, op: PromptOperation): Promise<void> {
    const req = op.record!;
    let promptMs = 0;
    try {
      const infos = await Promise.all(op.prompts.map((p) => this.media.loadPrompt(call, p)));
      promptMs = infos.reduce((sum, i) => sum + i.durationMs, 0);
    } catch (e) {
      if (op.done) return;
      const r =
        e instanceof MediaError
          ? e.resultInfo
          : { code: 500, subcode: 0, message: `Action failed. ${(e as Error).message}` };
      this.media.finishOperation(call, op, 'failed', 'playPromptFailed', r);
      return;
    }
    if (op.done) return;
    const beepMs = req.playBeep ? 250 : 0;
    const leadMs = this.calls.scaled(promptMs + beepMs);
    this.calls.log(
      call,
      'media',
      `recordResponse: ${op.prompts.length} prompt(s)${req.playBeep ? ' and a beep' : ''}, then recording (max ${req.maxRecordDurationInSeconds} s)`,
    );
    op.timer = setTimeout(() => {
      op.timer = undefined;
      if (op.done || this.calls.stopped) return;
      const startedAt = Date.now();
      // The party speaks once: a recording started after an earlier one took part of it hears only the rest.
      const speechMs = Math.max(0, (call.party.speechMs ?? 0) - (call.party.spokenMs ?? 0));
      const maxMs = this.calls.scaled(req.maxRecordDurationInSeconds * 1000);
      const finishWith = (reason: string, r: ResultInfo, audioMs: number) => {
        if (op.done) return;
        op.recording = this.storeRecording(call, Math.max(100, audioMs));
        call.party.spokenMs = (call.party.spokenMs ?? 0) + Math.min(audioMs, speechMs);
        this.calls.log(call, 'media', `recording ended: ${reason}, ${Math.round(audioMs)} ms of audio`);
        this.media.finishOperation(call, op, 'completed', reason, r);
      };
      op.stopTone = (key) => {
        if (!req.stopTones.includes(key)) return false;
        op.stopTone = undefined;
        finishWith('stopToneDetected', RESULT.recordStopTone, Date.now() - startedAt);
        return true;
      };
      if (speechMs <= 0) {
        op.timer = setTimeout(
          () => {
            op.timer = undefined;
            if (op.done || this.calls.stopped) return;
            op.stopTone = undefined;
            this.calls.log(call, 'media', 'recording failed: no speech (initial silence timeout)');
            this.media.finishOperation(call, op, 'failed', 'initialSilenceTimeout', RESULT.recordInitialSilence);
          },
          this.calls.scaled(req.initialSilenceTimeoutInSeconds * 1000),
        );
      } else if (speechMs >= maxMs) {
        op.timer = setTimeout(() => finishWith('maxRecordDurationReached', RESULT.recordMaxDuration, maxMs), maxMs);
      } else {
        const endMs = Math.min(maxMs, speechMs + this.calls.scaled(req.maxSilenceTimeoutInSeconds * 1000));
        const reason = endMs >= maxMs ? 'maxRecordDurationReached' : 'maxSilenceTimeout';
        op.timer = setTimeout(
          () => finishWith(reason, endMs >= maxMs ? RESULT.recordMaxDuration : RESULT.recordSilence, endMs),
          endMs,
        );
      }
    }, leadMs);
  }

  private storeRecording(call: EmulatedCall, audioMs: number): Recording {
    const { format = 'wav', level = 0.3 } = call.party.recording ?? {};
    const rec: Recording = {
      id: randomUUID(),
      callId: call.id,
      token: randomBytes(32).toString('base64url'),
      audio: makeRecording(format, audioMs / 1000, level),
    };
    this.recordings.set(rec.id, rec);
    return rec;
  }

  /** GET {recordingLocation} with `Authorization: Bearer {recordingAccessToken}`. */
  getRecording(id: string, authorization: string | undefined): Buffer {
    const rec = this.recordings.get(id);
    if (!rec) throw new GraphHttpError(404, 'itemNotFound', 'The recording does not exist or has been discarded.');
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    const want = Buffer.from(rec.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'A valid recordingAccessToken is required.');
    }
    const call = this.calls.get(rec.callId);
    if (call?.endedAt && Date.now() - Date.parse(call.endedAt) > this.calls.options.recordingRetentionMs) {
      this.recordings.delete(id);
      throw new GraphHttpError(404, 'itemNotFound', 'The recording does not exist or has been discarded.');
    }
    return rec.audio;
  }

  /** The call a recording belongs to, and its bytes (for tests: what a download serves). */
  recording(id: string): { callId: string; audio: Buffer } | undefined {
    const rec = this.recordings.get(id);
    return rec ? { callId: rec.callId, audio: rec.audio } : undefined;
  }
}
