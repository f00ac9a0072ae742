import { describe, expect, it } from 'vitest';
import { DPO, privacyStoresForFile } from '../helpers/privacy-stores.js';
import { eraseSubject } from '../../src/recordings/privacy.js';
import { parseSubject } from '../../src/privacy/phone.js';

// Erasure reaches the recording access tokens the webhook keeps for the voicemail activity (recording_token,
// src/recordings/recording-tokens.ts; issue 22, points 3 and 4): a token not yet taken opens the person's recorded
// message, and is tied to them by its call. Another caller's tokens stay.
const privacy = privacyStoresForFile('privacy-tokens');
const actor = DPO;
const knex = () => privacy.knex();

/** A call from `fromId` whose message is recorded but not yet downloaded: the webhook kept its token. */
async function callWithPendingMessage(id: string, fromId: string) {
  await privacy.insertCall(id, fromId);
  await knex()('recording_token').insert({ location_hash: `loc-${id}`, call_id: id, token: `secret-${id}` });
}

describe('privacy erase and recording access tokens', () => {
  it("deletes the tokens of the person's calls, and no one else's", async () => {
    await callWithPendingMessage('tok-a-1', '+14255550177');
    await callWithPendingMessage('tok-a-2', '+14255550177');
    await callWithPendingMessage('tok-b-1', '+14255550188');

    const erased = await eraseSubject(privacy.stores, parseSubject('+1 425 555 0177'), actor);

    expect(erased).toMatchObject({ calls: 2, recordingTokens: 2 });
    const left = (await knex()('recording_token').select('call_id')) as { call_id: string }[];
    expect(left.map((t) => t.call_id)).toEqual(['tok-b-1']);
    // The audit row counts what went; it holds no token.
    const row = (await knex()('audit_entry').where('action', 'privacy.erase').orderBy('id', 'desc').first()) as {
      after: unknown;
    };
    expect(JSON.stringify(row.after)).toContain('"recordingTokens":2');
    expect(JSON.stringify(row)).not.toMatch(/secret-tok/);
  });
});
