/**
 * GET /api/admin/voicemail-boxes/{box}/messages: a box's messages, newest first, each with a signed, time-limited
 * link to its audio (audited). A message whose segments could not be joined into one recording (WMA, M4A: see
 * src/recordings/segments.ts) lists its later parts too, in order, each served as what its bytes are.
 */
import { VOICEMAIL_PART } from '../recordings/segments.js';
import { signRecordingLink } from '../recordings/signed-url.js';
import { decodeCursor, encodeCursor, HttpError } from './common.js';
import type { Handler } from './handler.js';

interface VoicemailRow {
  id: string | number;
  call_id: string | null;
  from_id: string | null;
  from_name: string | null;
  recorded_at: Date;
  duration_seconds: number | string;
  status: string;
  handled_at: Date | null;
  handled_by: string | null;
  recording_id: string | number | null;
}

export const listVoicemails: Handler = async ({ params, query }, { caller, em, recordings, catalog }) => {
  const box = String(params.box);
  if (!Object.hasOwn(catalog.voicemailBoxes, box)) throw new HttpError(404, 'NotFound', 'no such voicemail box');
  const q = query as { limit: number; cursor?: string };
  const knex = em.getKnex();
  const sel = knex('voicemail').where('box', box);
  const after = decodeCursor(q.cursor);
  if (after) {
    const at = new Date(String(after[0]));
    const id = String(after[1]);
    if (Number.isNaN(at.getTime()) || !/^\d{1,18}$/.test(id))
      throw new HttpError(400, 'ValidationError', 'cursor: not a cursor from a previous page');
    sel.andWhere((w) => {
      w.where('recorded_at', '<', at).orWhere((w2) => {
        w2.where('recorded_at', at).andWhere('id', '<', id);
      });
    });
  }
  const rows = (await sel
    .orderBy([
      { column: 'recorded_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)
    .select(
      'id',
      'call_id',
      'from_id',
      'from_name',
      'recorded_at',
      'duration_seconds',
      'status',
      'handled_at',
      'handled_by',
      'recording_id',
    )) as VoicemailRow[];
  const items = rows.slice(0, q.limit);
  const expiresAt = recordings ? new Date(Date.now() + recordings.linkTtlSeconds * 1000) : undefined;
  const linked = items.filter((r) => r.recording_id !== null);
  const partsOf = new Map<string, string[]>();
  const callIds = linked.map((r) => r.call_id).filter((c): c is string => c !== null);
  if (recordings && callIds.length > 0) {
    const parts = (await knex('recording')
      .whereIn('call_id', callIds)
      .andWhere('kind', VOICEMAIL_PART)
      .orderBy('id')
      .select('id', 'call_id')) as { id: string | number; call_id: string }[];
    for (const p of parts) partsOf.set(p.call_id, [...(partsOf.get(p.call_id) ?? []), String(p.id)]);
  }
  const recordingIds = linked.flatMap((r) => [String(r.recording_id), ...(partsOf.get(r.call_id ?? '') ?? [])]);
  if (recordings && recordingIds.length > 0) {
    // Every link handed out is recorded, like the single-recording link route.
    await knex('recording_access').insert(
      recordingIds.map((id) => ({
        recording_id: id,
        action: 'link',
        actor_id: caller.objectId,
        actor_name: caller.name,
        ip: caller.ip,
      })),
    );
  }
  const link = (id: string) =>
    `${recordings!.publicUrl}/api/recordings/${id}?${signRecordingLink(recordings!.signingKey, id, expiresAt!, caller.objectId)}`;
  const last = items.at(-1);
  return {
    items: items.map((r) => ({
      id: String(r.id),
      callId: r.call_id,
      fromId: r.from_id,
      fromName: r.from_name,
      recordedAt: new Date(r.recorded_at).toISOString(),
      durationSeconds: Number(r.duration_seconds),
      status: r.status,
      handledAt: r.handled_at ? new Date(r.handled_at).toISOString() : null,
      handledBy: r.handled_by,
      recording:
        recordings && expiresAt && r.recording_id !== null
          ? {
              id: String(r.recording_id),
              url: link(String(r.recording_id)),
              expiresAt: expiresAt.toISOString(),
              parts: (partsOf.get(r.call_id ?? '') ?? []).map((id) => ({ id, url: link(id) })),
            }
          : null,
    })),
    nextCursor:
      rows.length > q.limit && last ? encodeCursor([new Date(last.recorded_at).toISOString(), String(last.id)]) : null,
  };
};
