/**
 * A message recorded in segments (workflows/flow/voicemail-recording.ts) is one message: the later segments are
 * downloaded and joined to the first (src/media/join-audio.ts: WAV, MP3, chained Ogg). Segments that cannot be joined
 * without re-encoding (WMA, M4A, mixed formats) stay parts of the one message, each stored with its own detected type
 * (saveVoicemail stores them as recordings of kind VOICEMAIL_PART on the call), so that nothing the caller said is lost.
 */
import { joinRecordings } from '../media/join-audio.js';

export type Download = (location: string, accessToken: string) => Promise<Buffer>;

/** recording.kind of a message's later parts; the voicemail row's own recording is the first. In id order. */
export const VOICEMAIL_PART = 'voicemail-part';

export interface SegmentedMessage {
  /** The first part: every segment when they could be joined, else the first segment. */
  message: Buffer;
  /** The later segments, in order, when they could not be joined. */
  parts: Buffer[];
}

/**
 * The message's audio: `first` (the first segment, already downloaded) joined with the others where their format
 * allows. Throws what a download throws, so the activity retries it.
 */
export async function joinSegments(
  segments: readonly { recordingLocation: string; recordingAccessToken?: string }[],
  first: Buffer,
  download: Download,
  tokenFor: (segment: { recordingLocation: string; recordingAccessToken?: string }) => Promise<string | undefined>,
): Promise<SegmentedMessage> {
  const later = segments.slice(1);
  if (later.length === 0) return { message: first, parts: [] };
  const all = [first];
  for (const segment of later) {
    const token = await tokenFor(segment);
    if (token) all.push(await download(segment.recordingLocation, token));
  }
  const joined = joinRecordings(all);
  return joined ? { message: joined, parts: [] } : { message: first, parts: all.slice(1) };
}
