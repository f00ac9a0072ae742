/** Voicemail, as the call workflow's `voicemail` verb asks for it (implemented by activities/voicemail.ts). */

export interface VoicemailInput {
  callId: string;
  box: string;
  queue?: string;
  fromId?: string;
  fromName?: string;
  recordedAt: string;
  /** Absent when the recording operation failed or was cancelled. */
  recordingLocation?: string;
  recordingAccessToken?: string;
  /** Beta only (v1.0's recordOperation has none): absent from a v1.0 tenant, or a description of ours. */
  completionReason?: string;
  /** A message recorded in several segments: every segment's recording, in order (the first is also above). */
  segments?: { recordingLocation: string; recordingAccessToken?: string }[];
  /** The recordOperation's status and resultInfo, as its completion notification carried them. */
  operationStatus?: string;
  resultInfo?: { code?: number | string; subcode?: number | string; subCode?: number | string; message?: string };
}

export interface VoicemailResult {
  voicemailId: string;
  status: 'recorded' | 'empty' | 'failed';
  recordingId?: string;
  sha256?: string;
  sizeBytes?: number;
  durationMs?: number;
}

export interface VoicemailNotifyResult {
  /** The channels that carried the message: empty when the box has none. */
  channels: ('webhook' | 'teams')[];
  /** Teams users notified, and those Graph refused for good (not installed, unknown user): they are not retried. */
  teams?: { notified: string[]; refused: { userId: string; status: number; code: string }[] };
  /** The HTTP status the webhook refused the message with (4xx other than 429), when the Teams users were told. */
  webhookRefused?: number;
}

export interface VoicemailActivities {
  /** Keep the caller's message before Graph discards it. Idempotent per call; a failed recording is kept as failed. */
  storeVoicemail(input: VoicemailInput): Promise<VoicemailResult>;
  /** Tell the box's people (its webhook, Teams users). A retry skips what an earlier attempt already did. */
  notifyVoicemail(input: {
    voicemailId: string;
    box: string;
    from?: string;
    durationMs?: number;
    status: string;
    webhookUrl?: string;
    teamsUserIds?: string[];
  }): Promise<VoicemailNotifyResult>;
}
