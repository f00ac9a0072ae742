/**
 * Teams activity feed notifications over Microsoft Graph v1.0: POST /users/{userId}/teamwork/sendActivityNotification
 * (userteamwork-sendactivitynotification.md). App-only Graph cannot post chat messages; it can put an entry in a
 * user's Teams activity feed, with the application permission TeamsActivity.Send (or TeamsActivity.Send.User through
 * resource-specific consent), when the Teams app is installed for that user and its manifest declares the activity
 * type (teams/manifest.json, `activities.activityTypes`). Graph answers 204 No Content.
 */
import { GraphClientError, ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { GraphAuthError, GraphRequestError } from './errors.js';
import { graphErrorsTotal } from '../metrics.js';
import type { GraphClient } from './client.js';

/** Declared in teams/manifest.json; its templateText names the template parameters below. */
export const VOICEMAIL_ACTIVITY_TYPE = 'voicemailReceived';

export interface ActivityNotification {
  /** What the notification is about. `text` topics need a webUrl: the link the user follows from the feed. */
  topic: { source: 'text'; value: string; webUrl: string };
  /** Must be declared in the Teams app manifest. */
  activityType: string;
  /** Teams shows the first 150 characters. */
  previewText: { content: string };
  /** Values for the `{name}` placeholders of the activity type's templateText. */
  templateParameters?: { name: string; value: string }[];
  /** Optional: a later notification with the same chainId replaces the earlier one. */
  chainId?: number;
}

export class ActivityFeed {
  private readonly client: Client;

  constructor(graph: GraphClient | Client) {
    this.client = 'api' in graph ? graph : graph.client;
  }

  /** One notification to one user's activity feed. Throws GraphRequestError (4xx but 429 not retryable). */
  async send(userId: string, notification: ActivityNotification): Promise<void> {
    const operation = 'sendActivityNotification';
    if (!userId) throw new TypeError('userId is required');
    try {
      await this.sendOnce(
        operation,
        `/users/${encodeURIComponent(userId)}/teamwork/sendActivityNotification`,
        notification,
      );
    } catch (e) {
      if (e instanceof GraphRequestError) graphErrorsTotal.inc({ operation, status: String(e.status), code: e.code });
      throw e;
    }
  }

  private async sendOnce(operation: string, path: string, body: ActivityNotification): Promise<void> {
    let res: Response;
    try {
      res = (await this.client.api(path).responseType(ResponseType.RAW).post(body)) as Response;
    } catch (e) {
      if (e instanceof GraphClientError && e.customError instanceof GraphAuthError)
        throw GraphRequestError.fromAuthError(e.customError, operation);
      throw GraphRequestError.fromNetworkError(
        e instanceof GraphClientError && e.customError ? e.customError : e,
        operation,
      );
    }
    const text = await res.text();
    if (!res.ok) throw GraphRequestError.fromResponse(res.status, res.headers, text, operation);
  }
}

/** The voicemail notification: topic the box, preview who called and for how long, link to the box's messages. */
export function voicemailNotification(m: {
  boxName: string;
  box: string;
  from?: string;
  durationMs?: number;
  webUrl: string;
}): ActivityNotification {
  const from = m.from || 'an unknown caller';
  const duration = m.durationMs !== undefined ? formatDuration(m.durationMs) : 'unknown length';
  return {
    topic: { source: 'text', value: m.boxName, webUrl: m.webUrl },
    activityType: VOICEMAIL_ACTIVITY_TYPE,
    previewText: { content: `New voicemail from ${from} (${duration})`.slice(0, 150) },
    templateParameters: [
      { name: 'from', value: from },
      { name: 'box', value: m.boxName },
      { name: 'duration', value: duration },
    ],
  };
}

/** 75_400 ms → "1:15". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
