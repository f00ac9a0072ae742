/** The call's record and timeline in Postgres, as the call workflow writes them (activities/records.ts). */
import type { CallOutcome } from '../call.js';
import type { CallSegment } from '../transfer.js';

/** The CDR as the call workflow keeps it; timestamps are ISO strings (workflow time). */
export interface CallRecord {
  callId: string;
  workflowId: string;
  fromKind?: string;
  fromId?: string;
  fromName?: string;
  toId?: string;
  queue?: string;
  agentId?: string;
  outcome?: CallOutcome;
  waitSeconds?: number;
  endCode?: number;
  endSubcode?: number;
  arrivedAt: string;
  answeredAt?: string;
  queuedAt?: string;
  offeredAt?: string;
  connectedAt?: string;
  endedAt?: string;
  /** How the agent was put through: `conference` when Switchboard stayed in the call (absent: a transfer). */
  connectedBy?: 'transfer' | 'conference';
  /** A conference's end of talk, from the roster (issue 24, point 2), and who left first. */
  talkEndedAt?: string;
  talkEndedBy?: 'agent' | 'caller' | 'call';
  /** A transferred call's parts, one per agent, in order (issue 24, point 4); absent for a call never transferred. */
  segments?: CallSegment[];
  flow?: string;
  tags?: string[];
  data?: Record<string, string | number | boolean>;
}

/** One step of the call's timeline (`call_event`), numbered by the workflow. */
export interface TimelineEntry {
  seq: number;
  type: string;
  at: string;
  payload?: unknown;
}

export interface RecordActivities {
  /**
   * Idempotent on retry. `timelineEnd`, on the call's last write, is its last entry's sequence number: entries
   * numbered beyond it (written by a workflow task that never completed) are removed.
   */
  recordCall(input: { record: CallRecord; events: TimelineEntry[]; timelineEnd?: number }): Promise<void>;
}
