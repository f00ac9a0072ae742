/**
 * Recording a voicemail with Graph's recordResponse: once for the box's whole maximum (before the
 * VOICEMAIL_SEGMENTS_PATCH), or in segments, so that a caller who hangs up keeps what they said before the segment
 * they hung up in. Graph sends no completion, and so no recording, for an operation still recording at hang-up
 * (microsoft-graph-comms-samples#376, open since 2020); a segment that completed at its maximum (200/8515,
 * call-record.md) is followed at once by the next.
 */
import { condition } from '@temporalio/workflow';
import type { VoicemailInput } from '../../src/contracts/activities/voicemail.js';
import { failureDetails, graph, ESTABLISH_WAIT } from '../call-session.js';
import type { CallContext } from './context.js';

/** Long enough that few messages are cut (most are shorter), short enough that a hang-up loses little. */
export const VOICEMAIL_SEGMENT_SECONDS = 20;
/** call-record.md: "Action completed, max record duration reached." */
const MAX_DURATION_SUBCODE = 8515;

export type RecordingCompletion = Partial<
  Pick<
    VoicemailInput,
    'recordingLocation' | 'recordingAccessToken' | 'segments' | 'completionReason' | 'operationStatus' | 'resultInfo'
  >
>;

export interface MessageLimits {
  box: string;
  greetingUri: string;
  maxSeconds: number;
  initialSilenceSeconds: number;
  maxSilenceSeconds: number;
}

interface Segment {
  clientContext: string;
  greeting: boolean;
  seconds: number;
  initialSilenceSeconds: number;
}

/** One recordResponse, awaited to its completion (or the hang-up): what it left. */
async function recordSegment(ctx: CallContext, limits: MessageLimits, s: Segment): Promise<RecordingCompletion> {
  const operationId = await startSegment(ctx, limits, s);
  if (operationId === undefined) return { completionReason: 'recordResponse refused' };
  return awaitSegment(ctx, s, operationId);
}

/** Asks Graph for one recordResponse; undefined when it refused. */
async function startSegment(ctx: CallContext, limits: MessageLimits, s: Segment): Promise<string | undefined> {
  const { recorder, callId } = ctx;
  try {
    const { operationId } = await graph.recordResponse({
      callId,
      clientContext: s.clientContext,
      ...(s.greeting ? { promptUri: limits.greetingUri } : {}),
      bargeInAllowed: false,
      playBeep: s.greeting,
      maxRecordDurationInSeconds: s.seconds,
      initialSilenceTimeoutInSeconds: s.initialSilenceSeconds,
      maxSilenceTimeoutInSeconds: limits.maxSilenceSeconds,
      stopTones: ['#'],
    });
    recorder.event('recordingStarted', { operationId, box: limits.box, maxSeconds: s.seconds });
    return operationId;
  } catch (err) {
    recorder.event('recordingFailed', failureDetails(err));
    return undefined;
  }
}

/** Waits for a recordResponse Graph accepted to complete (or the hang-up): what it left. */
async function awaitSegment(ctx: CallContext, s: Segment, opId: string): Promise<RecordingCompletion> {
  const { session } = ctx;
  // The greeting, the message, and Graph's own margin. A caller who hangs up mid-message ends the call, and Graph
  // sends nothing for the operation then outstanding; a moment is still given, in case a completion does follow.
  await condition(() => session.operations.has(opId) || session.terminated, (s.seconds + 120) * 1000);
  if (session.terminated && !session.operations.has(opId))
    await condition(() => session.operations.has(opId), ESTABLISH_WAIT);
  const op = session.operations.get(opId);
  const payload = (op?.payload ?? {}) as Record<string, unknown>;
  return {
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
}

/** The message in one recordResponse for the box's whole maximum: how every call recorded before the patch. */
export function recordWhole(ctx: CallContext, limits: MessageLimits): Promise<RecordingCompletion> {
  return recordSegment(ctx, limits, {
    clientContext: 'voicemail',
    greeting: true,
    seconds: limits.maxSeconds,
    initialSilenceSeconds: limits.initialSilenceSeconds,
  });
}

/**
 * The message in segments of VOICEMAIL_SEGMENT_SECONDS: the greeting and beep before the first only, and a pause
 * longer than the box's silence limit at a segment's start ends the message as it would within one. The completion
 * is the first segment's, with every segment's recording in `segments` when there are several.
 */
export async function recordInSegments(ctx: CallContext, limits: MessageLimits): Promise<RecordingCompletion> {
  const recordings: NonNullable<VoicemailInput['segments']> = [];
  let first: RecordingCompletion | undefined;
  let last: RecordingCompletion = {};
  for (let i = 0, recorded = 0; recorded < limits.maxSeconds; i++) {
    const seconds = Math.min(VOICEMAIL_SEGMENT_SECONDS, limits.maxSeconds - recorded);
    last = await recordSegment(ctx, limits, {
      clientContext: i === 0 ? 'voicemail' : `voicemail-${i + 1}`,
      greeting: i === 0,
      seconds,
      initialSilenceSeconds: i === 0 ? limits.initialSilenceSeconds : limits.maxSilenceSeconds,
    });
    first ??= last;
    recorded += seconds;
    if (!last.recordingLocation) break;
    recordings.push({
      recordingLocation: last.recordingLocation,
      ...(last.recordingAccessToken ? { recordingAccessToken: last.recordingAccessToken } : {}),
    });
    if (ctx.session.terminated || Number(last.resultInfo?.subcode ?? last.resultInfo?.subCode) !== MAX_DURATION_SUBCODE)
      break;
  }
  if (recordings.length === 0) return last;
  return { ...first, ...(recordings.length > 1 ? { segments: recordings } : {}) };
}

/**
 * Since VOICEMAIL_QUEUED_SEGMENTS_PATCH: the segment that would be lost at a hang-up is at most this long (it was
 * VOICEMAIL_SEGMENT_SECONDS). Shorter segments cost nothing in audio now that each is queued behind the one before.
 */
export const VOICEMAIL_QUEUED_SEGMENT_SECONDS = 10;

/**
 * The message in segments of VOICEMAIL_QUEUED_SEGMENT_SECONDS, each asked for while the one before still records.
 * Graph queues media operations and runs them in order (call-cancelmediaprocessing.md: playPrompt and recordResponse
 * "are by default queued to process in order"), so the next segment starts recording the moment one ends at its
 * maximum, instead of after a notification, a workflow task and a request: no gap where the caller speaks into
 * nothing. When a segment ends any other way (silence, `#`, nothing recorded) the message is over and the queued one
 * is cancelled (cancelMediaProcessing). A hang-up still loses the segment then recording: Graph documents nothing for
 * an operation outstanding at hang-up and sends nothing (microsoft-graph-comms-samples#376), so that loss is kept to
 * VOICEMAIL_QUEUED_SEGMENT_SECONDS.
 */
export async function recordInQueuedSegments(ctx: CallContext, limits: MessageLimits): Promise<RecordingCompletion> {
  const plan: Segment[] = [];
  for (let i = 0, planned = 0; planned < limits.maxSeconds; i++) {
    const seconds = Math.min(VOICEMAIL_QUEUED_SEGMENT_SECONDS, limits.maxSeconds - planned);
    plan.push({
      clientContext: i === 0 ? 'voicemail' : `voicemail-${i + 1}`,
      greeting: i === 0,
      seconds,
      initialSilenceSeconds: i === 0 ? limits.initialSilenceSeconds : limits.maxSilenceSeconds,
    });
    planned += seconds;
  }
  const recordings: NonNullable<VoicemailInput['segments']> = [];
  let first: RecordingCompletion | undefined;
  let last: RecordingCompletion = { completionReason: 'recordResponse refused' };
  let current = await startSegment(ctx, limits, plan[0]!);
  for (let i = 0; current !== undefined && i < plan.length; i++) {
    const next =
      i + 1 < plan.length && !ctx.session.terminated ? await startSegment(ctx, limits, plan[i + 1]!) : undefined;
    last = await awaitSegment(ctx, plan[i]!, current);
    first ??= last;
    if (last.recordingLocation)
      recordings.push({
        recordingLocation: last.recordingLocation,
        ...(last.recordingAccessToken ? { recordingAccessToken: last.recordingAccessToken } : {}),
      });
    const goesOn =
      !!last.recordingLocation &&
      !ctx.session.terminated &&
      Number(last.resultInfo?.subcode ?? last.resultInfo?.subCode) === MAX_DURATION_SUBCODE;
    if (!goesOn) {
      if (next !== undefined && !ctx.session.terminated) await ctx.session.cancelMedia('voicemail-end');
      break;
    }
    current = next;
  }
  if (recordings.length === 0) return last;
  return { ...first, ...(recordings.length > 1 ? { segments: recordings } : {}) };
}
