import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { QueueConfig } from '../flows/index.js';
import type { CallControl } from '../src/graph/call-control.js';
import { createGraphActivities } from './graph.js';
import { createRecordActivities } from './records.js';
import { createQueueActivities } from './queueing.js';

export interface ActivityDeps {
  /** Created on first use, so a worker starts even while Graph's login endpoint is unreachable. */
  callControl: () => Promise<CallControl>;
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  /** Queue definitions; the ones in flows/ unless given. */
  queues?: Record<string, QueueConfig>;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createGraphActivities(deps.callControl),
    ...createRecordActivities(deps.orm),
    ...createQueueActivities(deps.client, deps.taskQueue, deps.queues),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallRecord, TimelineEntry } from './records.js';
export type { GraphActivities } from './graph.js';
export type { RecordActivities } from './records.js';
export type { QueueActivities } from './queueing.js';
