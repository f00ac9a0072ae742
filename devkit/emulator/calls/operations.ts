/**
 * GET /communications/calls/{id}/operations/{opId}: any operation the bot started on a call (prompts, recordings,
 * cancellations, tone subscriptions, invitations), as it stands now.
 */
import { stripUndefined } from '../json.js';
import type { EmulatedCall, PromptOperation, Recording } from './emulated-call.js';
import type { CallRegistry } from './registry.js';
import { resultInfoJson } from './results.js';

/** The emulator serves recordings itself, under its own base URL. */
export function recordingLocation(rec: Recording, baseUrl: string): string {
  return `${baseUrl}/recordings/${rec.id}`;
}

/** A recordOperation's recordingLocation and recordingAccessToken: empty strings until there is a recording. */
export function recordingFields(op: PromptOperation, baseUrl: string): Record<string, unknown> {
  if (op.type !== 'recordResponse') return {};
  return op.recording
    ? { recordingLocation: recordingLocation(op.recording, baseUrl), recordingAccessToken: op.recording.token }
    : { recordingLocation: '', recordingAccessToken: '' };
}

/**
 * A recordOperation's completionReason, only when the call's quirks ask for it: v1.0's recordOperation resource has no
 * such property (api-reference/v1.0/resources/recordoperation.md), so an app must not depend on it.
 */
export function completionReasonShown(call: EmulatedCall, op: PromptOperation): string | undefined {
  if (op.type === 'recordResponse' && !call.quirks.recordCompletionReason) return undefined;
  return op.completionReason;
}

export class Operations {
  constructor(private readonly calls: CallRegistry) {}

  /** GET /communications/calls/{id}/operations/{opId} */
  getOperation(callId: string, opId: string): Record<string, unknown> | undefined {
    const call = this.calls.live(callId);
    const op = call.operations.get(opId);
    if (!op) return undefined;
    const types = {
      playPrompt: '#microsoft.graph.playPromptOperation',
      recordResponse: '#microsoft.graph.recordOperation',
      cancelMediaProcessing: '#microsoft.graph.cancelMediaProcessingOperation',
      subscribeToTone: '#microsoft.graph.subscribeToToneOperation',
      invite: '#microsoft.graph.inviteParticipantsOperation',
      muteParticipant: '#microsoft.graph.muteParticipantOperation',
    } as const;
    return stripUndefined({
      '@odata.type': types[op.type],
      id: op.id,
      status: op.status,
      clientContext: op.clientContext,
      ...('prompts' in op
        ? {
            completionReason: completionReasonShown(call, op),
            ...(op.done ? recordingFields(op, this.calls.options.baseUrl()) : {}),
          }
        : {}),
      resultInfo: op.resultInfo ? resultInfoJson(op.resultInfo) : undefined,
    });
  }
}
