/**
 * A supervisor joins a live call (issue 24, point 3): the Update the admin API sends the call workflow. Only a call
 * put through by conference can take it (Switchboard is still in the call and can invite); `barge` joins with
 * audio, `monitor` joins and is then server-muted (participant-mute.md). Whisper (heard by the agent alone) is not
 * possible with service-hosted media: docs/routing.md says why.
 */
import { defineUpdate } from '@temporalio/workflow';

export const SUPERVISE_MODES = ['barge', 'monitor'] as const;
export type SuperviseMode = (typeof SUPERVISE_MODES)[number];

export interface SuperviseRequest {
  /** The supervisor's Teams user id (Entra object id): Graph rings them into the call. */
  supervisorId: string;
  mode: SuperviseMode;
}

export interface SuperviseResult {
  supervisorId: string;
  mode: SuperviseMode;
  /** joined: in the call (muted for monitor); notJoined: they did not answer, or Graph refused the invite. */
  outcome: 'joined' | 'notJoined';
  muted: boolean;
}

export const superviseUpdate = defineUpdate<SuperviseResult, [SuperviseRequest]>('supervise');
