import type { MikroORM } from '@mikro-orm/postgresql';
import { checkRecording } from './message-check.js';
import { joinSegments, VOICEMAIL_PART } from './segments.js';
import type { RecordingStore } from './store.js';
import { RecordingTokens } from './recording-tokens.js';
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

/** Graph's resultInfo, as a notification carries it: codes may come as strings, and `subCode` is seen too. */
function resultOfOperation(
  raw: VoicemailInput['resultInfo'],
): { code: number; subcode: number; message: string } | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const code = Number(raw.code);
  if (!Number.isFinite(code)) return undefined;
  const subcode = Number(raw.subcode ?? raw.subCode ?? 0);
  return { code, subcode: Number.isFinite(subcode) ? subcode : 0, message: String(raw.message ?? '').slice(0, 200) };
}

/**
 * No audio came back. v1.0 does not say why (no completionReason), so: an operation Graph ended itself with a
 * non-5xx result and no recording means the caller gave it nothing to record (an empty message); a cancelled one
 * (400/8508, call-record.md's commsOperation), a 5xx, or no completion at all is a failure of ours or Graph's.
 */
function noRecordingStatus(input: VoicemailInput): { status: 'failed' | 'empty'; error: string } {
  const reason = input.completionReason;
  // The beta schema's reason, when a tenant (or the emulator's quirk) sends it.
  if (reason === 'initialSilenceTimeout')
    return { status: 'empty', error: 'the caller said nothing (initialSilenceTimeout)' };
  const r = resultOfOperation(input.resultInfo);
  const ended = input.operationStatus === 'completed' || input.operationStatus === 'failed';
  if (ended && r && r.code < 500 && !(r.code === 400 && r.subcode === 8508))
    return { status: 'empty', error: `no recording from Graph (${r.code}/${r.subcode} ${r.message})`.trim() };
  const detail = r ? `, ${r.code}/${r.subcode}` : '';
  return { status: 'failed', error: `no recording (${reason ?? input.operationStatus ?? 'unknown reason'}${detail})` };
}

/**
 * Download, check, store and register a voicemail. Idempotent per call: a retried activity finds the row it wrote.
 * A failed or empty recording is recorded as such, never dropped. The recording's access token comes from the webhook
 * through Postgres, never through the workflow (recording-tokens.ts); it is deleted once the message is stored, found
 * empty, or refused for good. A workflow started before that (its input has the token) still works.
 */
export async function saveVoicemail(
  orm: MikroORM,
  store: RecordingStore,
  input: VoicemailInput,
): Promise<VoicemailResult> {
  const tokens = new RecordingTokens(orm);
  const location = input.recordingLocation;
  const accessToken = input.recordingAccessToken ?? (location ? await tokens.take(location) : undefined);
  let result: VoicemailResult;
  try {
    result = await saveWithToken(orm, store, input, accessToken);
  } catch (err) {
    if (location && err instanceof RecordingDownloadError && !err.retryable) await tokens.forget(location);
    throw err;
  }
  if (location) await tokens.forget(location);
  // A message recorded in segments: each segment's token was kept by the webhook too.
  for (const segment of input.segments ?? []) await tokens.forget(segment.recordingLocation);
  return result;
}

async function saveWithToken(
  orm: MikroORM,
  store: RecordingStore,
  input: VoicemailInput,
  accessToken: string | undefined,
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

  if (!input.recordingLocation || !accessToken) {
    const { status, error } = noRecordingStatus(input);
    return fail(status, error);
  }
  // Errors from here (download, store) are thrown: the activity retries them and Temporal shows them.
  const bytes = await downloadRecording(input.recordingLocation, accessToken);
  // A message recorded in segments is one recording (the segments joined), or parts of one message where their
  // format cannot be joined without re-encoding (segments.ts).
  const { message, parts } = await joinSegments(input.segments ?? [], bytes, downloadRecording, (segment) =>
    segment.recordingAccessToken
      ? Promise.resolve(segment.recordingAccessToken)
      : new RecordingTokens(orm).take(segment.recordingLocation),
  );
  // Whatever the format, the audio is kept: an unknown one as application/octet-stream, judged by nothing but its bytes.
  const check = checkRecording(message);
  const partChecks = parts.map((p) => checkRecording(p));
  const durationMs = [check, ...partChecks].reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
  if (check.empty && parts.length === 0) return fail('empty', check.empty, durationMs);

  const stored = await store.put(message, check.extension);
  const storedParts: (typeof stored)[] = [];
  for (const [i, part] of parts.entries()) storedParts.push(await store.put(part, partChecks[i]!.extension));
  return knex.transaction(async (trx) => {
    const recordingRow = (kind: string, s: typeof stored, ms: number) => ({
      call_id: input.callId,
      kind,
      storage_key: s.key,
      sha256: s.sha256,
      size_bytes: s.sizeBytes,
      duration_ms: ms,
    });
    const [recording] = await trx('recording')
      .insert(recordingRow('voicemail', stored, check.durationMs ?? 0))
      .returning('id');
    // One insert per part, in order: the parts are read back in id order.
    for (const [i, s] of storedParts.entries())
      await trx('recording').insert(recordingRow(VOICEMAIL_PART, s, partChecks[i]!.durationMs ?? 0));
    const [row] = await trx('voicemail')
      .insert({
        ...base,
        status: 'recorded',
        recording_id: recording.id,
        size_bytes: stored.sizeBytes + storedParts.reduce((n, s) => n + s.sizeBytes, 0),
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
