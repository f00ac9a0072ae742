/**
 * A group call's participants over Graph v1.0 (issue 24): list, mute and remove. Inviting is CallControl.invite.
 * Each method is one request; failures are GraphRequestError as for every call action.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { RosterParticipant } from '../contracts/graph-call.js';
import { callPath, operationResult, sendGraphRequest, type OperationResult } from './call-control.js';
import { parseRoster } from './roster.js';

export class ParticipantControl {
  constructor(private readonly client: Client) {}

  /** GET /communications/calls/{id}/participants (call-list-participants.md): the roster now, read as roster.ts does. */
  async list(callId: string): Promise<RosterParticipant[]> {
    const r = await sendGraphRequest(this.client, 'listParticipants', 'GET', callPath(callId, '/participants'));
    const value = ((r.body ?? {}) as { value?: unknown }).value;
    return Array.isArray(value) ? parseRoster(value) : [];
  }

  /**
   * POST …/participants/{id}/mute (participant-mute.md): a server mute, "the server will drop all audio packets for
   * this participant"; group calls only. All participants then get a roster update.
   */
  async mute(callId: string, participantId: string, clientContext: string): Promise<OperationResult> {
    const path = callPath(callId, `/participants/${encodeURIComponent(participantId)}/mute`);
    return operationResult(await sendGraphRequest(this.client, 'muteParticipant', 'POST', path, { clientContext }));
  }

  /**
   * DELETE …/participants/{id} (participant-delete.md): an active participant is dropped at once "with no pre- or
   * post-removal notification"; an invited one's pending invitation is cancelled. 204.
   */
  async remove(callId: string, participantId: string): Promise<void> {
    const path = callPath(callId, `/participants/${encodeURIComponent(participantId)}`);
    await sendGraphRequest(this.client, 'deleteParticipant', 'DELETE', path);
  }
}
