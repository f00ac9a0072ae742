/**
 * A message recorded in segments (workflows/flow/voicemail-recording.ts) becomes one recording: the later segments
 * are downloaded and joined to the first (src/media/join-audio.ts). Segments in a format that cannot be joined
 * without re-encoding are kept as recordings of their own, on the same call, so that nothing the caller said is lost.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { joinRecordings } from '../media/join-audio.js';
import { checkRecording } from './message-check.js';
import type { RecordingStore } from './store.js';
import type { VoicemailInput } from '../contracts/activities/voicemail.js';

export type Download = (location: string, accessToken: string) => Promise<Buffer>;

/**
 * The message's audio: `first` (the first segment, already downloaded) joined with the others. Throws what a download
 * throws, so the activity retries it.
 */
export async function joinSegments(
  orm: MikroORM,
  store: RecordingStore,
  input: VoicemailInput,
  first: Buffer,
  download: Download,
  tokenFor: (segment: { recordingLocation: string; recordingAccessToken?: string }) => Promise<string | undefined> = (
    s,
  ) => Promise.resolve(s.recordingAccessToken),
): Promise<Buffer> {
  const later = (input.segments ?? []).slice(1);
  if (later.length === 0) return first;
  const parts = [first];
  for (const segment of later) {
    const token = await tokenFor(segment);
    if (token) parts.push(await download(segment.recordingLocation, token));
  }
  const joined = joinRecordings(parts);
  if (joined) return joined;
  // Not joinable: the first is the message; the others are kept beside it on the call, each with its own type.
  for (const part of parts.slice(1)) {
    const check = checkRecording(part);
    const stored = await store.put(part, check.extension);
    await orm.em
      .getKnex()('recording')
      .insert({
        call_id: input.callId,
        kind: 'voicemail',
        storage_key: stored.key,
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        duration_ms: check.durationMs ?? 0,
      });
  }
  return first;
}
