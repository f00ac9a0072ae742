/**
 * Teams activity feed notifications: the emulator's POST /users/{id}/teamwork/sendActivityNotification (204 and
 * recorded; 400 for a body missing what the docs require; 404 for a user the tenant doesn't have; 401 without a
 * token), the app's ActivityFeed client over it, and notifyVoicemail sending one notification per Teams user.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVoicemailActivities } from '../../activities/voicemail.js';
import { voicemailBoxes } from '../../flows/voicemail-boxes.js';
import {
  ActivityFeed,
  VOICEMAIL_ACTIVITY_TYPE,
  formatDuration,
  voicemailNotification,
} from '../../src/graph/activity-feed.js';
import { GraphRequestError } from '../../src/graph/errors.js';
import { FolderRecordingStore } from '../../src/recordings/store.js';
import { checkRequest } from '../helpers/graph-request-schemas.js';
import { startRig, type EmulatorRig } from '../helpers/bot-receiver.js';

const ANA = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const BEN = '6e7b1c2a-5d4f-4a3b-9c8d-1e2f3a4b5c6d';
const STRANGER = '00000000-0000-4000-8000-000000000bad';

let rig: EmulatorRig;
let feed: ActivityFeed;
beforeAll(async () => {
  rig = await startRig({ users: [ANA, BEN] });
  feed = new ActivityFeed(rig.graph);
});
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => {
  rig.emulator.activityNotifications.length = 0;
  rig.emulator.clearFaults();
});

const valid = {
  topic: {
    source: 'text',
    value: 'Sales voicemail',
    webUrl: 'https://switchboard.example.com/api/admin/voicemail-boxes/sales/messages',
  },
  activityType: 'voicemailReceived',
  previewText: { content: 'New voicemail from +14255550140 (0:12)' },
  templateParameters: [
    { name: 'from', value: '+14255550140' },
    { name: 'box', value: 'Sales voicemail' },
    { name: 'duration', value: '0:12' },
  ],
};
const path = (userId: string) => `/users/${userId}/teamwork/sendActivityNotification`;

describe('the emulator: POST /users/{id}/teamwork/sendActivityNotification', () => {
  it('answers 204 No Content with no body and records the notification', async () => {
    const res = await rig.raw('POST', path(ANA), valid);
    expect(res.status).toBe(204);
    expect(res.json).toBeUndefined();
    expect(rig.emulator.activityNotifications).toEqual([
      {
        at: expect.any(String),
        userId: ANA,
        topic: valid.topic,
        activityType: 'voicemailReceived',
        previewText: valid.previewText,
        templateParameters: valid.templateParameters,
      },
    ]);
  });

  it('refuses a body without activityType, and a text topic without webUrl, with 400 and Graph error JSON', async () => {
    const { activityType: _omitted, ...noType } = valid;
    const missing = await rig.raw('POST', path(ANA), noType);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/activityType/) });

    const noWebUrl = await rig.raw('POST', path(ANA), {
      ...valid,
      topic: { source: 'text', value: 'Sales voicemail' },
    });
    expect(noWebUrl.status).toBe(400);
    expect(noWebUrl.json.error.message).toMatch(/webUrl/);

    const noPreview = await rig.raw('POST', path(ANA), { topic: valid.topic, activityType: 'voicemailReceived' });
    expect(noPreview.status).toBe(400);
    expect(noPreview.json.error.message).toMatch(/previewText/);

    const extra = await rig.raw('POST', path(ANA), { ...valid, recipient: { userId: ANA } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message).toMatch(/recipient/);
    expect(rig.emulator.activityNotifications).toEqual([]);
  });

  it('answers 404 for a user the tenant does not have, and 401 without a token', async () => {
    const unknown = await rig.raw('POST', path(STRANGER), valid);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NotFound');

    const anonymous = await fetch(`${rig.emulator.graphBaseUrl}${path(ANA)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(valid),
    });
    expect(anonymous.status).toBe(401);
    expect(rig.emulator.activityNotifications).toEqual([]);
  });
});

describe('ActivityFeed, the app client', () => {
  it('sends the documented request through the app Graph client', async () => {
    const notification = voicemailNotification({
      box: 'sales',
      boxName: 'Sales voicemail',
      from: '+14255550140',
      durationMs: 75_400,
      webUrl: valid.topic.webUrl,
    });
    await feed.send(ANA, notification);
    expect(rig.emulator.activityNotifications).toHaveLength(1);
    expect(rig.emulator.activityNotifications[0]).toMatchObject({
      userId: ANA,
      activityType: 'voicemailReceived',
      topic: { source: 'text', value: 'Sales voicemail', webUrl: valid.topic.webUrl },
      previewText: { content: 'New voicemail from +14255550140 (1:15)' },
      templateParameters: [
        { name: 'from', value: '+14255550140' },
        { name: 'box', value: 'Sales voicemail' },
        { name: 'duration', value: '1:15' },
      ],
    });
    const sent = rig.emulator.requests.filter((r) => r.path === `/v1.0${path(ANA)}`).at(-1)!;
    expect(sent.status).toBe(204);
    expect(checkRequest(sent)).toBeUndefined();
    expect(formatDuration(0)).toBe('0:00');
  });

  it('throws GraphRequestError: 404 not retryable, 429 retryable with Retry-After', async () => {
    const gone = await feed
      .send(STRANGER, voicemailNotification({ box: 'sales', boxName: 'Sales', webUrl: valid.topic.webUrl }))
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GraphRequestError);
    expect(gone).toMatchObject({
      status: 404,
      code: 'NotFound',
      retryable: false,
      operation: 'sendActivityNotification',
    });

    rig.emulator.injectFault({ action: 'sendActivityNotification', callId: ANA, status: 429, retryAfterSeconds: 3 });
    const throttled = await feed
      .send(ANA, voicemailNotification({ box: 'sales', boxName: 'Sales', webUrl: valid.topic.webUrl }))
      .catch((e: unknown) => e);
    expect(throttled).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 3 });
    expect(rig.emulator.activityNotifications).toEqual([]);
  });
});

describe('notifyVoicemail to Teams users', () => {
  const updates: string[] = [];
  // Only the notified_at update touches the database here.
  const orm = {
    em: {
      getKnex: () => () => ({ where: (_c: string, id: string) => ({ update: async () => void updates.push(id) }) }),
    },
  } as unknown as MikroORM;
  const activities = () =>
    createVoicemailActivities(orm, new FolderRecordingStore('/nonexistent'), {
      boxes: voicemailBoxes,
      activityFeed: async () => feed,
      voicemailWebUrl: (box) => `https://switchboard.example.com/api/admin/voicemail-boxes/${box}/messages`,
    });
  const input = {
    voicemailId: 'vm-1',
    box: 'sales',
    from: '+14255550140',
    durationMs: 12_000,
    status: 'recorded',
    teamsUserIds: [ANA, BEN, STRANGER],
  };

  beforeEach(() => {
    updates.length = 0;
  });

  it('notifies each user once; a user Graph refuses is reported without failing the others', async () => {
    const result = await new MockActivityEnvironment().run(activities().notifyVoicemail, input);
    expect(result).toEqual({
      channels: ['teams'],
      teams: { notified: [ANA, BEN], refused: [{ userId: STRANGER, status: 404, code: 'NotFound' }] },
    });
    expect(rig.emulator.activityNotifications.map((n) => [n.userId, n.templateParameters])).toEqual(
      [ANA, BEN].map((u) => [
        u,
        [
          { name: 'from', value: '+14255550140' },
          { name: 'box', value: 'Sales voicemail' },
          { name: 'duration', value: '0:12' },
        ],
      ]),
    );
    expect(updates).toEqual(['vm-1']);
  });

  it('on a retry after throttling, notifies only the users the failed attempt did not reach', async () => {
    rig.emulator.injectFault({ action: 'sendActivityNotification', callId: BEN, status: 429, retryAfterSeconds: 1 });
    const first = new MockActivityEnvironment({ attempt: 1 });
    let progress: unknown;
    first.on('heartbeat', (d: unknown) => (progress = d));
    await expect(first.run(activities().notifyVoicemail, { ...input, teamsUserIds: [ANA, BEN] })).rejects.toMatchObject(
      { status: 429 },
    );
    expect(rig.emulator.activityNotifications.map((n) => n.userId)).toEqual([ANA]);
    expect(updates).toEqual([]);

    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: progress });
    const result = await retry.run(activities().notifyVoicemail, { ...input, teamsUserIds: [ANA, BEN] });
    expect(result).toEqual({ channels: ['teams'], teams: { notified: [ANA, BEN], refused: [] } });
    expect(rig.emulator.activityNotifications.map((n) => n.userId)).toEqual([ANA, BEN]);
    expect(updates).toEqual(['vm-1']);
  });

  it('still tells the Teams users when the webhook refuses the message for good', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(410).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/voicemail`;
      const result = await new MockActivityEnvironment().run(activities().notifyVoicemail, {
        ...input,
        webhookUrl,
        teamsUserIds: [ANA],
      });
      expect(hits).toEqual(['POST /voicemail']);
      expect(result).toEqual({ channels: ['teams'], webhookRefused: 410, teams: { notified: [ANA], refused: [] } });
      // With nobody else to tell, the refusal fails the activity for good, as before.
      await expect(
        new MockActivityEnvironment().run(activities().notifyVoicemail, { ...input, webhookUrl, teamsUserIds: [] }),
      ).rejects.toMatchObject({
        type: 'VoicemailWebhookRefused',
        nonRetryable: true,
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports no channel for a box with neither a webhook nor Teams users', async () => {
    const result = await new MockActivityEnvironment().run(activities().notifyVoicemail, {
      ...input,
      teamsUserIds: [],
    });
    expect(result).toEqual({ channels: [] });
    expect(rig.emulator.activityNotifications).toEqual([]);
    expect(updates).toEqual([]);
  });
});

describe('the Teams app manifest', () => {
  it('declares the voicemail activity type, whose template uses only the parameters the app sends', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../teams/manifest.json', import.meta.url), 'utf8')) as {
      activities?: { activityTypes?: { type: string; description: string; templateText: string }[] };
      webApplicationInfo?: { id: string };
    };
    const declared = manifest.activities?.activityTypes?.find((t) => t.type === VOICEMAIL_ACTIVITY_TYPE);
    expect(declared?.description).toBeTruthy();
    expect(manifest.webApplicationInfo?.id).toBeTruthy();
    const placeholders = [...declared!.templateText.matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .filter((p) => p !== 'actor');
    const sent = voicemailNotification({
      box: 'sales',
      boxName: 'Sales voicemail',
      webUrl: 'https://x.example',
    }).templateParameters!.map((p) => p.name);
    expect(placeholders.sort()).toEqual([...sent].sort());
  });
});
