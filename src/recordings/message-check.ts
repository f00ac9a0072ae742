/**
 * Is there a message in this recording? Decided from the audio itself: Graph v1.0's recordOperation carries no
 * completionReason (api-reference/v1.0/resources/recordoperation.md), and its download is only documented as
 * `application/octet-stream` (api-reference/v1.0/api/call-record.md), so the format is read from the bytes too.
 */
import { audioDurationMs, detectAudioFormat, type DetectedAudio } from '../media/audio-format.js';
import { loudestWindowDbfs } from '../media/audio-level.js';

/** Shorter than this, a "message" is the caller hanging up at the beep. */
export const MIN_MESSAGE_MS = 500;
/** Quieter than this in its loudest 50 ms, a recording is line silence: speech peaks far above it (-30..-6 dBFS). */
export const SILENCE_THRESHOLD_DBFS = -50;

export interface RecordingCheck extends DetectedAudio {
  /** undefined when the container does not say and the audio was not decoded. */
  durationMs?: number;
  /** Loudest 50 ms, dBFS; undefined for audio that is not uncompressed WAV. */
  levelDbfs?: number;
  /** Why this recording holds no message; undefined when it does (or may: unknown formats are kept). */
  empty?: string;
  /** Why the level was not measured (compressed or unreadable audio): the recording was judged by its length only. */
  levelNotChecked?: string;
}

/**
 * Compressed audio (MP3, Opus, WMA, AAC) holds no samples to measure until decoded, and Switchboard ships no audio
 * decoder (each codec is a native or WebAssembly dependency of its own). Such a recording is judged by its length
 * alone, and a long one of line silence is kept: the cost is a silent message in the box, never a lost one.
 */
function whyLevelNotChecked(format: string | undefined): string {
  if (format === 'wav') return 'a WAV whose encoding is not one whose samples can be read: judged by its length only';
  return `${format ?? 'unrecognised'} audio is not uncompressed PCM WAV: its level needs a decoder Switchboard does not include, so it was judged by its length only`;
}

export function checkRecording(bytes: Buffer): RecordingCheck {
  const detected = detectAudioFormat(bytes);
  if (bytes.length === 0) return { ...detected, durationMs: 0, empty: 'the recording has no bytes' };
  const duration = audioDurationMs(bytes, detected.format);
  const durationMs = duration === undefined ? undefined : Math.round(duration);
  let levelDbfs: number | undefined;
  if (detected.format === 'wav') {
    try {
      levelDbfs = loudestWindowDbfs(bytes);
    } catch {
      levelDbfs = undefined; // a WAV header we cannot walk: judged by its length, and kept
    }
  }
  const result: RecordingCheck = {
    ...detected,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(levelDbfs !== undefined ? { levelDbfs } : { levelNotChecked: whyLevelNotChecked(detected.format) }),
  };
  if (durationMs !== undefined && durationMs < MIN_MESSAGE_MS)
    return { ...result, empty: `recording of ${durationMs} ms` };
  if (levelDbfs !== undefined && levelDbfs < SILENCE_THRESHOLD_DBFS)
    return {
      ...result,
      empty: `silence: ${durationMs ?? '?'} ms, loudest ${Number.isFinite(levelDbfs) ? levelDbfs.toFixed(1) : '-inf'} dBFS`,
    };
  return result;
}
