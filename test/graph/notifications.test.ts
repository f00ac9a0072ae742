import { describe, expect, it } from 'vitest';
import { parseCommsNotifications } from '../../src/graph/notifications.js';

const envelope = (...value: unknown[]) => ({ '@odata.type': '#microsoft.graph.commsNotifications', value });

describe('Graph calling notifications', () => {
  it('reads an incoming call to a resource account from a phone', () => {
    const r = parseCommsNotifications(
      envelope({
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'created',
        resource: '/app/calls/421f0000-0000-4000-8000-000000000001',
        resourceUrl: '/communications/calls/421f0000-0000-4000-8000-000000000001',
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          state: 'incoming',
          direction: 'incoming',
          tenantId: 'tenant-1',
          source: { identity: { phone: { '@odata.type': '#microsoft.graph.identity', id: '+14255550100' } } },
          targets: [{ identity: { applicationInstance: { id: 'ra-support', displayName: 'Support' } } }],
        },
      }),
      '2026-11-28T10:00:00.000Z',
    );
    expect(r).toEqual({
      ok: true,
      items: [
        {
          kind: 'incoming',
          call: {
            callId: '421f0000-0000-4000-8000-000000000001',
            tenantId: 'tenant-1',
            from: { kind: 'phone', id: '+14255550100' },
            to: { applicationInstanceId: 'ra-support' },
            receivedAt: '2026-11-28T10:00:00.000Z',
          },
          payload: expect.any(Object),
        },
      ],
    });
  });

  it('survives real-world quirks: PascalCase states, string codes, subCode, the legacy resource only', () => {
    const r = parseCommsNotifications(
      envelope({
        changeType: 'Deleted',
        resource: '/app/calls/c1',
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          state: 'Terminated',
          resultInfo: { code: '200', subCode: '5002' },
        },
      }),
    );
    expect(r.ok && r.items[0]).toMatchObject({
      kind: 'notification',
      notification: { kind: 'state', callId: 'c1', state: 'terminated', resultInfo: { code: 200, subcode: 5002 } },
    });
  });

  it('reads an operation completion and a single-item resourceData array', () => {
    const r = parseCommsNotifications(
      envelope({
        changeType: 'deleted',
        resourceUrl: '/communications/calls/c1/operations/op-9',
        resourceData: [
          {
            '@odata.type': '#microsoft.graph.playPromptOperation',
            status: 'Completed',
            completionReason: 'CompletedSuccessfully',
            clientContext: 'greeting',
            resultInfo: { code: 200, subcode: 0 },
          },
        ],
      }),
    );
    expect(r.ok && r.items[0]).toMatchObject({
      kind: 'notification',
      notification: {
        kind: 'operation',
        callId: 'c1',
        operationId: 'op-9',
        operationType: 'playPrompt',
        status: 'completed',
        completionReason: 'completedSuccessfully',
        clientContext: 'greeting',
      },
    });
  });

  it('reads DTMF tones and roster updates', () => {
    const r = parseCommsNotifications(
      envelope(
        {
          changeType: 'updated',
          resourceUrl: '/communications/calls/c1',
          resourceData: {
            '@odata.type': '#microsoft.graph.call',
            state: 'established',
            toneInfo: { sequenceId: '3', tone: 'tone5' },
          },
        },
        {
          changeType: 'updated',
          resourceUrl: '/communications/calls/c1/participants',
          resourceData: [
            { '@odata.type': '#microsoft.graph.participant' },
            { '@odata.type': '#microsoft.graph.participant' },
          ],
        },
      ),
    );
    expect(r.ok && r.items.map((i) => (i.kind === 'notification' ? i.notification.kind : i.kind))).toEqual([
      'tone',
      'participants',
    ]);
    expect(r.ok && r.items[0]).toMatchObject({ notification: { tone: 'tone5', sequenceId: 3 } });
  });

  it('refuses bodies that are not notifications, with a reason', () => {
    expect(parseCommsNotifications('x')).toMatchObject({
      ok: false,
      legacy: false,
      error: 'body must be a JSON object',
    });
    expect(parseCommsNotifications({ value: [] })).toMatchObject({ ok: false, error: 'value[] is empty' });
    expect(parseCommsNotifications({ value: new Array(101).fill({}) })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/at most 100/),
    });
    expect(
      parseCommsNotifications({ '@odata.type': '#microsoft.graph.changeNotificationCollection', value: [{}] }),
    ).toMatchObject({ ok: false });
    expect(parseCommsNotifications({ id: 'c1', callState: 'Incoming' })).toEqual({ ok: false, legacy: true });
  });

  it('ignores, with a reason, items that name no call or carry an unknown type', () => {
    const r = parseCommsNotifications(
      envelope(
        { changeType: 'updated', resourceUrl: '/users/u1', resourceData: {} },
        {
          changeType: 'updated',
          resourceUrl: '/communications/calls/c1',
          resourceData: { '@odata.type': '#microsoft.graph.somethingNew', state: 'x' },
        },
        {
          changeType: 'updated',
          resourceUrl: '/communications/calls/c1',
          resourceData: { '@odata.type': '#microsoft.graph.call', state: 'dancing' },
        },
      ),
    );
    expect(r.ok && r.items.map((i) => i.kind)).toEqual(['ignored', 'ignored', 'ignored']);
  });
});
