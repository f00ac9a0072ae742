/** Every activity a Switchboard worker registers: what activities/index.ts's createActivities returns. */
import type { AgentActivities } from './agents.js';
import type { CallbackActivities } from './callbacks.js';
import type { GraphActivities } from './graph.js';
import type { LookupActivities } from './lookups.js';
import type { ParticipantActivities } from './participants.js';
import type { QueueActivities, RoutingActivities } from './queueing.js';
import type { RecordActivities } from './records.js';
import type { RetentionActivities } from './retention.js';
import type { ScheduleActivities } from './schedules.js';
import type { SurveyActivities } from './survey.js';
import type { VoicemailActivities } from './voicemail.js';

export type Activities = GraphActivities &
  ParticipantActivities &
  RecordActivities &
  VoicemailActivities &
  CallbackActivities &
  RetentionActivities &
  QueueActivities &
  RoutingActivities &
  AgentActivities &
  ScheduleActivities &
  SurveyActivities &
  LookupActivities;
