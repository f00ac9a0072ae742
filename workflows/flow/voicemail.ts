import { patched, proxyActivities } from '@temporalio/workflow';
import type { VoicemailActivities } from '../../src/contracts/activities/voicemail.js';
import { voicemailBoxes, VOICEMAIL_DEFAULTS } from '../../flows/voicemail-boxes.js';
import { failureDetails } from '../call-session.js';
import { VOICEMAIL_QUEUED_SEGMENTS_PATCH, VOICEMAIL_SEGMENTS_PATCH } from '../patches.js';
import type { VoicemailResult } from './api.js';
import type { CallContext } from './context.js';
import { clamp } from './limits.js';
import { recordInQueuedSegments, recordInSegments, recordWhole, type MessageLimits } from './voicemail-recording.js';

// Graph keeps a recording only a short while after it completes: retry the download promptly, for about 2 minutes,
// then record the message as failed rather than lose it silently.
const store = proxyActivities<VoicemailActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s' },
});
const notify = proxyActivities<VoicemailActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10 },
});

/** The voicemail verb. A call that reached the recording ends as `voicemail`, whether or not a message was left. */
export function voicemailVerb(ctx: CallContext, box: string): Promise<VoicemailResult> {
  return ctx.verb('voicemail', { box }, async () => {
    if (ctx.session.terminated) return { outcome: 'hungUp' } as const;
    const result = await recordVoicemail(ctx, box);
    ctx.outcome = 'voicemail';
    return result;
  });
}

/**
 * Voicemail: Graph's recordResponse plays the box's greeting, beeps and records until `#`, silence or the box's
 * maximum, in segments (voicemail-recording.ts); then the message is downloaded from each `recordingLocation` before
 * Graph discards it, stored, registered in Postgres, and the box's people are told. An empty or failed recording is
 * stored as such.
 */
async function recordVoicemail(ctx: CallContext, boxName: string): Promise<VoicemailResult> {
  const { recorder, callId } = ctx;
  const box = voicemailBoxes[boxName];
  const recordedAt = new Date().toISOString();
  const base = {
    callId,
    box: boxName,
    ...(recorder.record.queue ? { queue: recorder.record.queue } : {}),
    fromId: ctx.from.id,
    ...(ctx.from.displayName ? { fromName: ctx.from.displayName } : {}),
    recordedAt,
  };
  if (!box) {
    recorder.event('voicemailUnknownBox', { box: boxName });
    const saved = await store.storeVoicemail({ ...base, completionReason: `unknown voicemail box ${boxName}` });
    return { outcome: 'failed', voicemailId: saved.voicemailId };
  }
  const maxSeconds = clamp(box.maxSeconds ?? VOICEMAIL_DEFAULTS.maxSeconds, 1, 120);

  const limits: MessageLimits = {
    box: boxName,
    greetingUri: ctx.promptUri(box.greeting),
    maxSeconds,
    initialSilenceSeconds: clamp(box.initialSilenceSeconds ?? VOICEMAIL_DEFAULTS.initialSilenceSeconds, 1, 120),
    maxSilenceSeconds: clamp(box.maxSilenceSeconds ?? VOICEMAIL_DEFAULTS.maxSilenceSeconds, 1, 120),
  };
  // Each patch is asked only where the one before it holds, so a run recorded under an older way keeps it.
  const completion = !patched(VOICEMAIL_SEGMENTS_PATCH)
    ? await recordWhole(ctx, limits)
    : patched(VOICEMAIL_QUEUED_SEGMENTS_PATCH)
      ? await recordInQueuedSegments(ctx, limits)
      : await recordInSegments(ctx, limits);

  const saved = await store.storeVoicemail({ ...base, ...completion }).catch((err: unknown) => {
    recorder.event('voicemailStoreFailed', failureDetails(err));
    return undefined;
  });
  if (!saved) return { outcome: 'failed' };
  recorder.event('voicemailStored', { ...saved, box: boxName });
  if (saved.status === 'recorded') {
    const channel = await notify
      .notifyVoicemail({
        voicemailId: saved.voicemailId,
        box: boxName,
        from: ctx.from.id,
        ...(saved.durationMs !== undefined ? { durationMs: saved.durationMs } : {}),
        status: saved.status,
        ...(box.notify.webhookUrl ? { webhookUrl: box.notify.webhookUrl } : {}),
        ...(box.notify.teamsUserIds?.length ? { teamsUserIds: box.notify.teamsUserIds } : {}),
      })
      .catch((err: unknown) => {
        recorder.event('voicemailNotifyFailed', failureDetails(err));
        return 'failed';
      });
    recorder.event('voicemailNotified', { channel });
  }
  return { outcome: saved.status, voicemailId: saved.voicemailId };
}
