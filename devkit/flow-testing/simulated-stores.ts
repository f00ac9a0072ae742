/**
 * The stores a call's activities write to besides Graph, kept in memory for the flow tests: the CDR and its timeline
 * (Postgres in production), voicemails (the recordings store) and callback rows (Postgres). They fail on demand, as
 * the real ones do while Postgres is away or the store refuses writes, for the tests of what the workflows do then.
 */
import type { CallbackActivities } from '../../src/contracts/activities/callbacks.js';
import type { CallRecord, RecordActivities, TimelineEntry } from '../../src/contracts/activities/records.js';
import type { SurveyActivities, SurveyAnswer } from '../../src/contracts/activities/survey.js';
import type { VoicemailActivities, VoicemailResult } from '../../src/contracts/activities/voicemail.js';
import type { SimulatedCallback, SimulatedVoicemail } from './simulated-types.js';

/** What the stores keep and how they fail (SimulatedGraph holds it, so tests read and set it there). */
export interface SimulatedStoreState {
  readonly records: Map<string, CallRecord>;
  readonly timeline: Map<string, Map<number, TimelineEntry>>;
  readonly voicemails: SimulatedVoicemail[];
  readonly callbacks: SimulatedCallback[];
  /** survey_response rows by call, in question order. */
  readonly surveyResponses: Map<string, SurveyRow[]>;
  /** The recordings store refuses every write: each attempt is counted in storeAttempts. */
  recordingStoreDown: boolean;
  /** Record writes still to refuse, as Postgres does while it is away. */
  recordWritesToRefuse: number;
  /** survey_response writes are refused while true, as Postgres does while it is away; each attempt is counted. */
  surveyStoreDown: boolean;
  surveyWriteAttempts: number;
  storeAttempts: number;
}

/** One survey_response row: a question's answer, or the call's `callerLeft` (question 0). */
export interface SurveyRow extends SurveyAnswer {
  queue: string;
  agentId?: string;
}

type StoreActivities = Pick<RecordActivities, 'recordCall'> &
  SurveyActivities &
  Pick<VoicemailActivities, 'storeVoicemail' | 'notifyVoicemail'> &
  Pick<CallbackActivities, 'requestCallback' | 'updateCallback'>;

export function simulatedStoreActivities(s: SimulatedStoreState): StoreActivities {
  return {
    requestCallback: async (input) => {
      const existing = s.callbacks.find((c) => c.callId === input.callId);
      if (existing) return { callbackId: existing.callId };
      s.callbacks.push({ ...input, status: 'requested', attempts: 0 });
      return { callbackId: input.callId };
    },
    updateCallback: async ({ callId, ...patch }) => {
      const row = s.callbacks.find((c) => c.callId === callId);
      if (row) Object.assign(row, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    },
    recordCall: async ({ record, events, timelineEnd }) => {
      if (s.recordWritesToRefuse > 0) {
        s.recordWritesToRefuse--;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
      s.records.set(record.callId, record);
      const t = s.timeline.get(record.callId) ?? new Map<number, TimelineEntry>();
      for (const e of events) t.set(e.seq, e);
      // As recordCall does: the call's last write drops entries numbered beyond its end.
      if (timelineEnd !== undefined) for (const seq of t.keys()) if (seq > timelineEnd) t.delete(seq);
      s.timeline.set(record.callId, t);
    },
    recordSurveyResponses: async ({ callId, queue, agentId, answers }) => {
      s.surveyWriteAttempts++;
      if (s.surveyStoreDown) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      // Keyed by (call, question) as the table is: a retried write replaces its rows.
      const rows = new Map((s.surveyResponses.get(callId) ?? []).map((r) => [r.questionIndex, r]));
      for (const a of answers) rows.set(a.questionIndex, { ...a, queue, ...(agentId ? { agentId } : {}) });
      s.surveyResponses.set(
        callId,
        [...rows.values()].sort((x, y) => x.questionIndex - y.questionIndex),
      );
    },
    storeVoicemail: async (input) => {
      s.storeAttempts++;
      if (s.recordingStoreDown) throw new Error('recordings store: EACCES: permission denied, open recordings/…');
      const existing = s.voicemails.find((v) => v.callId === input.callId);
      if (existing) return { voicemailId: existing.voicemailId, status: existing.status };
      const voicemailId = `vm-${s.voicemails.length + 1}`;
      // As saveVoicemail does: no recording is a failure, except silence at the beep, which is an empty message.
      const status: VoicemailResult['status'] = input.recordingLocation
        ? 'recorded'
        : input.completionReason === 'initialSilenceTimeout'
          ? 'empty'
          : 'failed';
      s.voicemails.push({ ...input, voicemailId, status, notified: false });
      return { voicemailId, status };
    },
    notifyVoicemail: async ({ voicemailId, webhookUrl, teamsUserIds }) => {
      const vm = s.voicemails.find((v) => v.voicemailId === voicemailId);
      if (vm) vm.notified = true;
      const teams = teamsUserIds?.length ? { notified: [...teamsUserIds], refused: [] } : undefined;
      return {
        channels: [...(webhookUrl ? (['webhook'] as const) : []), ...(teams ? (['teams'] as const) : [])],
        ...(teams ? { teams } : {}),
      };
    },
  };
}
