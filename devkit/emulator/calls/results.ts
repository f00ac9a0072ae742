/**
 * The resultInfo of every outcome the emulator reports, and its wire shape. The codes are Graph's where its docs give
 * them; the rest are the emulator's choice, noted where made.
 */
import type { ResultInfo } from '../types.js';

export const RESULT = {
  promptCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  operationCancelled: { code: 400, subcode: 8508, message: 'Action failed, the operation was cancelled.' },
  callerHungUp: { code: 200, subcode: 4097, message: 'Call ended by the other participant in the call.' },
  pstnCallerHungUp: { code: 200, subcode: 540000, message: 'Call ended by the PSTN User.' },
  botHungUp: { code: 200, subcode: 5001, message: 'The conversation has ended.' },
  transferCompleted: { code: 0, subcode: 7015, message: 'GracefulTransferCompleted' },
  answerTimeout: {
    code: 408,
    subcode: 1106,
    message: 'An acknowledgement was not received for the call acceptance in the allotted time.',
  },
  // call-record.md documents 200/8515 for the max duration; the other record results are the emulator's choice.
  recordMaxDuration: { code: 200, subcode: 8515, message: 'Action completed, max record duration reached.' },
  recordSilence: { code: 200, subcode: 0, message: 'Action completed, max silence timeout reached.' },
  recordStopTone: { code: 200, subcode: 0, message: 'Action completed, stop tone detected.' },
  recordInitialSilence: { code: 408, subcode: 0, message: 'Action failed, initial silence timeout reached.' },
  inviteCompleted: { code: 200, subcode: 0, message: 'Action completed successfully.' },
  inviteDeclined: { code: 403, subcode: 0, message: 'Invitation declined by the participant.' },
  inviteNoAnswer: { code: 408, subcode: 0, message: 'Invitation not answered.' },
  calleeBusy: { code: 486, subcode: 0, message: 'The callee is busy.' },
  calleeNoAnswer: { code: 408, subcode: 0, message: 'The callee did not answer.' },
  // SIP's 603 Decline, which is what a Teams user's "decline" sends back (Graph does not document its codes here).
  calleeDeclined: { code: 603, subcode: 0, message: 'The callee declined the call.' },
  redirectFailed: { code: 480, subcode: 0, message: 'No redirect target answered.' },
} satisfies Record<string, ResultInfo>;

/** A #microsoft.graph.resultInfo; `quirk` spells it as one of Microsoft's doc examples does. */
export function resultInfoJson(r: ResultInfo, quirk?: 'strings' | 'subCode'): Record<string, unknown> {
  if (quirk === 'strings')
    return {
      '@odata.type': '#microsoft.graph.resultInfo',
      code: String(r.code),
      subcode: String(r.subcode),
      message: r.message,
    };
  if (quirk === 'subCode')
    return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subCode: r.subcode, message: r.message };
  return { '@odata.type': '#microsoft.graph.resultInfo', code: r.code, subcode: r.subcode, message: r.message };
}
