/** Graph calling notifications as the webhook receives them. */
export function incomingNotification(callId: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'created',
        resourceUrl: `/communications/calls/${callId}`,
        resourceData: {
          '@odata.type': '#microsoft.graph.call',
          state: 'incoming',
          direction: 'incoming',
          source: { identity: { phone: { id: '+14255550100' } } },
          targets: [{ identity: { application: { id: 'bot-app-id' } } }],
        },
      },
    ],
  };
}

/** A call's state change, as Graph notifies it. */
export function stateNotification(callId: string, state: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [
      {
        '@odata.type': '#microsoft.graph.commsNotification',
        changeType: 'updated',
        resourceUrl: `/communications/calls/${callId}`,
        resourceData: { '@odata.type': '#microsoft.graph.call', state },
      },
    ],
  };
}
