import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingStore } from '../src/recordings/store.js';
import { RecordingDownloadError, saveVoicemail, type VoicemailInput, type VoicemailResult } from '../src/recordings/voicemail.js';

/** Voicemail: keep the caller's message before Graph discards it, and tell the box's owners. */
export function createVoicemailActivities(orm: MikroORM, store: RecordingStore, webhookUrl?: string) {
  return {
    async storeVoicemail(input: VoicemailInput): Promise<VoicemailResult> {
      try {
        return await saveVoicemail(orm, store, input);
      } catch (err) {
        if (err instanceof RecordingDownloadError && !err.retryable) {
          // The token or the file is gone for good: record the failure instead of losing the message silently.
          return saveVoicemail(orm, store, {
            ...input,
            recordingLocation: undefined,
            recordingAccessToken: undefined,
            completionReason: `download refused (${err.status})`,
          } as VoicemailInput);
        }
        throw err; // retried with backoff; visible in Temporal while it fails
      }
    },

    /** `webhookUrl`: the box's own channel; the deployment's VOICEMAIL_WEBHOOK_URL otherwise. */
    async notifyVoicemail(input: {
      voicemailId: string;
      box: string;
      from?: string;
      durationMs?: number;
      status: string;
      webhookUrl?: string;
    }): Promise<'sent' | 'noChannel'> {
      const { webhookUrl: boxUrl, ...message } = input;
      const url = boxUrl ?? webhookUrl;
      if (!url) return 'noChannel';
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'voicemail', ...message }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        throw ApplicationFailure.nonRetryable(`voicemail webhook refused: ${res.status}`, 'VoicemailWebhookRefused');
      }
      if (!res.ok) throw new Error(`voicemail webhook answered ${res.status}`);
      await orm.em.getKnex()('voicemail').where('id', input.voicemailId).update({ notified_at: new Date() });
      return 'sent';
    },
  };
}

export type VoicemailActivities = ReturnType<typeof createVoicemailActivities>;
