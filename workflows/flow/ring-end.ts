import { log } from '@temporalio/workflow';
import { classifyRingEnd } from '../../src/contracts/graph-result-codes.js';
import type { CallRecorder } from '../call-recorder.js';
import type { CallSession } from '../call-session.js';
import type { AgentOfferOutcome } from './reservation.js';

/**
 * How a ring that ended by itself counts for the agent, from Graph's resultInfo through the one result-code table
 * (src/contracts/graph-result-codes.ts): busy rests them, declined and not answered are misses, and anything else
 * (unreachable, a failure, a code the table lacks) is never their miss: they are rested for this call, and the code
 * goes to the timeline and the log so that a new code can be added to the table.
 */
export function ringEndOutcome(recorder: CallRecorder, agentId: string, leg: CallSession): AgentOfferOutcome {
  const reading = classifyRingEnd(leg.resultInfo);
  const details = {
    agentId,
    legCallId: leg.callId,
    end: reading.end,
    ...(reading.code !== undefined ? { code: reading.code, subcode: reading.subcode } : {}),
  };
  recorder.event('ringEnded', details);
  if (reading.effect === 'miss') return 'missed';
  if (reading.effect === 'notTheirs') log.warn('ring ended for a reason that is not the agent’s doing', details);
  return 'busy';
}
