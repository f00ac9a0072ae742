import type { CallControl } from '../src/graph/call-control.js';
import { ParticipantControl } from '../src/graph/participant-control.js';
import type { ParticipantActivities } from '../src/contracts/activities/participants.js';
import { toFailure } from './graph.js';

/** A group call's participants through Graph (issue 24): invite, list, mute, remove. One request each. */
export function createParticipantActivities(callControl: () => Promise<CallControl>): ParticipantActivities {
  async function graph<T>(operation: string, fn: (calls: CallControl) => Promise<T>): Promise<T> {
    try {
      return await fn(await callControl());
    } catch (err) {
      throw toFailure(operation, err);
    }
  }
  const participants = (calls: CallControl) => new ParticipantControl(calls.client);

  return {
    async inviteParticipant(input) {
      const op = await graph('invite', (calls) =>
        calls.invite(input.callId, {
          participants: [{ userId: input.userId }],
          clientContext: input.clientContext,
          ...(input.replacesCallId ? { replacesCallId: input.replacesCallId } : {}),
        }),
      );
      return { operationId: op.operationId };
    },
    async listParticipants(input) {
      return graph('listParticipants', (calls) => participants(calls).list(input.callId));
    },
    async muteParticipant(input) {
      await graph('muteParticipant', (calls) =>
        participants(calls).mute(input.callId, input.participantId, input.clientContext),
      );
    },
    async removeParticipant(input) {
      await graph('deleteParticipant', (calls) => participants(calls).remove(input.callId, input.participantId));
    },
  };
}
