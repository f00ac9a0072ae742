import { log } from '@temporalio/workflow';
import { classifyRingEnd } from '../../src/contracts/graph-result-codes.js';
import type { CallSession } from '../call-session.js';
import type { AgentOfferOutcome } from './reservation.js';

/**
 * How a ring that ended by itself counts for the agent, from Graph's resultInfo through the one result-code table
 * (src/contracts/graph-result-codes.ts): busy rests them, declined and not answered are misses, and anything else
 * (unreachable, a failure, a code the table lacks) is never their miss: they are rested for this call, and the code is
 * logged so that a new code can be added to the table. (The timeline already has the ring's end, resultInfo and all,
 * as its `leg:state:terminated` entry; an entry more would change when the timeline is written, and so the commands
 * of calls recorded before.)
 */
export function ringEndOutcome(agentId: string, leg: CallSession): AgentOfferOutcome {
  const reading = classifyRingEnd(leg.resultInfo);
  const details = {
    agentId,
    legCallId: leg.callId,
    end: reading.end,
    ...(reading.code !== undefined ? { code: reading.code, subcode: reading.subcode } : {}),
  };
  if (reading.effect === 'miss') {
    log.info('ring ended: the agent’s miss', details);
    return 'missed';
  }
  if (reading.effect === 'notTheirs') log.warn('ring ended for a reason that is not the agent’s doing', details);
  else log.info('ring ended: the agent is busy', details);
  return 'busy';
}
