/**
 * Transfer to a phone number, as call-transfer.md documents it: "Transfer to PSTN number is supported only for
 * application instance" (the note at the top of api-reference/v1.0/api/call-transfer.md; Examples 3 and 4 need "an
 * application instance with a PSTN number assigned"). The emulator carries it out for a call that came in through a
 * resource account, and refuses it with 400 for a call to the bot itself. (Graph does not document the form of its
 * refusal; a 400 before anything happens is the emulator's.)
 */
import { describe, expect, it } from 'vitest';
import { GraphRequestError } from '../../src/graph/errors.js';
import { TENANT, isState, rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

describe('transfer to a phone number', () => {
  it('from a call through a resource account: transferring, transferAccepted, terminated 0/7015', async () => {
    const callId = await rig.establishedCall({ from: { phone: '+14255550170' }, applicationInstanceId: 'ra-line' });
    await rig.calls.transfer(callId, { target: { phone: '+14255550199' }, clientContext: 'overflow' });
    await rig.receiver.waitFor(isState(callId, 'transferAccepted'), 'transferAccepted');
    const ended = await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 0, subcode: 7015 });
    expect(rig.emulator.getCall(callId)?.transfer).toMatchObject({ target: { phone: '+14255550199' } });
  });

  it('from a call to the bot itself: 400, and the call stays as it was', async () => {
    const callId = await rig.establishedCall({ from: { phone: '+14255550171' } });
    const err = await rig.calls
      .transfer(callId, { target: { phone: '+14255550199' }, clientContext: 'overflow' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect((err as Error).message).toMatch(/application instance/);
    expect(rig.emulator.getCall(callId)).toMatchObject({ state: 'established' });
    // A Teams user is still a transfer target for it.
    rig.emulator.setAgent('transfer-target-user', { onTransfer: 'accept', answerAfterMs: 20 });
    await rig.calls.transfer(callId, { target: { userId: 'transfer-target-user' }, clientContext: 'to-user' });
    await rig.receiver.waitFor(isState(callId, 'terminated'), 'terminated');
  });

  it('from a call the bot placed from a resource account', async () => {
    rig.emulator.setCallee('+14255550172', { onCall: 'answer', answerAfterMs: 20 });
    const created = await rig.calls.createCall({
      target: { phone: '+14255550172' },
      callbackUri: rig.receiver.callbackUri,
      tenantId: TENANT,
      applicationInstanceId: 'ra-line',
    });
    await rig.receiver.waitFor(isState(created.id, 'established'), 'established');
    // Another number: the first transfer's target is still talking to its caller.
    await rig.calls.transfer(created.id, { target: { phone: '+14255550198' } });
    const ended = await rig.receiver.waitFor(isState(created.id, 'terminated'), 'terminated');
    expect(ended.item.resourceData.resultInfo).toMatchObject({ code: 0, subcode: 7015 });
  });
});
