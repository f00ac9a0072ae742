/**
 * Issue 26, point 1: the Graph emulator checks phone identities with libphonenumber-js. Graph's pages ask for E.164
 * (call-transfer.md and application-post-calls.md: `identity.phone.id`, e.g. +12345678901), so a US, a UK, a French and
 * a German number in E.164 are taken, and a number without its '+', in national format, with a country code that does
 * not exist or too short for its country is a 400.
 */
import { describe, expect, it } from 'vitest';
import { TENANT, isState, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

const E164 = ['+14255550100', '+442079460958', '+33142685300', '+493012345678'];
const NOT_E164 = ['14255550100', '020 7946 0958', '+9991234567', '+4420', '+1 425 555 0100'];

function placeCallTo(phone: string) {
  return rig.raw('POST', '/communications/calls', {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: rig.receiver.callbackUri,
    source: { identity: { applicationInstance: { id: 'ra-1', tenantId: TENANT } } },
    targets: [{ identity: { phone: { id: phone } } }],
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    tenantId: TENANT,
  });
}

describe('the emulator’s phone identities (application-post-calls.md, call-transfer.md)', () => {
  it.each(E164)('places a call to %s from a resource account', async (phone) => {
    rig.emulator.setCallee(phone, { onCall: 'never' });
    const r = await placeCallTo(phone);
    expect(r.status).toBe(201);
    await rig.calls.hangUp(r.json.id as string);
  });

  it.each(NOT_E164)('refuses a call to %j with a 400 naming the property', async (phone) => {
    const r = await placeCallTo(phone);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('identity.phone.id');
    expect(r.json.error.message).toContain('E.164');
  });

  it('refuses a transfer to a number that is not E.164, and takes one that is', async () => {
    const callId = await rig.establishedCall({ applicationInstanceId: 'ra-1' });
    const bad = await rig.raw('POST', `/communications/calls/${callId}/transfer`, {
      transferTarget: { endpointType: 'default', identity: { phone: { id: '+4420' } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('transferTarget.identity.phone.id');
    rig.emulator.setCallee('+442079460958', { onCall: 'answer', answerAfterMs: 20 });
    const good = await rig.raw('POST', `/communications/calls/${callId}/transfer`, {
      transferTarget: { endpointType: 'default', identity: { phone: { id: '+442079460958' } } },
    });
    expect(good.status).toBe(202);
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'the transferred call ends for the bot');
  });

  it('its control API takes a caller from a UK, French or German number, and refuses a national one', async () => {
    for (const phone of E164) {
      const { callId } = await rig.emulator.placeCall({ from: { phone } });
      await rig.receiver.waitFor(isState(callId, 'incoming'), 'incoming');
    }
    await expect(rig.emulator.placeCall({ from: { phone: '02079460958' } })).rejects.toThrow(/E\.164/);
  });
});
