/**
 * Conformance: every request the app sent to a Graph emulator during this vitest run (recorded by the emulators
 * into the JSONL file test/conformance/global-setup.ts names) matches the documented request schema of its
 * operation. This file runs last (test/conformance/sequencer.ts); the global teardown repeats the check over the
 * complete log. Here it also drives every CallControl operation once, so each schema is exercised on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, conformanceFailures, sentByAppClient } from '../helpers/graph-request-schemas.js';
import { LOG_ENV, readLog } from '../conformance/global-setup.js';
import { TENANT, isOperation, isState, startRig, type EmulatorRig } from '../helpers/bot-receiver.js';
import { makeToneWav } from '../../src/media/wav.js';

let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('the schema checker', () => {
  const answer = (body: unknown) => ({
    method: 'POST',
    path: '/v1.0/communications/calls/c1/answer',
    body,
    clientRequestId: '2d9ba0af-4455-4120-9b93-562d0e7b4718',
  });
  const good = {
    callbackUri: 'https://bot.example/api/calling',
    acceptedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
  };

  it('accepts a documented request and names what is wrong with others', () => {
    expect(checkRequest(answer(good))).toBeUndefined();
    expect(checkRequest(answer({ ...good, surprise: 1 }))).toMatch(/answer .*Unrecognized key/);
    expect(checkRequest(answer({ ...good, acceptedModalities: ['smell'] }))).toMatch(/acceptedModalities/);
    expect(checkRequest(answer({ callbackUri: good.callbackUri, mediaConfig: good.mediaConfig }))).toMatch(
      /acceptedModalities/,
    );
    expect(
      checkRequest({
        method: 'POST',
        path: '/v1.0/communications/calls/c/redirect',
        body: { targets: [{ identity: { user: { id: 'u' } } }], timeout: 10 },
      }),
    ).toMatch(/timeout/);
    expect(
      checkRequest({
        method: 'POST',
        path: '/v1.0/communications/getPresencesByUserId',
        body: { ids: Array(651).fill('u') },
      }),
    ).toMatch(/ids/);
    expect(checkRequest({ method: 'POST', path: '/v1.0/communications/calls/c/unmute', body: {} })).toMatch(
      /not a documented operation/,
    );
  });

  it('knows sendActivityNotification: a text topic needs webUrl, activityType is required', () => {
    const notify = (body: unknown) => ({
      method: 'POST',
      path: '/v1.0/users/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f/teamwork/sendActivityNotification',
      body,
    });
    const ok = {
      topic: {
        source: 'text',
        value: 'Sales voicemail',
        webUrl: 'https://switchboard.example.com/api/admin/voicemail-boxes/sales/messages',
      },
      activityType: 'voicemailReceived',
      previewText: { content: 'New voicemail' },
      templateParameters: [{ name: 'from', value: '+14255550140' }],
    };
    expect(checkRequest(notify(ok))).toBeUndefined();
    expect(checkRequest(notify({ ...ok, topic: { source: 'text', value: 'Sales voicemail' } }))).toMatch(/webUrl/);
    expect(checkRequest(notify({ topic: ok.topic, previewText: ok.previewText }))).toMatch(/activityType/);
    expect(checkRequest(notify({ ...ok, templateParameters: [{ key: 'from', value: 'x' }] }))).toMatch(
      /templateParameters/,
    );
  });

  it('only judges requests sent through the app Graph client', () => {
    const bad = answer({ nope: true });
    expect(conformanceFailures([bad])).toHaveLength(1);
    expect(conformanceFailures([{ ...bad, clientRequestId: 'test-client-request-id' }])).toEqual([]);
    expect(conformanceFailures([{ method: bad.method, path: bad.path, body: bad.body }])).toEqual([]);
  });
});

describe('every operation CallControl sends', () => {
  it('conforms, for a call that uses them all', async () => {
    rig.emulator.setAgent('conf-agent', { onTransfer: 'accept', answerAfterMs: 20, talkMs: 200 });
    rig.emulator.setCallee('+14255550177', { onCall: 'answer', answerAfterMs: 20 });
    const prompt = rig.receiver.prompt('conf.wav', makeToneWav({ seconds: 0.2 }));
    const callId = await rig.establishedCall({ speechMs: 3000 });
    await rig.calls.subscribeToTone(callId, 'tones');
    const play = await rig.calls.playPrompt(callId, { promptUris: [prompt], clientContext: 'p' });
    await rig.receiver.waitFor(isOperation(callId, play.operationId), 'prompt done');
    const rec = await rig.calls.recordResponse(callId, {
      clientContext: 'r',
      promptUri: prompt,
      maxRecordDurationInSeconds: 1,
      stopTones: ['#'],
    });
    await rig.receiver.waitFor(isOperation(callId, rec.operationId), 'record done');
    await rig.calls.cancelMediaProcessing(callId, 'c');
    const inv = await rig.calls.invite(callId, { participants: [{ userId: 'conf-agent' }], clientContext: 'i' });
    await rig.receiver.waitFor(isOperation(callId, inv.operationId), 'invite done');
    await rig.calls.getPresencesByUserId(['conf-agent']);
    await rig.calls.getCall(callId);
    await rig.calls.transfer(callId, { target: { userId: 'conf-agent' }, clientContext: 't' });
    await rig.receiver.waitFor(isState(callId, 'established'), 'back or on');

    const { callId: toReject } = await rig.emulator.placeCall({ from: { phone: '+14255550178' } });
    await rig.receiver.waitFor(isState(toReject, 'incoming'), 'incoming');
    await rig.calls.reject(toReject, { reason: 'busy' });
    const { callId: toRedirect } = await rig.emulator.placeCall({ from: { phone: '+14255550179' } });
    await rig.receiver.waitFor(isState(toRedirect, 'incoming'), 'incoming');
    await rig.calls.redirect(toRedirect, {
      targets: [{ userId: 'conf-agent' }, { phone: '+14255550177' }],
      timeoutSeconds: 20,
    });
    const out = await rig.calls.createCall({
      target: { phone: '+14255550177' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-conf',
    });
    await rig.receiver.waitFor(isState(out.id, 'established'), 'outbound established');
    await rig.calls.hangUp(out.id);

    const mine = rig.emulator.requests.filter((r) => r.path.startsWith('/v1.0/'));
    const operations = new Set(
      mine.map(
        (r) =>
          `${r.method} ${r.path.replace(/\/calls\/[^/]+/, '/calls/{id}').replace(/\/operations\/[^/]+/, '/operations/{id}')}`,
      ),
    );
    expect([...operations].sort()).toEqual(
      [
        'DELETE /v1.0/communications/calls/{id}',
        'GET /v1.0/communications/calls/{id}',
        'POST /v1.0/communications/calls',
        'POST /v1.0/communications/calls/{id}/answer',
        'POST /v1.0/communications/calls/{id}/cancelMediaProcessing',
        'POST /v1.0/communications/calls/{id}/participants/invite',
        'POST /v1.0/communications/calls/{id}/playPrompt',
        'POST /v1.0/communications/calls/{id}/recordResponse',
        'POST /v1.0/communications/calls/{id}/redirect',
        'POST /v1.0/communications/calls/{id}/reject',
        'POST /v1.0/communications/calls/{id}/subscribeToTone',
        'POST /v1.0/communications/calls/{id}/transfer',
        'POST /v1.0/communications/getPresencesByUserId',
      ].sort(),
    );
    expect(mine.map((r) => checkRequest(r)).filter(Boolean)).toEqual([]);
  });
});

describe('the whole run', () => {
  it('every request the app sent to an emulator in every test file so far matches its documented schema', () => {
    const file = process.env[LOG_ENV];
    expect(file, `${LOG_ENV} is set by the vitest globalSetup`).toBeTruthy();
    const lines = readLog(file!);
    // This file's own requests through the app's Graph client are all in the log.
    const logged = new Set(lines.filter(sentByAppClient).map((l) => l.clientRequestId));
    const own = rig.emulator.requests.filter(sentByAppClient);
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((r) => !logged.has(r.clientRequestId))).toEqual([]);
    expect(conformanceFailures(lines)).toEqual([]);
  });
});
