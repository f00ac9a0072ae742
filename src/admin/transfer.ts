import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { callWorkflowId } from '../contracts/call.js';
import { transferUpdate, type TransferRequest, type TransferResult } from '../contracts/transfer.js';
import { Call } from '../db/entities/call.js';
import type { transferBody } from './transfer-schemas.js';
import { audit, HttpError, isAdmin } from './common.js';
import type { Handler } from './handler.js';

/**
 * Admin API: the agent talking to a caller (or a supervisor) sends them to another queue or to a colleague (issue 24,
 * point 4), warm or blind. The call workflow does it (its `transfer` Update), so the same call carries on with its
 * context and the transfer is in its history. Only a call put through by conference can be transferred: after a
 * transfer Switchboard has left the call (409, docs/routing.md). Every transfer is audited (`call.transfer`).
 */

const transferCall: Handler = async ({ params, body }, { caller, em, client, catalog }) => {
  const callId = String(params.id);
  const { queue, agentId, blind } = body as z.infer<typeof transferBody>;
  if ((queue === undefined) === (agentId === undefined))
    throw new HttpError(400, 'BadRequest', 'give either queue or agentId (not both)');
  if (queue !== undefined && !Object.hasOwn(catalog.queues, queue))
    throw new HttpError(400, 'BadRequest', `no such queue: ${queue} (queues are defined in flows/)`);
  if (agentId !== undefined && !Object.hasOwn(catalog.agents, agentId))
    throw new HttpError(404, 'NotFound', `no such agent: ${agentId} (agents are defined in flows/)`);
  const call = await em.findOne(Call, { id: callId });
  if (!call) throw new HttpError(404, 'NotFound', 'no such call');
  const supervises = isAdmin(caller) || caller.roles.includes('Switchboard.Supervisor');
  if (!supervises && call.agentId !== caller.objectId)
    throw new HttpError(403, 'Forbidden', 'agents may only transfer calls they are talking on');
  if (!client) throw new HttpError(503, 'Unavailable', 'transferring a call needs Temporal, which this process lacks');
  const req: TransferRequest = {
    ...(queue !== undefined ? { queue } : { agentId: agentId! }),
    ...(blind ? { blind: true } : {}),
    requestedBy: caller.objectId,
  };
  const result = await send(client, callId, req);
  await em.transactional(async (tx) => {
    audit(tx, caller, 'call.transfer', `call:${callId}`, { agentId: result.fromAgentId }, { ...result });
  });
  return { callId, ...result };
};

/** The Update to the call's workflow; its validator's refusal (not a conference, ended) becomes a 409 that says so. */
async function send(client: Client, callId: string, req: TransferRequest): Promise<TransferResult> {
  try {
    return await client.workflow
      .getHandle(callWorkflowId(callId))
      .executeUpdate<TransferResult, [TransferRequest]>(transferUpdate, { args: [req] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'NotFound', 'no such call in progress (no call workflow is running for this id)');
    if (err instanceof WorkflowUpdateFailedError)
      throw new HttpError(409, 'Conflict', `cannot transfer the call: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}

export const transferHandlers: Record<'transferCall', Handler> = { transferCall };
