import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CallNotification } from '../contracts/graph-call.js';

/**
 * Recording access tokens never enter a Temporal history (issue 22, point 1). Graph's recordOperation notification
 * carries `recordingAccessToken`, the bearer token that downloads the caller's message from `recordingLocation`
 * (recordoperation.md). The webhook keeps it in Postgres (table recording_token, keyed by a hash of the location) and
 * hands the call workflow the notification without it; the voicemail activity, which gets the location from the
 * workflow, takes the token from the table and deletes it once the message is stored or lost for good. Tokens nobody
 * took (a workflow that never asked) are deleted a day later: whenever a new one is kept, and by the daily retention
 * run (src/recordings/retention.ts) on a quiet line where none is.
 */

/** A token is a secret to the caller's message: none is kept longer than this, taken or not. */
export const RECORDING_TOKEN_MAX_AGE_MS = 86_400_000;

const STALE_AFTER = `interval '${RECORDING_TOKEN_MAX_AGE_MS / 1000} seconds'`;

const hashOf = (location: string) => createHash('sha256').update(location).digest('hex');

export class RecordingTokens {
  constructor(private readonly orm: MikroORM) {}

  async keep(callId: string, location: string, token: string): Promise<void> {
    const knex = this.orm.em.getKnex();
    await knex('recording_token')
      .where('created_at', '<', knex.raw(`now() - ${STALE_AFTER}`))
      .delete();
    await knex('recording_token')
      .insert({ location_hash: hashOf(location), call_id: callId, token })
      .onConflict('location_hash')
      .merge(['token', 'created_at']);
  }

  async take(location: string): Promise<string | undefined> {
    const row = (await this.orm.em
      .getKnex()('recording_token')
      .where('location_hash', hashOf(location))
      .first('token')) as { token: string } | undefined;
    return row?.token;
  }

  async forget(location: string): Promise<void> {
    await this.orm.em.getKnex()('recording_token').where('location_hash', hashOf(location)).delete();
  }

  /**
   * The notification as the workflow may see it: a recordOperation's token kept here and left out of its payload.
   * Anything else, and an operation without a token (still recording, or failed), goes through unchanged.
   */
  async withoutToken(n: CallNotification): Promise<CallNotification> {
    if (n.kind !== 'operation' || typeof n.payload !== 'object' || n.payload === null) return n;
    const payload = n.payload as Record<string, unknown>;
    const token = payload['recordingAccessToken'];
    if (typeof token !== 'string' || token === '') return n;
    const location = payload['recordingLocation'];
    if (typeof location === 'string' && location !== '') await this.keep(n.callId, location, token);
    const { recordingAccessToken: _token, ...rest } = payload;
    return { ...n, payload: rest };
  }
}
