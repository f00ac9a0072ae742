import { condition, proxyActivities } from '@temporalio/workflow';
import type { VoicemailActivities, VoicemailInput } from '../../src/contracts/activities/voicemail.js';
import { voicemailBoxes, VOICEMAIL_DEFAULTS } from '../../flows/voicemail-boxes.js';
import { failureDetails, graph, ESTABLISH_WAIT } from '../call-session.js';
import type { VoicemailResult } from './api.js';
import type { CallContext } from './context.js';
import { clamp } from './limits.js';

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
 * maximum; then the message is downloaded from `recordingLocation` before Graph discards it, stored, registered in
 * Postgres, and the box's people are told. An empty or failed recording is stored as such.
 */
async function recordVoicemail(ctx: CallContext, boxName: string): Promise<VoicemailResult> {
  const { session, recorder, callId } = ctx;
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

  let operationId: string | undefined;
  try {
    ({ operationId } = await graph.recordResponse({
      callId,
      clientContext: 'voicemail',
      promptUri: ctx.promptUri(box.greeting),
      bargeInAllowed: false,
      playBeep: true,
      maxRecordDurationInSeconds: maxSeconds,
      initialSilenceTimeoutInSeconds: clamp(
        box.initialSilenceSeconds ?? VOICEMAIL_DEFAULTS.initialSilenceSeconds,
        1,
        120,
      ),
      maxSilenceTimeoutInSeconds: clamp(box.maxSilenceSeconds ?? VOICEMAIL_DEFAULTS.maxSilenceSeconds, 1, 120),
      stopTones: ['#'],
    }));
    recorder.event('recordingStarted', { operationId, box: boxName, maxSeconds });
  } catch (err) {
    recorder.event('recordingFailed', failureDetails(err));
  }

  let completion: Partial<
    Pick<
      VoicemailInput,
      'recordingLocation' | 'recordingAccessToken' | 'completionReason' | 'operationStatus' | 'resultInfo'
    >
  > = {};
  if (operationId !== undefined) {
    const opId = operationId;
    // The greeting, the message, and Graph's own margin. A caller who hangs up mid-message ends the call, and Graph
    // sends no completion (nor recording) for the operation then outstanding: microsoft-graph-comms-samples#376, open
    // since 2020, and the emulator does the same. A moment is still given, in case a completion does follow.
    await condition(() => session.operations.has(opId) || session.terminated, (maxSeconds + 120) * 1000);
    if (session.terminated && !session.operations.has(opId))
      await condition(() => session.operations.has(opId), ESTABLISH_WAIT);
    const op = session.operations.get(opId);
    const payload = (op?.payload ?? {}) as Record<string, unknown>;
    completion = {
      ...(typeof payload.recordingLocation === 'string' && payload.recordingLocation
        ? { recordingLocation: payload.recordingLocation }
        : {}),
      ...(typeof payload.recordingAccessToken === 'string' && payload.recordingAccessToken
        ? { recordingAccessToken: payload.recordingAccessToken }
        : {}),
      completionReason: op
        ? (op.completionReason ?? op.status)
        : session.terminated
          ? 'the caller hung up while recording: Graph sends no recording for an operation outstanding at hang-up'
          : 'no completion notification',
      // v1.0 says why a recording ended only through status and resultInfo: the activity decides from those and the audio.
      ...(op ? { operationStatus: op.status } : {}),
      ...(payload.resultInfo && typeof payload.resultInfo === 'object'
        ? { resultInfo: payload.resultInfo as NonNullable<VoicemailInput['resultInfo']> }
        : {}),
    };
  } else {
    completion = { completionReason: 'recordResponse refused' };
  }

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
