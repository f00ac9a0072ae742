/**
 * Voicemail boxes through the admin API and the CLI: the boxes of flows/voicemail-boxes.ts with message counts, a
 * box's messages a page at a time with signed recording links (each download audited), and refusals.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { ADELE_ID, ADMIN, AGENT, SUPERVISOR, adminApiForFile } from '../helpers/admin-api.js';

const api = adminApiForFile();
const { call, token, serve, cli } = api;

describe('voicemail boxes', () => {
  let recordingsBase: string;
  let recordingId: string;

  beforeAll(async () => {
    const store = new FolderRecordingStore(path.join(api.dataDir, 'admin-recordings'));
    const stored = await store.put(Buffer.from('RIFF-not-really-audio'));
    const knex = api.orm.em.getKnex();
    const [rec] = await knex('recording')
      .insert({
        call_id: 'vm-1',
        kind: 'voicemail',
        storage_key: stored.key,
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        duration_ms: 4000,
      })
      .returning('id');
    recordingId = String(rec.id);
    await knex('voicemail').insert([
      {
        call_id: 'vm-1',
        box: 'support',
        from_id: '+14255550100',
        recorded_at: new Date('2026-11-28T10:00:00Z'),
        duration_seconds: 4,
        status: 'recorded',
        recording_id: recordingId,
      },
      {
        call_id: 'vm-2',
        box: 'support',
        from_id: "'; drop table voicemail; --",
        recorded_at: new Date('2026-11-28T11:00:00Z'),
        duration_seconds: 0,
        status: 'failed',
      },
      {
        call_id: 'vm-3',
        box: 'sales',
        from_id: '+14255550123',
        recorded_at: new Date('2026-11-28T12:00:00Z'),
        duration_seconds: 2,
        status: 'empty',
        handled_at: new Date(),
      },
    ]);
    recordingsBase = await serve({
      recordings: {
        store,
        signingKey: Buffer.from('0123456789abcdef0123456789abcdef'),
        linkTtlSeconds: 60,
        publicUrl: 'https://switchboard.test',
      },
    });
  });

  it('lists the boxes of flows/voicemail-boxes.ts with message counts', async () => {
    const res = await call('GET', '/api/admin/voicemail-boxes', { token: await token(SUPERVISOR) });
    expect(res.status).toBe(200);
    expect(res.json.items).toEqual([
      {
        name: 'after-hours',
        displayName: 'After-hours messages',
        maxSeconds: 120,
        notify: { teamsUserIds: [ADELE_ID], webhook: false },
        messages: 0,
        unhandled: 0,
      },
      expect.objectContaining({ name: 'sales', messages: 1, unhandled: 0 }),
      expect.objectContaining({ name: 'support', messages: 2, unhandled: 2 }),
    ]);
    expect((await call('GET', '/api/admin/voicemail-boxes', { token: await token(AGENT) })).status).toBe(403);
  });

  it("pages a box's messages newest first, each recording with a signed link that downloads once audited", async () => {
    const t = await token(SUPERVISOR);
    const accessBefore = Number(
      (await api.orm.em.getConnection().execute('select count(*)::int as n from recording_access'))[0]!.n,
    );
    const first = await call('GET', '/api/admin/voicemail-boxes/support/messages?limit=1', {
      token: t,
      base: recordingsBase,
    });
    expect(first.status).toBe(200);
    expect(first.json.items).toEqual([
      expect.objectContaining({
        callId: 'vm-2',
        fromId: "'; drop table voicemail; --",
        status: 'failed',
        recording: null,
      }),
    ]);
    const second = await call(
      'GET',
      `/api/admin/voicemail-boxes/support/messages?limit=1&cursor=${first.json.nextCursor}`,
      { token: t, base: recordingsBase },
    );
    expect(second.json.nextCursor).toBeNull();
    const [message] = second.json.items;
    expect(message).toMatchObject({
      callId: 'vm-1',
      durationSeconds: 4,
      recording: {
        id: recordingId,
        url: expect.stringMatching(`^https://switchboard.test/api/recordings/${recordingId}\\?exp=`),
      },
    });
    const link = new URL(message.recording.url);
    const download = await fetch(`${recordingsBase}${link.pathname}${link.search}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('RIFF-not-really-audio');
    const access = await api.orm.em
      .getConnection()
      .execute('select action, actor_id from recording_access order by id desc limit 2');
    expect(access).toEqual([
      { action: 'download', actor_id: SUPERVISOR.oid },
      { action: 'link', actor_id: SUPERVISOR.oid },
    ]);
    expect(
      Number((await api.orm.em.getConnection().execute('select count(*)::int as n from recording_access'))[0]!.n),
    ).toBe(accessBefore + 2);
  });

  it('refuses unknown boxes, bad cursors and agents', async () => {
    const t = await token(ADMIN);
    expect((await call('GET', '/api/admin/voicemail-boxes/nobody/messages', { token: t })).status).toBe(404);
    expect(
      (await call('GET', `/api/admin/voicemail-boxes/${encodeURIComponent("' or 1=1 --")}/messages`, { token: t }))
        .status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/admin/voicemail-boxes/support/messages?cursor=WyJ4IiwieSJd', { token: t })).status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/admin/voicemail-boxes/support/messages', { token: await token(AGENT) })).status,
    ).toBe(403);
  });

  it('lists messages from the CLI with --json (its table: admin-cli-records.test.ts)', async () => {
    const r = await cli(['voicemails', 'sales', '--json'], await token(SUPERVISOR));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.map((m: { callId: string }) => m.callId)).toEqual(['vm-3']);
  });
});
