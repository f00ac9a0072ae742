/**
 * A call's state from GET /communications/calls/{id} is read like a notification's (issue 21, point 6): Graph spells
 * enum values in PascalCase in real captures (e.g. `"state": "Terminated"` in MicrosoftDocs/msteams-docs#9159), and a
 * GET's answer is the same #microsoft.graph.call resource (api-reference/v1.0/api/call-get.md). The emulator's
 * pascalCaseEnums quirk spells its GET answers that way too; the getCallState activity gives the workflow
 * `established`, as the webhook would.
 */
import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGraphActivities } from '../../activities/graph.js';
import { normaliseCallState } from '../../src/graph/notifications.js';
import { rigForFile } from '../helpers/bot-receiver.js';

const rig = rigForFile();

describe('call state from a GET', () => {
  it('PascalCase from Graph reaches the workflow as the notification state would', async () => {
    const { callId } = await rig.emulator.placeCall({
      from: { phone: '+14255550160' },
      quirks: { pascalCaseEnums: true, stringCodes: true },
    });
    await rig.receiver.waitFor((r) => r.item.resourceData?.['state'] === 'Incoming', 'incoming');
    await rig.calls.answer(callId, { callbackUri: rig.receiver.callbackUri });
    await rig.receiver.waitFor(
      (r) => r.item.resourceUrl.endsWith(callId) && r.item.resourceData?.['state'] === 'Established',
      'Established',
    );
    const raw = await rig.raw('GET', `/communications/calls/${callId}`);
    expect(raw.json.state).toBe('Established');

    const activities = createGraphActivities(async () => rig.calls);
    const env = new MockActivityEnvironment();
    expect(await env.run(activities.getCallState, { callId })).toEqual({ state: 'established' });

    await rig.calls.hangUp(callId);
    await rig.receiver.waitFor(
      (r) => r.item.resourceUrl.endsWith(callId) && r.item.resourceData?.['state'] === 'Terminated',
      'Terminated',
    );
    expect(await env.run(activities.getCallState, { callId })).toEqual({ state: 'gone' });
  });

  it('reads every spelling of a known state, and no unknown one', () => {
    expect(normaliseCallState('TransferAccepted')).toBe('transferAccepted');
    expect(normaliseCallState('established')).toBe('established');
    expect(normaliseCallState('unknownFutureValue')).toBeUndefined();
    expect(normaliseCallState(undefined)).toBeUndefined();
  });
});
