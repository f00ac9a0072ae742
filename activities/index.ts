import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { QueueConfig } from '../src/contracts/queue-config.js';
import type { ScheduleDefinition } from '../src/schedules/types.js';
import type { CallControl } from '../src/graph/call-control.js';
import type { PresenceReader } from '../src/graph/presence.js';
import type { ActivityFeed } from '../src/graph/activity-feed.js';
import type { Activities } from '../src/contracts/activities/index.js';
import { createGraphActivities } from './graph.js';
import { createParticipantActivities } from './participants.js';
import { createVoicemailActivities } from './voicemail.js';
import { createCallbackActivities } from './callbacks.js';
import { createRetentionActivities } from './retention.js';
import { FolderRecordingStore, type RecordingStore } from '../src/recordings/store.js';
import { createRecordActivities } from './records.js';
import { createQueueActivities, createRoutingActivities } from './queueing.js';
import { createAgentActivities } from './agents.js';
import { createScheduleActivities } from './schedules.js';
import { createSurveyActivities } from './survey.js';
import { createLookupActivities, type Lookup } from './lookups.js';

/**
 * What the activities are built from. The contact center's configuration (queues, schedules, lookups, voicemail
 * boxes) is passed in, not read from flows/ here: the worker passes flows/'s, a test or the bench its own.
 */
export interface ActivityDeps {
  /** Where voicemail audio is kept; the data folder's recordings/ unless given. */
  recordingStore?: RecordingStore;
  voicemailWebhookUrl?: string;
  /** Created on first use, so a worker starts even while Graph's login endpoint is unreachable. */
  callControl: () => Promise<CallControl>;
  /** Graph presence reads for the presence poller; created on first use like callControl. */
  presence?: () => Promise<PresenceReader>;
  /** Teams activity feed notifications (voicemail); created on first use like callControl. Without it, a box's
   * teamsUserIds are not notified. */
  activityFeed?: () => Promise<ActivityFeed>;
  /** The app's public URL (PUBLIC_URL): Teams voicemail notifications link to the box's messages there. */
  publicUrl?: string;
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  /** Where queue workflows are started (the routing worker's task queue); taskQueue unless given. */
  routingTaskQueue?: string;
  /** Queue definitions (flows/index.ts). */
  queues: Record<string, QueueConfig>;
  /** Business hours (flows/schedules.ts). */
  schedules: Record<string, ScheduleDefinition>;
  /** The flows' data dips (flows/lookups.ts). */
  lookups: Record<string, Lookup>;
  /** Voicemail boxes (flows/voicemail-boxes.ts). */
  voicemailBoxes: Record<string, { displayName: string }>;
}

export function createActivities(deps: ActivityDeps): Activities {
  const store = deps.recordingStore ?? new FolderRecordingStore('./data/recordings');
  const routingQueue = deps.routingTaskQueue ?? deps.taskQueue;
  return {
    ...createGraphActivities(deps.callControl),
    ...createParticipantActivities(deps.callControl),
    ...createRecordActivities(deps.orm),
    ...createVoicemailActivities(deps.orm, store, {
      boxes: deps.voicemailBoxes,
      ...(deps.voicemailWebhookUrl ? { webhookUrl: deps.voicemailWebhookUrl } : {}),
      ...(deps.activityFeed ? { activityFeed: deps.activityFeed } : {}),
      ...(deps.publicUrl ? { voicemailWebUrl: voicemailMessagesUrl(deps.publicUrl) } : {}),
    }),
    ...createCallbackActivities(deps.orm),
    ...createRetentionActivities(deps.orm, store),
    ...createQueueActivities(deps.client, routingQueue, deps.queues),
    ...createRoutingActivities(deps.client, deps.orm),
    ...createAgentActivities({
      client: deps.client,
      taskQueue: routingQueue,
      orm: deps.orm,
      queues: deps.queues,
      ...(deps.presence ? { presence: deps.presence } : {}),
    }),
    ...createScheduleActivities(deps.orm, deps.schedules),
    ...createSurveyActivities(deps.orm),
    ...createLookupActivities(deps.lookups),
  };
}

/** The admin API's list of a box's messages, which a Teams voicemail notification opens. */
function voicemailMessagesUrl(publicUrl: string) {
  return (box: string) =>
    `${publicUrl.replace(/\/+$/, '')}/api/admin/voicemail-boxes/${encodeURIComponent(box)}/messages`;
}
