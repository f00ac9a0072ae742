/**
 * Voicemail boxes, as code. A flow's `voicemail(box)` and a queue's `{ type: 'voicemail', box }` action name one of
 * these. Deterministic data: the call workflow imports this module.
 */
export interface VoicemailBox {
  /** Shown to supervisors and in notifications. */
  displayName: string;
  /** Prompt file under flows/prompts/ played before the beep (16 kHz mono WAV). */
  greeting: string;
  /** Longest message, seconds: 1–120 (Graph's recordResponse limit). Default 120. */
  maxSeconds?: number;
  /** Recording ends after this much silence at the start, seconds (Graph: initialSilenceTimeoutInSeconds, 1–120). Default 5. */
  initialSilenceSeconds?: number;
  /** Recording ends after this much silence once the caller spoke, seconds (Graph: maxSilenceTimeoutInSeconds, 1–120). Default 5. */
  maxSilenceSeconds?: number;
  /** Who hears about a new message: Teams users (by Entra object id) and/or a webhook. */
  notify: { teamsUserIds?: string[]; webhookUrl?: string };
}

export const VOICEMAIL_DEFAULTS = { maxSeconds: 120, initialSilenceSeconds: 5, maxSilenceSeconds: 5 } as const;

export const voicemailBoxes: Record<string, VoicemailBox> = {
  support: {
    displayName: 'Support voicemail',
    greeting: 'voicemail-greeting.wav',
    maxSeconds: 120,
    notify: { teamsUserIds: ['6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d', '8f9e0d1c-2b3a-4c5d-8e6f-7a8b9c0d1e2f'] },
  },
  sales: {
    displayName: 'Sales voicemail',
    greeting: 'voicemail-greeting.wav',
    maxSeconds: 90,
    notify: { teamsUserIds: ['3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f'] },
  },
  'after-hours': {
    displayName: 'After-hours messages',
    greeting: 'after-hours.wav',
    maxSeconds: 120,
    notify: { teamsUserIds: ['6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d'] },
  },
};
