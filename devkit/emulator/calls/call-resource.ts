/** A call as Graph shows it (#microsoft.graph.call): to GET, in the incoming-call notification, from createCall. */
import { stripUndefined } from '../json.js';
import type { EmulatedCall } from './emulated-call.js';
import type { CallManagerOptions } from './registry.js';
import { resultInfoJson } from './results.js';

export function callResource(call: EmulatedCall, o: CallManagerOptions): Record<string, unknown> {
  const established = ['established', 'transferring', 'transferAccepted'].includes(call.state);
  return stripUndefined({
    '@odata.type': '#microsoft.graph.call',
    id: call.id,
    state: call.state,
    direction: call.direction,
    callbackUri: call.callbackUri ?? o.botCallingUrl,
    callChainId: call.callChainId,
    myParticipantId: call.myParticipantId,
    tenantId: o.tenantId,
    subject: null,
    source: call.source,
    targets: call.targets,
    requestedModalities: ['audio'],
    activeModalities: established ? ['audio'] : undefined,
    mediaConfig: call.answered
      ? { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig', preFetchMedia: call.preFetchMedia }
      : undefined,
    mediaState: established ? { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' } : undefined,
    resultInfo: call.resultInfo ? resultInfoJson(call.resultInfo) : undefined,
    answeredBy: call.answeredBy,
    routingPolicies: [],
    callRoutes: call.callRoutes,
  });
}
