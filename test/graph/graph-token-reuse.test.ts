/**
 * The Graph client reuses MSAL's token without asking MSAL again for every request (issue 25: MSAL's cache lookup was
 * a measurable share of the worker's CPU per call), until MSAL would refresh it or it nears expiry.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphClientOn, startRig, type EmulatorRig } from '../helpers/bot-receiver.js';
import { CallControl } from '../../src/graph/call-control.js';
import { TOKEN_REUSE_MARGIN_MS } from '../../src/graph/client.js';

let rig: EmulatorRig;

beforeAll(async () => {
  rig = await startRig({ mediaSpeed: 50 });
});

afterAll(async () => {
  await rig?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("the Graph client's token", () => {
  it('is asked of MSAL once for many requests, and again once it nears its expiry', async () => {
    const { emulator } = rig;
    const asked = vi.spyOn(ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    const graph = await graphClientOn(emulator);
    const calls = new CallControl(graph);
    const { callId } = await emulator.placeCall({ from: { phone: '+14255550100' } });
    for (let i = 0; i < 5; i++) expect((await calls.getCall(callId)).state).toBe('incoming');
    expect(asked).toHaveBeenCalledTimes(1);
    const first = await graph.getAccessToken();
    expect(asked).toHaveBeenCalledTimes(1);

    // Past the reuse window (the margin before its exp): MSAL is asked again, and its token is sent from then on.
    const exp = decodeJwt(first).exp! * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: exp - TOKEN_REUSE_MARGIN_MS + 1_000 });
    expect((await calls.getCall(callId)).state).toBe('incoming');
    expect(asked).toHaveBeenCalledTimes(2);
    await calls.hangUp(callId);
    expect(asked).toHaveBeenCalledTimes(2);
    const sent = emulator.requests.filter((r) => r.callId === callId).map((r) => `${r.method} ${r.status}`);
    expect(sent).toEqual([...Array<string>(6).fill('GET 200'), 'DELETE 204']);
  });

  it('is not remembered when MSAL fails: the next request asks again', async () => {
    const { emulator } = rig;
    const asked = vi.spyOn(ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    const graph = await graphClientOn(emulator, 'wrong-secret');
    await expect(graph.getAccessToken()).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(graph.getAccessToken()).rejects.toMatchObject({ code: 'invalid_client' });
    expect(asked).toHaveBeenCalledTimes(2);
  });
});
