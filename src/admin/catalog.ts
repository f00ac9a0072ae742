import type { QueueConfig } from '../contracts/queue-config.js';
import type { ScheduleDefinition } from '../schedules/types.js';

/** A voicemail box as the admin API shows it: its limits already resolved against the defaults. */
export interface AdminVoicemailBox {
  displayName: string;
  maxSeconds: number;
  notify: { teamsUserIds?: string[]; webhookUrl?: string };
}

/**
 * What the admin API knows of the configuration in flows/ (queues, agents, schedules, voicemail boxes). The web role
 * (app/stack/admin-catalog.ts) hands it in, as the worker role hands the activities theirs, so that nothing in src/
 * imports flows/ (issue 20, point 8) and a test can give the API a configuration of its own.
 */
export interface AdminCatalog {
  queues: Record<string, QueueConfig>;
  agents: Record<string, { name: string }>;
  schedules: Record<string, ScheduleDefinition>;
  voicemailBoxes: Record<string, AdminVoicemailBox>;
}
