import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { callWorkflowId } from '../contracts/call.js';
import { superviseUpdate, type SuperviseResult } from '../contracts/supervise.js';
import type { superviseBody } from './supervise-schemas.js';
import { audit, HttpError } from './common.js';
import type { CatalogFreeHandler } from './handler.js';

/**
 * Admin API: a supervisor joins a live call, barging in or monitoring muted (issue 24, point 3). The call workflow
 * does it (its `supervise` Update), so the join is in the call's history and survives a worker restart. Every join
 * is audited (`call.supervise`), whether or not the supervisor then answered.
 */

const superviseCall: CatalogFreeHandler = async ({ params, body }, { caller, em, client }) => {
  const callId = String(params.id);
  const { mode, supervisorId = caller.objectId } = body as z.infer<typeof superviseBody>;
  if (supervisorId !== caller.objectId && !caller.roles.includes('Switchboard.Admin'))
    throw new HttpError(403, 'Forbidden', 'supervisors may only join calls themselves');
  if (!client) throw new HttpError(503, 'Unavailable', 'joining a call needs Temporal, which this process lacks');
  const result = await join(client, callId, { supervisorId, mode });
  await em.transactional(async (tx) => {
    audit(tx, caller, 'call.supervise', `call:${callId}`, null, { ...result });
  });
  return { callId, ...result };
};

/** The Update to the call's workflow; its validator's refusal (not a conference, ended) becomes a 409 that says so. */
async function join(client: Client, callId: string, req: { supervisorId: string; mode: 'barge' | 'monitor' }) {
  try {
    return await client.workflow
      .getHandle(callWorkflowId(callId))
      .executeUpdate<SuperviseResult, [typeof req]>(superviseUpdate, { args: [req] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new HttpError(404, 'NotFound', 'no such call (no call workflow is running for this id)');
    if (err instanceof WorkflowUpdateFailedError)
      throw new HttpError(409, 'Conflict', `cannot join the call: ${err.cause?.message ?? err.message}`);
    throw err;
  }
}

export const superviseHandlers: Record<'superviseCall', CatalogFreeHandler> = { superviseCall };
