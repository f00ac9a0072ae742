export { startEmulator } from './server.js';
export { DEFAULT_AGENT_SCRIPT } from './people.js';
export { TRANSFER_ALERT_TIMEOUT_MS } from './calls/timing.js';
export type { ActivityNotificationRecord } from './activity-feed.js';
export { ALL_QUIRKS } from './types.js';
export type {
  CalleeScript,
  DigitPress,
  PresenceStep,
  Quirks,
  AgentScript,
  AgentView,
  CallHistoryEntry,
  CallerIdentity,
  CallerScript,
  EmulatedCallState,
  EmulatedCallView,
  Emulator,
  EmulatorOptions,
  NotificationRecord,
  OperationView,
  RecordedRequest,
  ResultInfo,
  StepEvent,
  StepKind,
  TransferView,
} from './types.js';
