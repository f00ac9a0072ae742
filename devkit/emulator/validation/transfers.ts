/**
 * The body of a transfer (call-transfer.md): a user or phone target, and replacesCallId for a consultative
 * transfer.
 */
import { badRequest } from '../graph-error.js';
import { checkClientContext, E164, ENDPOINT_TYPES, isObject, odataTypeIs, requireBody } from './common.js';

export interface TransferRequest {
  target: { userId: string; displayName?: string } | { phone: string };
  endpointType?: string;
  replacesCallId?: string;
  clientContext?: string;
}

export function validateTransfer(raw: unknown): TransferRequest {
  const body = requireBody(raw);
  const clientContext = checkClientContext(body);
  const t = body['transferTarget'];
  if (t === undefined || t === null) throw badRequest("Missing required property 'transferTarget'.");
  if (!isObject(t))
    throw badRequest("Invalid value for 'transferTarget': an invitationParticipantInfo object is required.");
  if (t['@odata.type'] !== undefined && !odataTypeIs(t['@odata.type'], 'microsoft.graph.invitationParticipantInfo')) {
    throw badRequest(
      "Invalid value for 'transferTarget.@odata.type': expected '#microsoft.graph.invitationParticipantInfo'.",
    );
  }
  const endpointType = t['endpointType'];
  if (
    endpointType !== undefined &&
    endpointType !== null &&
    (typeof endpointType !== 'string' || !ENDPOINT_TYPES.includes(endpointType))
  ) {
    throw badRequest(
      `Invalid value '${String(endpointType)}' for 'transferTarget.endpointType': possible values are ${ENDPOINT_TYPES.join(', ')}.`,
    );
  }
  const identity = t['identity'];
  if (!isObject(identity)) throw badRequest("Missing required property 'transferTarget.identity'.");
  const kinds = ['user', 'phone', 'application', 'applicationInstance', 'guest', 'device'].filter(
    (k) => identity[k] !== undefined && identity[k] !== null,
  );
  if (kinds.length !== 1)
    throw badRequest("Invalid value for 'transferTarget.identity': exactly one of 'user' or 'phone' is required.");
  const kind = kinds[0]!;
  const ident = identity[kind];
  if (!isObject(ident) || typeof ident['id'] !== 'string' || ident['id'].length === 0) {
    throw badRequest(`Missing required property 'transferTarget.identity.${kind}.id'.`);
  }
  let target: TransferRequest['target'];
  if (kind === 'user') {
    const displayName = typeof ident['displayName'] === 'string' ? ident['displayName'] : undefined;
    target = { userId: ident['id'], ...(displayName ? { displayName } : {}) };
  } else if (kind === 'phone') {
    if (!E164.test(ident['id']))
      throw badRequest(
        `Invalid value '${ident['id']}' for 'transferTarget.identity.phone.id': the phone number must be in E.164 format, e.g. +12345678901.`,
      );
    target = { phone: ident['id'] };
  } else {
    throw badRequest(`Transfer to a ${kind} identity is not supported; use a user or a phone.`);
  }
  const replaces = t['replacesCallId'];
  if (replaces !== undefined && replaces !== null && (typeof replaces !== 'string' || replaces.length === 0)) {
    throw badRequest("Invalid value for 'transferTarget.replacesCallId': must be a call id string.");
  }
  const transferee = body['transferee'];
  if (transferee !== undefined && transferee !== null && (!isObject(transferee) || !isObject(transferee['identity']))) {
    throw badRequest("Invalid value for 'transferee': a participantInfo object with an identity is required.");
  }
  return {
    target,
    ...(typeof endpointType === 'string' ? { endpointType } : {}),
    ...(typeof replaces === 'string' ? { replacesCallId: replaces } : {}),
    ...(clientContext !== undefined ? { clientContext } : {}),
  };
}
