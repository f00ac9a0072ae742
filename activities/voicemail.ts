import { ApplicationFailure, Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { voicemailNotification, type ActivityFeed } from '../src/graph/activity-feed.js';
import { GraphRequestError } from '../src/graph/errors.js';
import type { RecordingStore } from '../src/recordings/store.js';
import { RecordingDownloadError, saveVoicemail } from '../src/recordings/voicemail.js';
import type {
  VoicemailActivities,
  VoicemailInput,
  VoicemailNotifyResult,
  VoicemailResult,
} from '../src/contracts/activities/voicemail.js';

export interface VoicemailNotifyDeps {
  /** The deployment's VOICEMAIL_WEBHOOK_URL, for boxes without their own webhook. */
  webhookUrl?: string;
  /** Teams activity feed notifications through Graph; created on first use, like the call-control client. */
  activityFeed?: () => Promise<ActivityFeed>;
  /** The link a Teams notification opens (the box's messages in the admin API, on PUBLIC_URL). */
  voicemailWebUrl?: (box: string, voicemailId: string) => string;
  /** The voicemail boxes (flows/voicemail-boxes.ts): a notification names the box by its display name. */
  boxes: Record<string, { displayName: string }>;
}

/** What a retried attempt already did (heartbeat details survive retries). */
interface NotifyProgress {
  webhook?: boolean;
  webhookRefused?: number;
  teamsNotified?: string[];
  teamsRefused?: { userId: string; status: number; code: string }[];
}

function progressSoFar(): NotifyProgress {
  try {
    const details = Context.current().info.heartbeatDetails as NotifyProgress | undefined;
    return details && typeof details === 'object' ? details : {};
  } catch {
    return {}; // not in an activity context (a direct call)
  }
}

function recordProgress(progress: NotifyProgress): void {
  try {
    Context.current().heartbeat(progress);
  } catch {
    // not in an activity context
  }
}

/** Voicemail: keep the caller's message before Graph discards it, and tell the box's owners. */
export function createVoicemailActivities(
  orm: MikroORM,
  store: RecordingStore,
  deps: VoicemailNotifyDeps,
): VoicemailActivities {
  const { webhookUrl, boxes } = deps;
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
            operationStatus: undefined,
            resultInfo: undefined,
            completionReason: `download refused (${err.status})`,
          } as VoicemailInput);
        }
        throw err; // retried with backoff; visible in Temporal while it fails
      }
    },

    /**
     * Tells the box's people: its webhook (`webhookUrl`, else the deployment's VOICEMAIL_WEBHOOK_URL) and a Teams
     * activity feed notification to each of `teamsUserIds`. A retry skips what an earlier attempt already did; a user
     * Graph refuses for good (4xx other than 429) is reported, not retried, so one user cannot block the others.
     */
    async notifyVoicemail(input: {
      voicemailId: string;
      box: string;
      from?: string;
      durationMs?: number;
      status: string;
      webhookUrl?: string;
      teamsUserIds?: string[];
    }): Promise<VoicemailNotifyResult> {
      const { webhookUrl: boxUrl, teamsUserIds = [], ...message } = input;
      const url = boxUrl ?? webhookUrl;
      const progress = progressSoFar();
      const channels: VoicemailNotifyResult['channels'] = [];
      let webhookRefused = progress.webhookRefused;

      if (url) {
        if (!progress.webhook && webhookRefused === undefined) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'voicemail', ...message }),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status >= 400 && res.status < 500 && res.status !== 429) {
            // Refused for good: not retried, and the Teams users are still told.
            webhookRefused = progress.webhookRefused = res.status;
            recordProgress(progress);
          } else {
            if (!res.ok) throw new Error(`voicemail webhook answered ${res.status}`);
            progress.webhook = true;
            recordProgress(progress);
          }
        }
        if (progress.webhook) channels.push('webhook');
      }

      let teams: VoicemailNotifyResult['teams'];
      const users = [...new Set(teamsUserIds.filter(Boolean))];
      if (users.length > 0 && deps.activityFeed) {
        const feed = await deps.activityFeed();
        const notification = voicemailNotification({
          box: input.box,
          boxName: boxes[input.box]?.displayName ?? input.box,
          ...(input.from !== undefined ? { from: input.from } : {}),
          ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
          webUrl: deps.voicemailWebUrl?.(input.box, input.voicemailId) ?? `https://teams.microsoft.com/`,
        });
        const notified = new Set(progress.teamsNotified ?? []);
        const refused: NonNullable<VoicemailNotifyResult['teams']>['refused'] = [...(progress.teamsRefused ?? [])];
        let retryable: unknown;
        for (const userId of users) {
          if (notified.has(userId) || refused.some((r) => r.userId === userId)) continue;
          try {
            await feed.send(userId, notification);
            notified.add(userId);
            progress.teamsNotified = [...notified];
            recordProgress(progress);
          } catch (err) {
            if (err instanceof GraphRequestError && !err.retryable) {
              refused.push({ userId, status: err.status, code: err.code });
              progress.teamsRefused = refused;
              recordProgress(progress);
            } else retryable ??= err; // throttled or unreachable: the others still go now, this one on the retry
          }
        }
        if (retryable !== undefined) throw retryable;
        teams = { notified: users.filter((u) => notified.has(u)), refused };
        if (teams.notified.length > 0) channels.push('teams');
      }

      if (webhookRefused !== undefined && channels.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `voicemail webhook refused: ${webhookRefused}`,
          'VoicemailWebhookRefused',
        );
      }
      if (channels.length > 0) {
        await orm.em.getKnex()('voicemail').where('id', input.voicemailId).update({ notified_at: new Date() });
      }
      return { channels, ...(webhookRefused !== undefined ? { webhookRefused } : {}), ...(teams ? { teams } : {}) };
    },
  };
}
