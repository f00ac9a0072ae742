import type { MikroORM } from '@mikro-orm/postgresql';
import { parseWav } from '../media/wav.js';
import type { RecordingStore } from './store.js';
import type { VoicemailInput, VoicemailResult } from '../contracts/activities/voicemail.js';

/** A download that may work later (network, 5xx, 429) versus one that never will (401/403/404: token or file gone). */
export class RecordingDownloadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Fetch a recording from Graph's `recordingLocation` with its `recordingAccessToken`. Graph discards recordings
 * shortly after the call ends, so the caller retries promptly.
 */
export async function downloadRecording(location: string, accessToken: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(location, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new RecordingDownloadError(`recording download failed: ${(err as Error).message}`, true);
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    throw new RecordingDownloadError(`recording download answered ${res.status}`, retryable, res.status);
  }
  return Buffer.from(await res.arrayBuffer());
}

/** Shorter than this, a "message" is the caller hanging up at the beep: recorded as empty, not as a voicemail. */
const MIN_MESSAGE_MS = 500;

/**
 * Download, check, store and register a voicemail. Idempotent per call: a retried activity finds the row it wrote.
 * A failed or empty recording is recorded as such, never dropped.
 */
export async function saveVoicemail(
  orm: MikroORM,
  store: RecordingStore,
  input: VoicemailInput,
): Promise<VoicemailResult> {
  const knex = orm.em.getKnex();
  const existing = await knex('voicemail').where('call_id', input.callId).first();
  if (existing) return resultOf(existing);

  const base = {
    call_id: input.callId,
    box: input.box,
    queue: input.queue ?? null,
    from_id: input.fromId ?? null,
    from_name: input.fromName ?? null,
    recorded_at: new Date(input.recordedAt),
  };
  const fail = async (status: 'failed' | 'empty', error: string, durationMs = 0) => {
    const [row] = await knex('voicemail')
      .insert({ ...base, status, error: error.slice(0, 500), duration_seconds: durationMs / 1000 })
      .onConflict(knex.raw('(call_id) where call_id is not null'))
      .ignore()
      .returning('*');
    return resultOf(row ?? (await knex('voicemail').where('call_id', input.callId).first()));
  };

  if (!input.recordingLocation || !input.recordingAccessToken) {
    // Silence at the beep is an empty message (the caller chose to say nothing), not a failure of ours or Graph's.
    if (input.completionReason === 'initialSilenceTimeout')
      return fail('empty', 'the caller said nothing (initialSilenceTimeout)');
    return fail('failed', `no recording (${input.completionReason ?? 'unknown reason'})`);
  }
  // Errors from here (download, store) are thrown: the activity retries them and Temporal shows them.
  const bytes = await downloadRecording(input.recordingLocation, input.recordingAccessToken);
  let durationMs: number;
  try {
    durationMs = Math.round(parseWav(bytes).durationMs);
  } catch (err) {
    return fail('failed', `not a WAV recording: ${(err as Error).message}`);
  }
  if (durationMs < MIN_MESSAGE_MS) return fail('empty', `recording of ${durationMs} ms`, durationMs);

  const stored = await store.put(bytes);
  return knex.transaction(async (trx) => {
    const [recording] = await trx('recording')
      .insert({
        call_id: input.callId,
        kind: 'voicemail',
        storage_key: stored.key,
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        duration_ms: durationMs,
      })
      .returning('id');
    const [row] = await trx('voicemail')
      .insert({
        ...base,
        status: 'recorded',
        recording_id: recording.id,
        size_bytes: stored.sizeBytes,
        sha256: stored.sha256,
        duration_seconds: durationMs / 1000,
      })
      .returning('*');
    return resultOf(row);
  });
}

function resultOf(row: Record<string, unknown>): VoicemailResult {
  return {
    voicemailId: String(row.id),
    status: row.status as VoicemailResult['status'],
    ...(row.recording_id ? { recordingId: String(row.recording_id) } : {}),
    ...(row.sha256 ? { sha256: String(row.sha256) } : {}),
    ...(row.size_bytes != null ? { sizeBytes: Number(row.size_bytes) } : {}),
    durationMs: Math.round(Number(row.duration_seconds ?? 0) * 1000),
  };
}
